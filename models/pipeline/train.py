"""Train CAT (adaptive chunk sizes) or the dense baseline on the token files from data.py.

CPU:  OMP_NUM_THREADS=2 python3 -m models.pipeline.train --kind cat --out runs/cat --minutes 100
CUDA: python3 -m models.pipeline.train --kind cat --device cuda --batch-tokens 131072 ...  (bf16)
DDP:  python3 -m torch.distributed.run --nproc_per_node 2 -m models.pipeline.train ...   (gloo on CPU)

Schedule: progress = max(tokens / budget, elapsed / minutes); cosine LR on progress; steps after
--long-from (progress) use --long-seq (the long-context phase). Resumes from <out>/ckpt.pt.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from .bpe import Tokenizer
from .model import ModelConfig, build, count_params

PRESETS = {
    'cat-small': dict(kind='cat', d_model=192, n_layers=4, n_heads=3, compressor='linear', comp_dim=24),
    'dense-small': dict(kind='dense', d_model=128, n_layers=4, n_heads=2),
    'cat-ablation': dict(kind='cat', d_model=96, n_layers=2, n_heads=2, compressor='linear', comp_dim=16, comp_layers=2),
    'cat-tiny': dict(kind='cat', d_model=32, n_layers=2, n_heads=2, compressor='linear', comp_dim=8),
    'dense-tiny': dict(kind='dense', d_model=32, n_layers=2, n_heads=2),
}


def loss_on(model, x: torch.Tensor, cfg: ModelConfig, C: int | None) -> torch.Tensor:
    """Mean next-token loss (nats). cat: x [B, N] all N predicted; dense: x [B, N + 1]."""
    if cfg.kind == 'cat':
        logits = model(x, C)                                    # [B, n, C, V]
        return F.cross_entropy(logits.reshape(-1, cfg.vocab_size).float(), x.reshape(-1))
    logits = model(x[:, :-1])                                   # [B, N, V]
    return F.cross_entropy(logits.reshape(-1, cfg.vocab_size).float(), x[:, 1:].reshape(-1))


class Windows:
    """Random windows from a uint16 token file."""

    def __init__(self, path: Path, seed: int):
        self.data = np.memmap(path, dtype=np.uint16, mode='r')
        self.rng = np.random.default_rng(seed)

    def batch(self, B: int, N: int) -> torch.Tensor:
        starts = self.rng.integers(0, len(self.data) - N - 1, B)
        return torch.from_numpy(np.stack([self.data[s:s + N].astype(np.int64) for s in starts]))


@torch.no_grad()
def evaluate(model, cfg: ModelConfig, val: np.ndarray, N: int, n_windows: int, C: int | None, device) -> float:
    """Mean loss (nats/token) over fixed, evenly spaced validation windows."""
    model.eval()
    starts = np.linspace(0, len(val) - N - 2, n_windows).astype(np.int64)
    tot = 0.0
    for s in starts:
        x = torch.from_numpy(val[s:s + N + (cfg.kind == 'dense')].astype(np.int64))[None].to(device)
        tot += float(loss_on(model, x, cfg, C))
    model.train()
    return tot / len(starts)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--kind', choices=['cat', 'dense'], required=True)
    ap.add_argument('--preset', default=None)
    ap.add_argument('--compressor', choices=['linear', 'transformer'], default=None)
    ap.add_argument('--data', type=Path, default=Path('runs/data'))
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--tokens', type=float, default=20e6, help='token budget')
    ap.add_argument('--minutes', type=float, default=110, help='wall-clock budget')
    ap.add_argument('--seq', type=int, default=512)
    ap.add_argument('--long-seq', type=int, default=4096)
    ap.add_argument('--long-from', type=float, default=0.9)
    ap.add_argument('--batch-tokens', type=int, default=8192)
    ap.add_argument('--lr', type=float, default=3e-3)
    ap.add_argument('--device', default='auto')
    ap.add_argument('--eval-every', type=int, default=100)
    ap.add_argument('--ckpt-minutes', type=float, default=5)
    ap.add_argument('--seed', type=int, default=0)
    args = ap.parse_args(argv)

    ddp = int(os.environ.get('WORLD_SIZE', '1')) > 1
    device = ('cuda' if torch.cuda.is_available() else 'cpu') if args.device == 'auto' else args.device
    rank, world = 0, 1
    if ddp:
        dist.init_process_group('nccl' if device == 'cuda' else 'gloo')
        rank, world = dist.get_rank(), dist.get_world_size()
        if device == 'cuda':
            torch.cuda.set_device(int(os.environ.get('LOCAL_RANK', 0)))
            device = f'cuda:{torch.cuda.current_device()}'
    torch.manual_seed(args.seed + rank)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path = args.out / 'ckpt.pt'
    tok = Tokenizer.load(args.data / 'tokenizer.json')

    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location='cpu')
        cfg = ModelConfig.from_dict(ck['config'])
    else:
        ck = None
        preset = dict(PRESETS[args.preset or f'{args.kind}-small'])
        if args.compressor:
            preset['compressor'] = args.compressor
        cfg = ModelConfig(vocab_size=tok.vocab_size, special=tok.special_ids, **preset)
    model = build(cfg).to(device)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    state = {'step': 0, 'tokens': 0, 'elapsed': 0.0}
    if ck:
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        state = ck['state']
    net = torch.nn.parallel.DistributedDataParallel(model) if ddp else model
    train = Windows(args.data / 'train.bin', args.seed * 1000 + rank + state['step'])
    val = np.memmap(args.data / 'val.bin', dtype=np.uint16, mode='r')
    rng = random.Random(args.seed + state['step'])
    amp = torch.autocast('cuda', dtype=torch.bfloat16) if device.startswith('cuda') else torch.autocast('cpu', enabled=False)
    log = open(args.out / 'log.jsonl', 'a') if rank == 0 else None
    if rank == 0:
        print(f'{cfg.kind}: {count_params(model)/1e6:.2f}M parameters, device {device}, world {world}', flush=True)
        (args.out / 'config.json').write_text(json.dumps(cfg.to_dict(), indent=1))
    t0, last_ckpt = time.time() - state['elapsed'], time.time()
    while True:
        elapsed = time.time() - t0
        progress = max(state['tokens'] / args.tokens, elapsed / (60 * args.minutes))
        if progress >= 1.0:
            break
        warm = min(1.0, (state['step'] + 1) / 50)
        lr = args.lr * warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))
        for g in opt.param_groups:
            g['lr'] = lr
        N = args.long_seq if progress >= args.long_from else args.seq
        B = max(1, args.batch_tokens // N)
        C = rng.choice(cfg.chunk_sizes) if cfg.kind == 'cat' else None
        x = train.batch(B, N + (cfg.kind == 'dense')).to(device)
        with amp:
            loss = loss_on(net, x, cfg, C)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        state['step'] += 1
        state['tokens'] += B * N * world
        state['elapsed'] = time.time() - t0
        if rank == 0 and (state['step'] % 10 == 0):
            rec = {'step': state['step'], 'tokens': state['tokens'], 'loss': float(loss), 'lr': lr, 'C': C,
                   'seq': N, 'elapsed': round(state['elapsed'], 1), 'tokPerSec': round(state['tokens'] / state['elapsed'])}
            if state['step'] % args.eval_every == 0:
                rec['valLoss'] = evaluate(model, cfg, val, 512, 16, 8 if cfg.kind == 'cat' else None, device)
            log.write(json.dumps(rec) + '\n')
            log.flush()
            print(json.dumps(rec), flush=True)
        if rank == 0 and time.time() - last_ckpt > 60 * args.ckpt_minutes:
            save(ckpt_path, model, opt, cfg, state, device)
            last_ckpt = time.time()
    if rank == 0:
        save(ckpt_path, model, opt, cfg, state, device)
        final = evaluate(model, cfg, val, 512, 16, 8 if cfg.kind == 'cat' else None, device)
        print(json.dumps({'done': True, 'finalValLoss': final, **state}), flush=True)
    if ddp:
        dist.destroy_process_group()
    return 0


def save(path: Path, model, opt, cfg: ModelConfig, state: dict, device: str) -> None:
    """Atomic checkpoint; `device` is recorded so the exported contract says where it trained."""
    tmp = path.with_suffix('.tmp')
    torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'config': cfg.to_dict(), 'state': state,
                'device': device.split(':')[0]}, tmp)
    os.replace(tmp, path)


if __name__ == '__main__':
    raise SystemExit(main())
