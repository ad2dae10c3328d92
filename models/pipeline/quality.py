"""Held-out quality of a checkpoint: bits per byte at every trained chunk size (PyTorch model).

The exporter writes the result into contract.json as "quality" (models/CONTRACT.md), so the
extension labels each chunk size with a measured quality instead of assuming small C is best.

Sample (deterministic): the files under the split folder in sorted path order, shuffled with a
fixed seed, each encoded as [file] + tokens + [endoftext] (data.py, without FIM) and concatenated
until the stream holds 4x the tokens needed (or the files run out); `windows` evenly spaced,
non-overlapping windows of N + 1 tokens are cut from it. Each window scores its last N tokens
(cat: all N predicted from the start entry on; dense: given the first token), so every kind
and chunk size scores the same text. bits/byte = total nats / ln 2 / UTF-8 bytes of the scored
tokens (special tokens count 0 bytes).
"""
from __future__ import annotations

import math
import random
from pathlib import Path

import numpy as np
import torch

from .bpe import CHAR_BYTE, Tokenizer
from .model import ModelConfig
from .train import loss_on

MAX_FILE_BYTES = 256 * 1024       # larger files are mostly generated bundles; skipped
OVERSAMPLE = 4                    # stream length / tokens scored: windows spread over more files


def token_bytes(tok: Tokenizer) -> np.ndarray:
    """UTF-8 bytes each token id stands for (0 for special tokens)."""
    out = np.zeros(tok.vocab_size, dtype=np.int64)
    for i, t in tok.inv.items():
        if i not in tok.special_content:
            out[i] = len(bytes(CHAR_BYTE[c] for c in t))
    return out


def sample_windows(root: Path, tok: Tokenizer, windows: int, N: int, seed: int = 0) -> np.ndarray:
    """[windows, N + 1] int64 token windows from the files under root (see module docstring)."""
    files = sorted(p for p in Path(root).rglob('*') if p.is_file() and p.stat().st_size <= MAX_FILE_BYTES)
    if not files:
        raise SystemExit(f'--quality-from {root}: no files')
    random.Random(seed).shuffle(files)
    sp, need, stream = tok.special_ids, windows * (N + 1), []
    for f in files:
        stream.extend([sp['file']] + tok.encode(f.read_bytes()) + [sp['endoftext']])
        if len(stream) >= OVERSAMPLE * need:
            break
    if len(stream) < need:
        raise SystemExit(f'--quality-from {root}: {len(stream)} tokens, fewer than {windows} windows of {N + 1}')
    ids = np.asarray(stream, dtype=np.int64)
    starts = np.linspace(0, len(ids) - (N + 1), windows).astype(np.int64)
    return np.stack([ids[s:s + N + 1] for s in starts])


@torch.no_grad()
def bits_per_byte(model, cfg: ModelConfig, wins: np.ndarray, nbytes: int, C: int | None, batch: int = 8) -> float:
    """Total loss over the windows' last N tokens, in bits per UTF-8 byte."""
    model.eval()
    nats = 0.0
    for i in range(0, len(wins), batch):
        x = torch.from_numpy(wins[i:i + batch])
        x = x[:, 1:] if cfg.kind == 'cat' else x                # dense: the first token is context only
        n_pred = x.shape[0] * (x.shape[1] - (cfg.kind == 'dense'))
        nats += float(loss_on(model, x, cfg, C)) * n_pred
    return nats / math.log(2) / nbytes


def measure(model, cfg: ModelConfig, tok: Tokenizer, root: Path, windows: int = 64, N: int = 512, seed: int = 0) -> dict:
    """The contract's "quality" object: held-out bits/byte per chunk size (cat) or under "dense"."""
    if cfg.kind == 'cat' and any(N % c for c in cfg.chunk_sizes):
        raise SystemExit(f'--quality-tokens {N} must be a multiple of every chunk size {list(cfg.chunk_sizes)}')
    wins = sample_windows(root, tok, windows, N, seed)
    nbytes = int(token_bytes(tok)[wins[:, 1:]].sum())
    if nbytes <= 0:
        raise SystemExit(f'--quality-from {root}: the sampled windows hold no text')
    sizes = list(cfg.chunk_sizes) if cfg.kind == 'cat' else [None]
    bpb = {('dense' if C is None else str(C)): round(bits_per_byte(model, cfg, wins, nbytes, C), 4) for C in sizes}
    return {'split': Path(root).resolve().name, 'windows': windows, 'windowTokens': N, 'seed': seed,
            'tokens': int(wins.shape[0] * N), 'bytes': nbytes, 'bitsPerByte': bpb}
