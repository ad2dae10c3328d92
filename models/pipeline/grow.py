"""Function-preserving growth of a trained CAT's compressor (Net2Net-style), for a branch that starts
with exactly its parent's outputs and gains capacity where the chunk sizes are weakest:

- `comp_dim=W`: the per-token width inside the compressor grows (24 -> W). The new embedding
  columns start small and random, the projection rows that read them start at zero, so every
  compressed vector is unchanged until training moves them.
- `bigram_hash=R`: the decoder gets a hashed bigram table of R rows (model.bigram_ids), zero at first.
- `comp_layers=L`: a linear compressor becomes a transformer one (L bidirectional blocks over the
  chunk before the projection). The blocks' output projections (attention and MLP) and the position
  table start at zero, so each block is the identity at first.

    python3 -m models.pipeline.train ... --init-from models/checkpoints/cat-v2-const.pt --grow comp_dim=64
"""
from __future__ import annotations

from dataclasses import replace

import torch

from .model import ModelConfig, build


def parse(spec: str | None) -> dict:
    """'comp_dim=64,comp_layers=2' -> {'comp_dim': 64, 'comp_layers': 2}."""
    out: dict = {}
    for part in filter(None, (spec or '').split(',')):
        key, _, val = part.partition('=')
        if key not in ('comp_dim', 'comp_layers', 'bigram_hash') or not val.isdigit():
            raise SystemExit(f'--grow: expected comp_dim=N, comp_layers=N and/or bigram_hash=N, got {part!r}')
        out[key] = int(val)
    return out


def grow(sd: dict, cfg: ModelConfig, comp_dim: int | None = None, comp_layers: int | None = None,
         seed: int = 0, bigram_hash: int | None = None) -> tuple[dict, ModelConfig]:
    """Parent weights + config -> grown weights (fp32) + config; the grown model's outputs equal the parent's."""
    if cfg.kind != 'cat':
        raise ValueError('grow: only a CAT has a compressor to grow')
    if cfg.compressor == 'transformer' and comp_dim and comp_dim != cfg.comp_dim:
        raise ValueError('grow: widening a transformer compressor is not supported')
    new_cfg = replace(cfg, comp_dim=comp_dim or cfg.comp_dim,
                      compressor='transformer' if comp_layers else cfg.compressor,
                      comp_layers=comp_layers or cfg.comp_layers, bigram_hash=bigram_hash or cfg.bigram_hash)
    torch.manual_seed(seed)
    new = build(new_cfg).state_dict()
    for k, v in sd.items():
        if k in new and new[k].shape == v.shape:
            new[k] = v.float().clone()
    old_dc, dc, D, M = cfg.comp_dim, new_cfg.comp_dim, cfg.d_model, cfg.max_chunk
    if dc != old_dc:
        new['compressor.tok.weight'][:, :old_dc] = sd['compressor.tok.weight'].float()
        proj = torch.zeros(M, dc, D)                            # rows are (position, width): [M, dc, D]
        proj[:, :old_dc] = sd['compressor.proj'].float().view(M, old_dc, D)
        new['compressor.proj'] = proj.view(M * dc, D)           # [M * dc, D]
    if comp_layers and cfg.compressor != 'transformer':
        new['compressor.pos.weight'].zero_()
        for k in new:
            if k.startswith('compressor.layers.') and ('.proj.' in k or '.fc2.' in k):
                new[k].zero_()
    return new, new_cfg
