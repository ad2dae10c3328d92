"""Train CAT (adaptive chunk sizes) or the dense baseline on the token files from data.py.

CPU:  OPENBLAS_NUM_THREADS=1 python3 -m models.pipeline.train --kind cat --out runs/cat --tokens 40e6 --minutes 150
      (bf16 autocast where the CPU has AVX512-BF16, fp32 otherwise; --threads 2 by default)
CUDA: python3 -m models.pipeline.train --kind cat --device cuda --batch-tokens 131072 ...  (bf16)
DDP:  python3 -m torch.distributed.run --nproc_per_node 2 -m models.pipeline.train ...   (gloo on CPU)

Schedule (--schedule const, the default): warmup, then a constant rate; stops at --tokens or
--minutes, whichever comes first, with a checkpoint every --ckpt-minutes. A later run with a larger
--tokens resumes from <out>/ckpt.pt at the same rate (no warm restart). The model that ships is a
branch: `--cooldown-from RUN --cooldown-tokens T --out BRANCH` copies RUN's constant-rate checkpoint
and decays the rate as 1 - sqrt(t / T) over T more tokens, the last --long-from share of them at
--long-seq (the long-context phase). --schedule cosine keeps the first model's schedule.
Data: non-overlapping windows of the packed token file in a seeded order (data.py packs the files
of one package consecutively), so no text is seen twice until the file is used up; the position is
saved in the checkpoint.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import random
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F

from .bpe import Tokenizer
from .cpu import autocast_for, describe_precision
from .grow import grow, parse as parse_grow
from .model import ModelConfig, build, count_params
from .muon import Combined

PRESETS = {
    'cat-small': dict(kind='cat', d_model=192, n_layers=4, n_heads=3, compressor='linear', comp_dim=24),
    'dense-small': dict(kind='dense', d_model=128, n_layers=4, n_heads=2),
    # model v2: the same sizes with the recipe the A/B table kept (models/README.md)
    'cat-v2': dict(kind='cat', d_model=192, n_layers=4, n_heads=3, compressor='linear', comp_dim=24,
                   relu2=True, qk_norm=True, zero_init=True, untied=True, softcap=30.0),
    # the v2 recipe twice as wide everywhere (decoder 384 = 6 heads of 64, compressor 48 a token): the
    # width A/B of session 13 (models/checkpoints/README.md)
    'cat-v2-384': dict(kind='cat', d_model=384, n_layers=4, n_heads=6, compressor='linear', comp_dim=48,
                       relu2=True, qk_norm=True, zero_init=True, untied=True, softcap=30.0),
    'dense-v2': dict(kind='dense', d_model=128, n_layers=4, n_heads=2,
                     relu2=True, qk_norm=True, zero_init=True, untied=True, softcap=30.0),
    'cat-ablation': dict(kind='cat', d_model=96, n_layers=2, n_heads=2, compressor='linear', comp_dim=16, comp_layers=2),
    'cat-tiny': dict(kind='cat', d_model=32, n_layers=2, n_heads=2, compressor='linear', comp_dim=8),
    'cat-tiny-v2': dict(kind='cat', d_model=32, n_layers=2, n_heads=2, compressor='linear', comp_dim=8,
                        relu2=True, qk_norm=True, zero_init=True, untied=True, softcap=30.0),
    # the window layout (ModelConfig.window), tiny: the engine's test fixture test/fixtures/tiny-cat-window
    'cat-tiny-window': dict(kind='cat', d_model=32, n_layers=2, n_heads=2, compressor='linear', comp_dim=8,
                            relu2=True, qk_norm=True, zero_init=True, untied=True, softcap=30.0, window=8),
    'dense-tiny': dict(kind='dense', d_model=32, n_layers=2, n_heads=2),
}


def loss_on(model, x: torch.Tensor, cfg: ModelConfig, C: int | None) -> torch.Tensor:
    """Mean next-token loss (nats). cat: x [B, N] all N predicted; dense: x [B, N + 1]."""
    if cfg.kind == 'cat':
        logits = model(x, C)                                    # [B, n, C, V]
        return F.cross_entropy(logits.reshape(-1, cfg.vocab_size).float(), x.reshape(-1))
    logits = model(x[:, :-1])                                   # [B, N, V]
    return F.cross_entropy(logits.reshape(-1, cfg.vocab_size).float(), x[:, 1:].reshape(-1))


class Stream:
    """Non-overlapping windows of a uint16 token file in a seeded order. The file is cut into
    blocks of BLOCK tokens visited in a permutation; `cursor` (blocks used, saved in checkpoints)
    makes a resumed run continue where the last stopped. A window of N tokens (+1 for dense) is
    taken from consecutive blocks, so nothing is read twice in a pass; `passes` counts wraps."""
    BLOCK = 4097

    def __init__(self, path: Path, seed: int, cursor: int = 0, rank: int = 0, world: int = 1):
        self.rank, self.world = rank, world
        self.data = np.memmap(path, dtype=np.uint16, mode='r')
        self.n_blocks = max(1, len(self.data) // self.BLOCK)
        self.order = np.random.default_rng(seed).permutation(self.n_blocks)
        self.cursor, self.pending = cursor, []

    def _block(self) -> np.ndarray:
        b = self.order[(self.cursor * self.world + self.rank) % self.n_blocks]
        self.cursor += 1
        return self.data[b * self.BLOCK:(b + 1) * self.BLOCK]

    @property
    def passes(self) -> float:
        return self.cursor * self.world / self.n_blocks

    def batch(self, B: int, N: int) -> torch.Tensor:
        """[B, N] int64; windows of one block (N <= BLOCK) are split off in order."""
        out = []
        while len(out) < B:
            if len(self.pending) == 0 or len(self.pending[0]) < N:
                self.pending = [self._block()]
            blk = self.pending[0]
            out.append(blk[:N].astype(np.int64))
            self.pending[0] = blk[N:]
        return torch.from_numpy(np.stack(out))


def paste_copies(x: torch.Tensor, rng: random.Random, rate: float, spans: int, lo: int, hi: int) -> torch.Tensor:
    """In-context copying practice: in a `rate` share of the rows of x [B, N], `spans` spans of the row's
    own text (lo..hi tokens each) are pasted over later positions, so past the first pasted token the
    rest is predictable only by finding where it was written before (an induction pattern at every
    distance up to N). Returns a new tensor; x is left as it is."""
    x = x.clone()
    B, N = x.shape
    for b in range(B):
        if rng.random() >= rate:
            continue
        for src, dst, L in copy_spans(N, rng, spans, lo, hi):
            x[b, dst:dst + L] = x[b, src:src + L]
    return x


def copy_spans(N: int, rng: random.Random, spans: int, lo: int, hi: int) -> list[tuple[int, int, int]]:
    """(source, destination, length) of the pasted spans of one row of N tokens; each destination
    starts after its source ends."""
    out = []
    for _ in range(spans):
        L = rng.randint(lo, hi)
        if N < 2 * L + 2:
            break
        src = rng.randrange(0, N - 2 * L - 1)
        out.append((src, rng.randrange(src + L + 1, N - L + 1), L))
    return out


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


def lr_scale(args, state: dict, elapsed: float, branch: dict | None) -> tuple[float, float]:
    """(rate factor, progress in [0, 1]) for the schedule; progress >= 1 ends the run."""
    warm = min(1.0, (state['step'] + 1) / args.warmup)
    if args.rewarm and 'optFrom' in state:                      # a fresh optimizer on trained weights
        warm = min(warm, (state['step'] - state['optFrom'] + 1) / args.rewarm)
    if branch is not None:                                      # cooldown branch: 1 - sqrt over its tokens
        t = (state['tokens'] - branch['fromTokens']) / branch['tokens']
        return warm * max(0.0, 1.0 - math.sqrt(min(1.0, t))), t
    if args.schedule == 'cosine':                               # one run: its wall clock shapes the curve
        progress = max(state['tokens'] / args.tokens, elapsed / (60 * args.minutes))
        return warm * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress))), progress
    return warm, state['tokens'] / args.tokens                  # --minutes bounds each run, not the total


def from_weights(path: Path) -> dict:
    """A checkpoint dict from a weights file (save_weights): fp32 weights, no optimizer state, and the
    step where the fresh one begins (`optFrom`, which --rewarm counts from)."""
    w = torch.load(path, map_location='cpu')
    return {'model': {k: v.float() if v.is_floating_point() else v for k, v in w['model'].items()},
            'config': w['config'], 'opt': None, 'state': {**w['state'], 'optFrom': w['state']['step']}}


def start_branch(args, ckpt_path: Path) -> None:
    """--cooldown-from RUN: copy RUN's constant-rate checkpoint into --out once, marked as a branch.
    RUN may also be a weights file (save_weights, e.g. the committed constant-rate checkpoint): the
    branch then starts with a fresh optimizer state, which --rewarm ramps in."""
    if ckpt_path.exists():
        return
    if args.cooldown_from.is_file():
        ck = from_weights(args.cooldown_from)
    else:
        ck = torch.load(args.cooldown_from / 'ckpt.pt', map_location='cpu')
    ck['branch'] = {'from': str(args.cooldown_from), 'fromTokens': ck['state']['tokens'],
                    'fromStep': ck['state']['step'], 'tokens': args.cooldown_tokens}
    torch.save(ck, ckpt_path)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--kind', choices=['cat', 'dense'], required=True)
    ap.add_argument('--preset', default=None)
    ap.add_argument('--compressor', choices=['linear', 'transformer'], default=None)
    ap.add_argument('--bigram-hash', type=int, default=0,
                    help='rows of a hashed bigram embedding added to the decoder input (from scratch; A/B only, not exported)')
    ap.add_argument('--window', type=int, default=0,
                    help='cat: the sliding-window decoder (ModelConfig.window) with this many raw tokens (from scratch, or --init-from trained weights; exported as contract layout "window")')
    ap.add_argument('--data', type=Path, default=Path('runs/data'))
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--tokens', type=float, default=20e6, help='token budget (constant-rate run)')
    ap.add_argument('--minutes', type=float, default=110, help='wall-clock budget of this run')
    ap.add_argument('--seq', type=int, default=512)
    ap.add_argument('--long-seq', type=int, default=4096)
    ap.add_argument('--long-from', type=float, default=0.9, help='progress (cosine) or cooldown share after which --long-seq is used')
    ap.add_argument('--batch-tokens', type=int, default=8192)
    ap.add_argument('--lr', type=float, default=3e-3, help='AdamW peak rate')
    ap.add_argument('--muon', action='store_true', help='Muon for hidden matrices')
    ap.add_argument('--muon-lr', type=float, default=0.02)
    ap.add_argument('--schedule', choices=['const', 'cosine'], default='const')
    ap.add_argument('--warmup', type=int, default=50)
    ap.add_argument('--rewarm', type=int, default=0,
                    help='with --init-from (a fresh optimizer state on trained weights): ramp the rate up again '
                         'linearly over this many steps (0: no ramp, the rate is at once the constant one)')
    ap.add_argument('--cooldown-from', type=Path, default=None)
    ap.add_argument('--cooldown-tokens', type=float, default=0)
    ap.add_argument('--precision', choices=['auto', 'bf16', 'fp32'], default='auto')
    ap.add_argument('--threads', type=int, default=2)
    ap.add_argument('--device', default='auto')
    ap.add_argument('--eval-every', type=int, default=100)
    ap.add_argument('--eval-windows', type=int, default=16)
    ap.add_argument('--ckpt-minutes', type=float, default=5)
    ap.add_argument('--seed', type=int, default=0)
    ap.add_argument('--chunk-weights', default=None, help='sampling weights of the chunk sizes, e.g. 3,3,2,1,1')
    ap.add_argument('--copy-rate', type=float, default=0.0,
                    help='share of training rows given pasted copies of their own spans (paste_copies); 0: none')
    ap.add_argument('--copy-spans', type=int, default=3)
    ap.add_argument('--copy-len', default='6,20', help='lo,hi tokens of each pasted span')
    ap.add_argument('--max-passes', type=float, default=None,
                    help='stop the run when the train split has been read this many times (1.0: no text seen twice)')
    ap.add_argument('--init-from', type=Path, default=None,
                    help='when <out>/ckpt.pt is missing: start from these saved weights (save_weights; e.g. the committed '
                         'constant-rate checkpoint) with their token count and data position, and a fresh optimizer state')
    ap.add_argument('--grow', default=None,
                    help='with --init-from: grow the compressor first, function-preserving (grow.py), e.g. comp_dim=64 or comp_layers=2')
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
    if device == 'cpu' and not ddp:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed + rank)
    args.out.mkdir(parents=True, exist_ok=True)
    ckpt_path = args.out / 'ckpt.pt'
    if args.bigram_hash and (args.init_from or args.cooldown_from or ckpt_path.exists()):
        raise SystemExit('train: --bigram-hash builds a model from scratch (a resumed run keeps its checkpoint\'s '
                         'config); to add the table to trained weights use --init-from with --grow bigram_hash=N')
    if args.window and (args.cooldown_from or ckpt_path.exists()):
        raise SystemExit('train: --window starts a run (from scratch, or --init-from trained weights read through '
                         'the window decoder); a resumed run or a cooldown keeps its checkpoint\'s config')
    if args.cooldown_from and rank == 0:
        start_branch(args, ckpt_path)
    if ddp:
        dist.barrier()
    tok = Tokenizer.load(args.data / 'tokenizer.json')

    if ckpt_path.exists():
        ck = torch.load(ckpt_path, map_location='cpu')
        cfg = ModelConfig.from_dict(ck['config'])
    elif args.init_from:
        ck = from_weights(args.init_from)
        cfg = ModelConfig.from_dict(ck['config'])
        if rank == 0:
            print(f"init from {args.init_from}: {ck['state']['tokens']} tokens (fresh optimizer state)", flush=True)
        if args.window:                                         # the same weights, read through the window decoder
            cfg = replace(cfg, window=args.window)
            ck['config'] = cfg.to_dict()
        if args.grow:
            ck['model'], cfg = grow(ck['model'], cfg, **parse_grow(args.grow), seed=args.seed)
            ck['config'] = cfg.to_dict()
            if rank == 0:
                print(f'grown ({args.grow}): comp_dim {cfg.comp_dim}, {cfg.compressor}, bigram_hash {cfg.bigram_hash}', flush=True)
    else:
        ck = None
        preset = dict(PRESETS[args.preset or f'{args.kind}-small'])
        if args.compressor:
            preset['compressor'] = args.compressor
        if args.bigram_hash:
            preset['bigram_hash'] = args.bigram_hash
        if args.window:
            preset['window'] = args.window
        cfg = ModelConfig(vocab_size=tok.vocab_size, special=tok.special_ids, **preset)
    model = build(cfg).to(device)
    amp, precision = autocast_for(device, args.precision)
    opt = Combined(model, args.lr, args.muon_lr, args.muon, torch.bfloat16 if precision == 'bf16' else torch.float32)
    state = {'step': 0, 'tokens': 0, 'elapsed': 0.0, 'cursor': 0}
    branch = None
    if ck:
        model.load_state_dict(ck['model'])
        if ck.get('opt'):
            opt.load_state_dict(ck['opt'])
        state = {'cursor': 0, **ck['state']}
        branch = ck.get('branch')
    data_id = f"{args.data.resolve().name}:{(args.data / 'train.bin').stat().st_size // 2}"
    state.setdefault('data', data_id)                           # checkpoints before data ids: the same data
    if state['data'] != data_id:                                # new text: its first pass starts at block 0
        state['dataHistory'] = state.get('dataHistory', []) + [
            {'data': state['data'], 'cursor': state['cursor'], 'tokens': state['tokens']}]
        if rank == 0:
            print(f"data changed ({state['data']} -> {data_id}) at {state['tokens']} tokens: cursor 0", flush=True)
        state['data'], state['cursor'] = data_id, 0
    net = torch.nn.parallel.DistributedDataParallel(model) if ddp else model
    train = Stream(args.data / 'train.bin', args.seed * 1000 + 17, state['cursor'], rank, world)
    val = np.memmap(args.data / 'val.bin', dtype=np.uint16, mode='r')
    rng = random.Random(args.seed + state['step'])
    weights = [float(w) for w in args.chunk_weights.split(',')] if args.chunk_weights else [1.0] * len(cfg.chunk_sizes)
    copy_rng = random.Random(args.seed * 7919 + state['step'] + 1)
    copy_len = tuple(int(v) for v in args.copy_len.split(','))
    log = open(args.out / 'log.jsonl', 'a') if rank == 0 else None
    if rank == 0:
        print(f'{cfg.kind}: {count_params(model)/1e6:.2f}M parameters, device {device}, world {world}, '
              f'{describe_precision(device, precision, args.threads)}, optimizer {"Muon+AdamW" if args.muon else "AdamW"}'
              f'{", cooldown branch of " + branch["from"] if branch else ""}', flush=True)
        (args.out / 'config.json').write_text(json.dumps(cfg.to_dict(), indent=1))
    t0, last_ckpt = time.time() - state['elapsed'], time.time()
    run_t0, run_tok0 = time.time(), state['tokens']
    while True:
        elapsed = time.time() - t0
        scale, progress = lr_scale(args, state, elapsed, branch)
        if progress >= 1.0 or (args.schedule == 'const' and time.time() - run_t0 > 60 * args.minutes):
            break
        if args.max_passes is not None and train.passes >= args.max_passes:
            if rank == 0:
                print(f'train split read {train.passes:.3f} times (--max-passes {args.max_passes}): stopping', flush=True)
            break
        opt.set_scale(scale)
        long_phase = progress >= args.long_from if (branch is not None or args.schedule == 'cosine') else False
        N = args.long_seq if long_phase else args.seq
        B = max(1, args.batch_tokens // N)
        C = rng.choices(cfg.chunk_sizes, weights)[0] if cfg.kind == 'cat' else None
        x = train.batch(B, N + (cfg.kind == 'dense'))
        if args.copy_rate > 0:
            x = paste_copies(x, copy_rng, args.copy_rate, args.copy_spans, *copy_len)
        x = x.to(device)
        with amp:
            loss = loss_on(net, x, cfg, C)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        state['step'] += 1
        state['tokens'] += B * N * world
        state['cursor'] = train.cursor
        state['elapsed'] = time.time() - t0
        if rank == 0 and (state['step'] % 10 == 0):
            run_rate = (state['tokens'] - run_tok0) / max(1e-9, time.time() - run_t0)
            rec = {'step': state['step'], 'tokens': state['tokens'], 'loss': float(loss), 'lr': args.lr * scale, 'C': C,
                   'seq': N, 'elapsed': round(state['elapsed'], 1), 'tokPerSec': round(run_rate),
                   'passes': round(train.passes, 3), 'precision': precision}
            if args.copy_rate > 0:
                rec['copyRate'] = args.copy_rate
            if state['step'] % args.eval_every == 0:
                rec['valLoss'] = evaluate(model, cfg, val, 512, args.eval_windows, 8 if cfg.kind == 'cat' else None, device)
            log.write(json.dumps(rec) + '\n')
            log.flush()
            print(json.dumps(rec), flush=True)
        if rank == 0 and time.time() - last_ckpt > 60 * args.ckpt_minutes:
            save(ckpt_path, model, opt, cfg, state, device, branch)
            last_ckpt = time.time()
    if rank == 0:
        save(ckpt_path, model, opt, cfg, state, device, branch)
        by_c = {str(c): evaluate(model, cfg, val, 512, args.eval_windows, c, device) for c in cfg.chunk_sizes} \
            if cfg.kind == 'cat' else {}
        final = by_c['8'] if by_c else evaluate(model, cfg, val, 512, args.eval_windows, None, device)
        rec = {'done': True, 'finalValLoss': final, 'valByC': by_c, **state}
        print(json.dumps(rec), flush=True)
        log.write(json.dumps(rec) + '\n')
    if ddp:
        dist.destroy_process_group()
    return 0


def save_weights(ckpt: Path, out: Path) -> None:
    """Weights (bf16), config and state of a checkpoint, without the optimizer: small enough to commit."""
    ck = torch.load(ckpt, map_location='cpu')
    torch.save({'model': {k: v.to(torch.bfloat16) if v.is_floating_point() else v for k, v in ck['model'].items()},
                'config': ck['config'], 'state': ck['state'], 'branch': ck.get('branch')}, out)


def save(path: Path, model, opt, cfg: ModelConfig, state: dict, device: str, branch: dict | None = None) -> None:
    """Atomic checkpoint; `device` is recorded so the exported contract says where it trained."""
    tmp = path.with_suffix('.tmp')
    torch.save({'model': model.state_dict(), 'opt': opt.state_dict(), 'config': cfg.to_dict(), 'state': state,
                'device': device.split(':')[0], 'branch': branch}, tmp)
    os.replace(tmp, path)


if __name__ == '__main__':
    raise SystemExit(main())
