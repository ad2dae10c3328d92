"""Side-by-side held-out quality of checkpoints (an equal-token A/B): bits/byte of each, CAT at
every trained chunk size and dense, on the same windows (quality.measure), with each one's
training token count, and each CAT size's excess over the dense one. With --per-package, each
package folder under the split is also measured on its own (the same window count each) and the
packages' mean is reported: the pooled windows follow the files, so one large package can dominate
them (corpus/heldout: 37 of 64 windows are python3-torch), while the completion evaluation draws
its cases from each package alike.

    python3 -m models.pipeline.compare --heldout corpus/heldout --windows 64 \\
        --out models/eval/cat-vs-dense-v2.json cat=runs/cat-v2-8m/ckpt.pt dense=models/checkpoints/dense-v2-const.pt
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import torch

from .bpe import Tokenizer
from .model import ModelConfig, build
from .quality import measure


def load(path: Path):
    ck = torch.load(path, map_location='cpu')
    cfg = ModelConfig.from_dict(ck['config'])
    model = build(cfg)
    model.load_state_dict({k: v.float() for k, v in ck['model'].items()})
    model.eval()
    return model, cfg, ck['state']


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('runs', nargs='+', help='name=checkpoint (full or weights-only)')
    ap.add_argument('--heldout', type=Path, default=Path('corpus/heldout'))
    ap.add_argument('--tokenizer', type=Path, default=Path('models/cat-code-small/tokenizer.json'))
    ap.add_argument('--windows', type=int, default=64)
    ap.add_argument('--tokens', type=int, default=512)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', type=Path, default=None)
    ap.add_argument('--per-package', action='store_true', help='also measure each package folder alone, and their mean')
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    tok = Tokenizer.load(args.tokenizer)
    out: dict = {'heldout': str(args.heldout), 'windows': args.windows, 'windowTokens': args.tokens, 'runs': {}}
    for spec in args.runs:
        name, _, path = spec.partition('=')
        if not path:
            raise SystemExit(f'compare: expected name=checkpoint, got {spec!r}')
        t0 = time.time()
        model, cfg, state = load(Path(path))
        q = measure(model, cfg, tok, args.heldout, args.windows, args.tokens)
        run = out['runs'][name] = {'checkpoint': path, 'kind': cfg.kind, 'tokens': int(state['tokens']), 'steps': int(state['step']),
                                   'parameters': sum(p.numel() for p in model.parameters()), 'bitsPerByte': q['bitsPerByte'], 'bytes': q['bytes']}
        print(f"{name}: {cfg.kind}, {state['tokens']:,} tokens, bits/byte {q['bitsPerByte']} ({time.time() - t0:.0f} s)", flush=True)
        if args.per_package:
            run['byPackage'] = {pkg.name: measure(model, cfg, tok, pkg, args.windows, args.tokens)['bitsPerByte'] for pkg in packages(args.heldout)}
            run['packageMean'] = {C: round(sum(b[C] for b in run['byPackage'].values()) / len(run['byPackage']), 4) for C in q['bitsPerByte']}
            print(f"{name}: per package {run['byPackage']}, mean {run['packageMean']}", flush=True)
    dense = [r for r in out['runs'].values() if r['kind'] == 'dense']
    if dense:
        d = dense[0]['bitsPerByte']['dense']
        for r in out['runs'].values():
            if r['kind'] == 'cat':
                r['overDense'] = {C: round(v / d - 1, 4) for C, v in r['bitsPerByte'].items()}
    text = json.dumps(out, indent=1) + '\n'
    if args.out:
        args.out.write_text(text)
    print(text)
    return out


def packages(root: Path) -> list[Path]:
    """The package folders of a split (its first level), sorted."""
    return sorted(p for p in Path(root).iterdir() if p.is_dir())


if __name__ == '__main__':
    main()
