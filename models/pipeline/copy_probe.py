"""In-context copying on real text: validation windows get spans of their own text pasted over later
positions (train.copy_spans, the rule of `train --copy-rate`), and the model is scored on the pasted
tokens from each span's third on (predictable only by finding the earlier copy) against the rest of
the window. A model that copies scores the pasted tokens far below the plain ones.

    python3 -m models.pipeline.copy_probe --out models/eval/copy-probe.json ctl=runs/a.pt copy=runs/b.pt
"""
from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .compare import load
from .train import copy_spans


def windows(val: np.ndarray, n: int, N: int, seed: int, spans: int, lo: int, hi: int) -> tuple[torch.Tensor, torch.Tensor]:
    """x [n, N] with pasted spans, and the mask [n, N] of the scored pasted positions."""
    rng = random.Random(seed)
    rows, masks = [], []
    for s in np.linspace(0, len(val) - N - 1, n).astype(np.int64):
        x = torch.from_numpy(val[s:s + N].astype(np.int64))
        m = torch.zeros(N, dtype=torch.bool)
        used = torch.zeros(N, dtype=torch.bool)
        for src, dst, L in copy_spans(N, rng, spans, lo, hi):
            if used[src:dst + L].any():                         # keep each span's source as it was
                continue
            x[dst:dst + L] = x[src:src + L]
            m[dst + 2:dst + L] = True
            used[src:dst + L] = True
        rows.append(x)
        masks.append(m)
    return torch.stack(rows), torch.stack(masks)


def row_logits(model, x: torch.Tensor, C: int | None) -> torch.Tensor:
    """[B, N, V] with row p predicting x[p]; a dense model's row 0 (nothing before it) is uniform."""
    if C is None:
        out = model(x[:, :-1]).float()                                  # [B, N - 1, V] predicts x[:, 1:]
        return torch.cat([torch.zeros_like(out[:, :1]), out], dim=1)
    return model(x, C).reshape(x.shape[0], x.shape[1], -1).float()


def position_nll(model, x: torch.Tensor, C: int | None) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits [B, N, V], nats [B, N]) of every position of x [B, N]."""
    logits = row_logits(model, x, C)
    nll = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), x.reshape(-1), reduction='none').reshape(x.shape)
    return logits, nll


@torch.no_grad()
def score(model, cfg, x: torch.Tensor, mask: torch.Tensor, C: int) -> dict:
    """Mean nats and argmax accuracy on the pasted positions, mean nats on the others."""
    logits, nll = position_nll(model, x, C)
    hit = logits.argmax(-1) == x
    return {'pastedNats': round(float(nll[mask].mean()), 4), 'pastedAccuracy': round(float(hit[mask].float().mean()), 4),
            'plainNats': round(float(nll[~mask].mean()), 4)}


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('runs', nargs='+', help='name=checkpoint (CAT, full or weights-only)')
    ap.add_argument('--val', type=Path, default=Path('runs/data4c/val.bin'))
    ap.add_argument('--windows', type=int, default=48)
    ap.add_argument('--tokens', type=int, default=512)
    ap.add_argument('--sizes', type=int, nargs='+', default=[8, 64])
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', type=Path, default=None)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    val = np.memmap(args.val, dtype=np.uint16, mode='r')
    x, mask = windows(val, args.windows, args.tokens, 0, 3, 10, 20)
    out: dict = {'val': str(args.val), 'windows': args.windows, 'tokens': args.tokens, 'runs': {}}
    for spec in args.runs:
        name, _, path = spec.partition('=')
        model, cfg, state = load(Path(path))
        out['runs'][name] = {'checkpoint': path, 'tokens': int(state['tokens']),
                             **{f'C={C}': score(model, cfg, x, mask, C) for C in args.sizes}}
        print(name, json.dumps(out['runs'][name]), flush=True)
    if args.out:
        args.out.write_text(json.dumps(out, indent=1) + '\n')
    return out


if __name__ == '__main__':
    main()
