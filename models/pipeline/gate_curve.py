"""Plot the confidence gate's precision-coverage curves from `npm run eval` (completion.json).

  python3 -m models.pipeline.gate_curve --results models/eval/completion.json --out models/eval/gate-curve.png
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--results', type=Path, required=True)
    ap.add_argument('--out', type=Path, required=True)
    args = ap.parse_args(argv)
    res = json.loads(args.results.read_text())
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, pts in res['gateCurves'].items():
        cov = [p['coverage'] for p in pts if p['coverage'] > 0]
        prec = [p['precision'] for p in pts if p['coverage'] > 0]
        ax.plot(cov, prec, marker='.', label=name)
    for name, row in res['rows'].items():
        if name.startswith('copy heuristic'):
            ax.scatter([row['shown']], [row['precision']], marker='x', s=60, label=name)
    thr = res.get('thresholds', {}).get('cat')
    for name, row in res['rows'].items():
        if name.startswith('mixture + gate'):
            ax.scatter([row['shown']], [row['precision']], marker='o', s=70, facecolors='none', edgecolors='k')
            ax.annotate(f"default ({thr})" if thr is not None else 'default', (row['shown'], row['precision']), textcoords='offset points', xytext=(6, 4), fontsize=8)
    ax.axhline(0.6, color='grey', lw=0.8, ls='--')
    ax.set_xlabel('coverage (shown / cases)')
    ax.set_ylabel('precision (exactly right / shown)')
    ax.set_title(f"Confidence gate on held-out line completions ({res['cases']} cases)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc='upper right')
    fig.tight_layout()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(args.out, dpi=110)
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
