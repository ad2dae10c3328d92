"""Can a checkpoint learn to copy from its compressed entries? Rows of real text repeated once
([A][A], A = --half tokens) make the second half predictable only by copying from the first, which
sits in earlier chunks (entries) at every C. The probe measures the loss of both halves on
validation rows, fine-tunes a copy of the model on such rows from the train split for --steps steps
(Muon+AdamW at --scale times the line's rates, the line's chunk weights), and measures again. A model
that can copy from its entries drives the second half towards 0 nats within a few hundred steps (a
dense transformer does); the checkpoint itself is never written.

    python3 -m models.pipeline.repeat_probe --ckpt models/checkpoints/cat-v2-const.pt --out models/eval/repeat-probe.json
    python3 -m models.pipeline.repeat_probe --ckpt models/checkpoints/dense-v2-const.pt --out models/eval/repeat-probe-dense.json
"""
from __future__ import annotations

import argparse
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .compare import load
from .copy_probe import position_nll, row_logits
from .cpu import autocast_for
from .muon import Combined


def repeated(data: np.ndarray, starts, half: int) -> torch.Tensor:
    """[len(starts), 2 * half]: each row is data[s:s + half] twice."""
    rows = [torch.from_numpy(data[s:s + half].astype(np.int64)) for s in starts]
    return torch.stack([torch.cat([r, r]) for r in rows])


@torch.no_grad()
def halves(model, x: torch.Tensor, C: int, skip: int = 4) -> dict:
    """Mean nats of the first half and of the second (each past its first `skip` tokens)."""
    model.eval()
    half = x.shape[1] // 2
    _, nll = position_nll(model, x, C)
    model.train()
    return {'first': round(float(nll[:, skip:half].mean()), 4), 'second': round(float(nll[:, half + skip:].mean()), 4)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--ckpt', type=Path, required=True)
    ap.add_argument('--train', type=Path, default=Path('runs/data5/train.bin'))
    ap.add_argument('--val', type=Path, default=Path('runs/data4c/val.bin'))
    ap.add_argument('--half', type=int, default=256)
    ap.add_argument('--rows', type=int, default=8, help='rows a step')
    ap.add_argument('--steps', type=int, default=200)
    ap.add_argument('--every', type=int, default=50)
    ap.add_argument('--scale', type=float, default=0.3)
    ap.add_argument('--chunk-weights', default='4,2,1,1,1')
    ap.add_argument('--sizes', type=int, nargs='+', default=[4, 8, 64])
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--qk-scale', type=float, default=1.0,
                    help='multiply every attention logit of a QK-norm model by this (both RMS-normed q and k by its '
                         'square root): how much the logit bound (+-sqrt(head_dim)) limits copying')
    ap.add_argument('--out', type=Path, default=None)
    args = ap.parse_args(argv)
    if args.qk_scale != 1.0:                                    # this process only; the model file is not changed
        from . import model as model_module
        base, root = model_module.Block.rms, math.sqrt(args.qk_scale)
        model_module.Block.rms = staticmethod(lambda t: base(t) * root)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    model, cfg, state = load(args.ckpt)
    train = np.memmap(args.train, dtype=np.uint16, mode='r')
    val = np.memmap(args.val, dtype=np.uint16, mode='r')
    vx = repeated(val, np.linspace(0, len(val) - args.half - 1, 16).astype(np.int64), args.half)
    weights = [float(w) for w in args.chunk_weights.split(',')]
    amp, precision = autocast_for('cpu', 'auto')
    opt = Combined(model, 3e-3, 0.02, True, torch.bfloat16 if precision == 'bf16' else torch.float32)
    rng = random.Random(args.seed)
    sizes = args.sizes if cfg.kind == 'cat' else [None]
    name = lambda C: 'dense' if C is None else f'C={C}'  # noqa: E731
    curve = [{'step': 0, **{name(C): halves(model, vx, C) for C in sizes}}]
    print(json.dumps(curve[-1]), flush=True)
    t0 = time.time()
    for step in range(1, args.steps + 1):
        opt.set_scale(args.scale * min(1.0, step / 20))
        x = repeated(train, [rng.randrange(0, len(train) - args.half) for _ in range(args.rows)], args.half)
        C = rng.choices(cfg.chunk_sizes, weights)[0] if cfg.kind == 'cat' else None
        with amp:
            loss = F.cross_entropy(row_logits(model, x, C)[:, 1:].reshape(-1, cfg.vocab_size), x[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % args.every == 0 or step == args.steps:
            curve.append({'step': step, 'seconds': round(time.time() - t0), **{name(C): halves(model, vx, C) for C in sizes}})
            print(json.dumps(curve[-1]), flush=True)
    out = {'checkpoint': str(args.ckpt), 'tokens': int(state['tokens']), 'qkScale': args.qk_scale, 'half': args.half, 'rowsPerStep': args.rows,
           'scale': args.scale, 'chunkWeights': args.chunk_weights, 'curve': curve}
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + '\n')
    return out


if __name__ == '__main__':
    main()
