"""In-context recall of PyTorch checkpoints, for A/B runs before anything is exported: the protocol of
`npm run eval`'s recall rows (src/eval/recall.ts) in Python. A made-up two-word function name is
defined, real held-out code follows for `distance` tokens, then `const shifted = <first word>`; the
model must write the second word. Scored teacher-forced: a case is recalled when every token of the
second word is the argmax (what greedy decoding writes when it tokenizes the word the same way), and
`nats` is the mean loss of those tokens. The rows of `npm run eval` stay the figures of record.

    python3 -m models.pipeline.recall_probe --distances 512 2048 --cases 40 ctl=runs/ab-ctl/ckpt.pt
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import torch

from .bpe import Tokenizer
from .compare import load

SYLLABLES = ['zor', 'vel', 'taq', 'uin', 'bri', 'sko', 'mep', 'rax', 'dul', 'fen', 'gry', 'hob', 'jex', 'kir', 'lom',
             'nuv', 'pyx', 'qua', 'sil', 'tro', 'wem', 'yad']


def filler_lines(root: Path, limit_bytes: int = 2_000_000) -> list[str]:
    """Lines of the held-out TypeScript/JavaScript files, sorted paths, up to limit_bytes."""
    lines, size = [], 0
    for p in sorted(root.rglob('*')):
        if p.is_file() and p.suffix in ('.ts', '.js') and p.stat().st_size < 256 * 1024:
            text = p.read_text(encoding='utf-8', errors='replace')
            lines.extend(text.split('\n'))
            size += len(text)
            if size > limit_bytes:
                break
    return lines


def cases(tok: Tokenizer, lines: list[str], distance: int, n: int, seed: int) -> list[tuple[list[int], int]]:
    """(token ids of the whole text, index of the first token to recall) per case."""
    r = random.Random(seed)
    word = lambda: ''.join(r.choice(SYLLABLES) for _ in range(2))  # noqa: E731
    out = []
    for _ in range(n):
        head, tail = word(), word()
        name = head + tail[0].upper() + tail[1:]
        body, tokens, at = [], 0, r.randrange(len(lines))
        while tokens < distance:
            line = lines[at % len(lines)] + '\n'
            at += 1
            body.append(line)
            tokens += len(tok.encode(line.encode()))
        prefix = f'export function {name}(items, options) {{\n  return items.map((x) => x + options.offset);\n}}\n\n' + \
            ''.join(body) + f'\nconst shifted = {head}'
        p_ids = tok.encode(prefix.encode())
        f_ids = tok.encode((prefix + name[len(head):]).encode())
        lcp = next((i for i, (a, b) in enumerate(zip(p_ids, f_ids)) if a != b), len(p_ids))
        out.append(([tok.special_ids['file']] + f_ids, 1 + lcp))
    return out


@torch.no_grad()
def score(model, cfg, ids: list[int], first: int, C: int | None) -> tuple[bool, float]:
    """Teacher-forced: (every target token is the argmax, mean nats of the target tokens)."""
    pad = (-len(ids)) % 64
    x = torch.tensor([ids + [cfg.special['endoftext']] * pad])             # [1, N]; the tail pad is never attended to
    if cfg.kind == 'cat':
        logits = model(x, C).reshape(x.shape[1], -1)                      # [N, V]: row p predicts x[p]
    else:
        logits = torch.cat([torch.zeros(1, cfg.vocab_size), model(x)[0, :-1]])   # [N, V]: row p predicts x[p]
    tgt = torch.tensor(ids[first:])
    lp = logits[first:len(ids)].float().log_softmax(-1)
    hit = bool((lp.argmax(-1) == tgt).all())
    return hit, float(-lp.gather(1, tgt[:, None]).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('runs', nargs='+', help='name=checkpoint')
    ap.add_argument('--heldout', type=Path, default=Path('corpus/heldout'))
    ap.add_argument('--tokenizer', type=Path, default=Path('models/cat-code-small/tokenizer.json'))
    ap.add_argument('--distances', type=int, nargs='+', default=[512, 2048])
    ap.add_argument('--sizes', type=int, nargs='+', default=[4, 8, 64])
    ap.add_argument('--cases', type=int, default=40)
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--out', type=Path, default=None)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    tok = Tokenizer.load(args.tokenizer)
    lines = filler_lines(args.heldout)
    sets = {d: cases(tok, lines, d, args.cases, seed=1000 + d) for d in args.distances}
    out: dict = {'cases': args.cases, 'runs': {}}
    for spec in args.runs:
        name, _, path = spec.partition('=')
        model, cfg, state = load(Path(path))
        sizes = args.sizes if cfg.kind == 'cat' else [None]
        res = {}
        for C in sizes:
            for d, cs in sets.items():
                hits, nats = zip(*(score(model, cfg, ids, first, C) for ids, first in cs))
                res[f'{"dense" if C is None else f"C={C}"} @{d}'] = {'recall': round(sum(hits) / len(hits), 3),
                                                                     'nats': round(sum(nats) / len(nats), 3)}
        out['runs'][name] = {'checkpoint': path, 'tokens': int(state['tokens']), **res}
        print(name, json.dumps(res), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + '\n')


if __name__ == '__main__':
    main()
