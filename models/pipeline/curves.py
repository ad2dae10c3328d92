"""Plot training curves (train loss and validation loss vs tokens) from runs' log.jsonl files.

  python3 -m models.pipeline.curves --out models/eval/training-curves.png cat=RUN/log.jsonl dense=RUN/log.jsonl
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def read(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text().splitlines() if l.strip().startswith('{"step"')]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('runs', nargs='+', help='label=path/to/log.jsonl')
    args = ap.parse_args(argv)
    fig, ax = plt.subplots(1, 2, figsize=(11, 4))
    for spec in args.runs:
        label, path = spec.split('=', 1)
        rows = read(Path(path))
        tok = [r['tokens'] / 1e6 for r in rows]
        loss = [r['loss'] for r in rows]
        k = 5
        smooth = [sum(loss[max(0, i - k + 1):i + 1]) / len(loss[max(0, i - k + 1):i + 1]) for i in range(len(loss))]
        ax[0].plot(tok, smooth, label=label)
        v = [(r['tokens'] / 1e6, r['valLoss']) for r in rows if 'valLoss' in r]
        if v:
            ax[1].plot(*zip(*v), marker='o', ms=3, label=label)
    ax[0].set(title='training loss (nats/token, smoothed)', xlabel='tokens (M)')
    ax[1].set(title='validation loss (nats/token; cat at C=8)', xlabel='tokens (M)')
    for a in ax:
        a.grid(alpha=0.3)
        a.legend()
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    print(f'wrote {args.out}')
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
