"""Can an architecture learn to copy at all? Small models trained from scratch on synthetic induction
rows, the mechanism under issue 12's recall target, apart from the data and the budget.

A row is N random tokens. `spans` spans of L tokens are written twice, first in the first half and
again at a random place in the second half (so the offset varies: finding the copy needs content, as
the recall eval's made-up names do). Training and scoring use the second copies' tokens from the
second on only (each predictable by finding the previous token earlier and reading what followed).
A model that copies goes from ln(V) to about 0 on them; chance is ln(V - 16).

    python3 -m models.pipeline.copy_synth --steps 600 --out models/eval/copy-synth.json \\
        dense=kind=dense cat4=kind=cat,C=4 cat4_noqk=kind=cat,C=4,qk_norm=0

Each arm is name=key=value,... over ModelConfig fields (plus C, the CAT chunk size used); the rest is
the v2 recipe at d_model 96, 2 layers, 2 heads, vocabulary 256.
"""
from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch
import torch.nn.functional as F

from .copy_probe import row_logits
from .model import ModelConfig, build, count_params

SPECIAL = {'endoftext': 0, 'file': 1, 'fim_prefix': 2, 'fim_suffix': 3, 'fim_middle': 4, 'chunk': 5,
           'start_4': 6, 'start_8': 7, 'start_16': 8, 'start_32': 9, 'start_64': 10, 'start_128': 11}
FIRST = 16                                                      # random tokens are FIRST .. vocab - 1


def rows(n: int, N: int, spans: int, L: int, vocab: int, g: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    """x [n, N] random tokens with `spans` spans written twice; mask [n, N] of the scored positions."""
    x = torch.randint(FIRST, vocab, (n, N), generator=g)
    mask = torch.zeros(n, N, dtype=torch.bool)
    half, slot = N // 2, N // 2 // spans                        # each span gets its own slot in each half
    for r in range(n):
        order = torch.randperm(spans, generator=g)
        for s in range(spans):
            a = s * slot + int(torch.randint(0, slot - L + 1, (1,), generator=g))
            b = half + int(order[s]) * slot + int(torch.randint(0, slot - L + 1, (1,), generator=g))
            x[r, b:b + L] = x[r, a:a + L]
            mask[r, b + 1:b + L] = True
    return x, mask


def arm_config(spec: str, vocab: int) -> tuple[ModelConfig, int, float]:
    """'kind=cat,C=4,qk_norm=0' -> (config, C, smear_init); each value takes the type of ModelConfig's field; C is
    0 for dense; smear_init (with smear=1) starts the token shift's shares there instead of at zero: random rows
    give no gradient to a zero share (the previous token predicts nothing until attention reads it), where
    real text does (bigrams)."""
    base = dict(kind='cat', vocab_size=vocab, d_model=96, n_layers=2, n_heads=2, compressor='linear', comp_dim=24,
                relu2=True, qk_norm=True, zero_init=True, untied=True, softcap=30.0, special=SPECIAL)
    defaults = ModelConfig()
    C, smear_init = 4, 0.0
    for kv in filter(None, spec.split(',')):
        k, v = kv.split('=')
        if k == 'C':
            C = int(v)
            continue
        if k == 'smear_init':
            smear_init = float(v)
            continue
        kind = type(getattr(defaults, k))                      # an unknown field fails here, by name
        base[k] = v not in ('0', 'false', 'False') if kind is bool else kind(float(v)) if kind is int else kind(v)
    return ModelConfig(**base), (C if base['kind'] == 'cat' else 0), smear_init


def masked_loss(model, cfg: ModelConfig, C: int, x: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean loss (nats) and accuracy over the masked positions of x [B, N] (never position 0)."""
    lp = row_logits(model, x, C if cfg.kind == 'cat' else None)[mask]   # [M, V]: row p predicts x[p]
    return F.cross_entropy(lp, x[mask]), (lp.argmax(-1) == x[mask]).float().mean()


def train_arm(name: str, spec: str, a) -> dict:
    torch.manual_seed(a.seed)
    cfg, C, smear_init = arm_config(spec, a.vocab)
    model = build(cfg)
    with torch.no_grad():
        for name_p, p in model.named_parameters():
            if name_p.endswith('smear'):
                p.fill_(smear_init)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.0)
    g = torch.Generator().manual_seed(a.seed + 1)
    vx, vm = rows(64, a.seq, a.spans, a.span_len, a.vocab, torch.Generator().manual_seed(12345))
    curve, t0 = [], time.time()
    for step in range(1, a.steps + 1):
        lr = a.lr * min(1.0, step / 50)
        for group in opt.param_groups:
            group['lr'] = lr
        x, m = rows(a.batch, a.seq, a.spans, a.span_len, a.vocab, g)
        with torch.autocast('cpu', dtype=torch.bfloat16):
            loss, _ = masked_loss(model, cfg, C, x, m)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if step % a.every == 0 or step == a.steps:
            model.eval()
            with torch.no_grad(), torch.autocast('cpu', dtype=torch.bfloat16):
                vl, va = masked_loss(model, cfg, C, vx, vm)
            model.train()
            curve.append({'step': step, 'nats': round(float(vl), 4), 'accuracy': round(float(va), 4)})
            print(f'{name} step {step}: {curve[-1]} ({time.time() - t0:.0f} s)', flush=True)
    return {'spec': spec, 'C': C, 'parameters': count_params(model), 'chance': round(math.log(a.vocab - FIRST), 4),
            'curve': curve, 'seconds': round(time.time() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('arms', nargs='+', help='name=key=value,...')
    ap.add_argument('--steps', type=int, default=600)
    ap.add_argument('--every', type=int, default=100)
    ap.add_argument('--batch', type=int, default=32)
    ap.add_argument('--seq', type=int, default=256)
    ap.add_argument('--spans', type=int, default=4)
    ap.add_argument('--span-len', type=int, default=12)
    ap.add_argument('--vocab', type=int, default=256)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--out', type=Path, default=None)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    out = {'seq': a.seq, 'spans': a.spans, 'spanLen': a.span_len, 'vocab': a.vocab, 'steps': a.steps, 'batch': a.batch,
           'lr': a.lr, 'arms': {}}
    for arm in a.arms:
        name, spec = arm.split('=', 1)
        out['arms'][name] = train_arm(name, spec, a)
        if a.out:
            a.out.write_text(json.dumps(out, indent=1) + '\n')


if __name__ == '__main__':
    main()
