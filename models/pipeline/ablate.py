"""Equal-token A/B runs of recipe changes (model v2); writes a JSON table for the model card.

  OPENBLAS_NUM_THREADS=1 python3 -m models.pipeline.ablate --data runs/data2 --out runs/ablate \
      --tokens 819200 --table models/eval/ablation-v2.json

Every variant trains from scratch on the same data order (same seed), the same token count and
the same constant-rate schedule, and is scored on the same validation windows at every chunk
size (CAT; C=8 is the headline). The fp32 check runs the baseline in fp32 for --fp32-tokens
and compares it with the bf16 baseline's validation loss at that step.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ARCH = ['--preset', 'cat-v2']
VARIANTS = {
    'baseline (AdamW, GELU, tied)': ['--preset', 'cat-small'],
    '+ ReLU^2, QK-norm, zero-init, untied head, soft-cap 30': ARCH,
    '+ Muon (hidden matrices)': ARCH + ['--muon'],
    '+ Muon, small C sampled more (3,3,2,1,1)': ARCH + ['--muon', '--chunk-weights', '3,3,2,1,1'],
}


def run(name: str, extra: list, args, out: Path) -> dict:
    log = out / 'log.jsonl'
    if not log.exists() or '"done"' not in log.read_text():
        cmd = [sys.executable, '-m', 'models.pipeline.train', '--kind', 'cat', '--data', str(args.data),
               '--out', str(out), '--eval-every', str(args.eval_every), '--eval-windows', str(args.eval_windows),
               '--minutes', '60', *extra]
        print('ablate:', name, ' '.join(cmd[3:]), flush=True)
        subprocess.run(cmd, check=True)
    recs = [json.loads(line) for line in log.read_text().splitlines()]
    done = [r for r in recs if r.get('done')][-1]
    rates = [r['tokPerSec'] for r in recs if 'tokPerSec' in r]
    return {'variant': name, 'args': extra, 'tokens': done['tokens'], 'valLossC8': done['finalValLoss'],
            'valByC': done['valByC'], 'tokPerSec': rates[-1] if rates else None,
            'curve': [[r['tokens'], r['valLoss']] for r in recs if 'valLoss' in r]}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--data', type=Path, required=True)
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--tokens', type=float, default=819200)
    ap.add_argument('--fp32-tokens', type=float, default=409600)
    ap.add_argument('--eval-every', type=int, default=50)
    ap.add_argument('--eval-windows', type=int, default=48)
    ap.add_argument('--table', type=Path, required=True)
    args = ap.parse_args(argv)
    rows = []
    for i, (name, extra) in enumerate(VARIANTS.items()):
        rows.append(run(name, extra + ['--tokens', str(args.tokens)], args, args.out / f'v{i}'))
        args.table.write_text(json.dumps({'tokens': args.tokens, 'rows': rows}, indent=1))
    fp32 = run('baseline fp32', VARIANTS['baseline (AdamW, GELU, tied)'] + ['--tokens', str(args.fp32_tokens),
               '--precision', 'fp32'], args, args.out / 'fp32')
    bf16_at = [v for t, v in rows[0]['curve'] if t == fp32['tokens']]
    check = {'tokens': fp32['tokens'], 'fp32ValLoss': fp32['valLossC8'], 'fp32TokPerSec': fp32['tokPerSec'],
             'bf16ValLoss': bf16_at[0] if bf16_at else None, 'bf16TokPerSec': rows[0]['tokPerSec']}
    if check['bf16ValLoss'] is not None:
        check['relDiff'] = check['bf16ValLoss'] / check['fp32ValLoss'] - 1
    best = min(rows, key=lambda r: r['valLossC8'])
    args.table.write_text(json.dumps({'tokens': args.tokens, 'rows': rows, 'bf16Check': check,
                                      'best': best['variant']}, indent=1))
    for r in rows:
        print(f"{r['variant']:<58} C=8 {r['valLossC8']:.4f}  " +
              ' '.join(f"C={c} {v:.3f}" for c, v in r['valByC'].items()) + f"  {r['tokPerSec']} tok/s")
    print('bf16 check:', json.dumps(check))
    print('best:', best['variant'], json.dumps(best['args']))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
