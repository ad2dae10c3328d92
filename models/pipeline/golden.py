"""Write the tokenizer golden file shared by the Python pipeline and the TypeScript runtime.

  python3 -m models.pipeline.golden --tokenizer runs/data/tokenizer.json --out test/fixtures/tokenizer_golden.json
Cases cover code, prose, CRLF, tabs, NUL, invalid UTF-8, emoji, CJK and special-token strings.
"""
from __future__ import annotations

import argparse
import base64
import json
from pathlib import Path

from .bpe import Tokenizer

CASES = [
    b'', b'\n', b'\n\n\n', b'hello world', b"it's a test, isn't it?\n",
    b'function add(a, b) {\n  return a + b;\n}\n',
    b'def f(x):\r\n    return x ** 2\r\n',
    b'\tindented\twith\ttabs\n    and spaces   \n',
    b'const s = "caf\xc3\xa9 \xe4\xb8\xad\xe6\x96\x87 \xf0\x9f\x98\x80";\n',
    b'nul\x00byte\x00\x00end', b'bad \xff\xfe utf8 \xc3\x28 \xe2\x82 tail\n',
    b'\xed\xa0\x80 surrogate, \xf4\x90\x80\x80 too big, \xc0\xaf overlong\n',
    b'<|endoftext|> and <|file|> and <|fim_middle|>\n',
    b'x' * 300 + b'\n', b'    ' * 20 + b'deep\n',
    b'numbers 0 12 345 6789 3.14159 1e-10 0xFF\n',
    b'# Title\n\nSome *markdown* with `code` and [a link](http://example.com).\n',
    b'import numpy as np\nfrom typing import List, Optional\n\n\nclass A(object):\n    pass\n',
]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--tokenizer', type=Path, required=True)
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--extra', type=Path, nargs='*', default=[], help='files to add as cases')
    args = ap.parse_args(argv)
    tok = Tokenizer.load(args.tokenizer)
    cases = CASES + [p.read_bytes()[:4000] for p in args.extra]
    out = []
    for data in cases:
        ids = tok.encode(data)
        assert tok.decode(ids) == data, data
        out.append({'bytes_b64': base64.b64encode(data).decode(), 'ids': ids})
    args.out.write_text(json.dumps({'tokenizer': 'tiny-cat/tokenizer.json', 'cases': out}, indent=0) + '\n')
    print(f'{len(out)} cases -> {args.out}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
