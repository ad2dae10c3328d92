"""Muon for the hidden weight matrices, AdamW for the rest (embeddings, head, norms, biases).

Muon (Jordan et al. 2024, as used in the modded-nanogpt speedrun): Nesterov momentum, then the
update is orthogonalised by five Newton-Schulz steps (coefficients 3.4445, -4.7750, 2.0315) on its
Frobenius-normalised form, tall matrices transposed, and scaled by sqrt(max(1, rows / cols)).
Newton-Schulz runs in bf16 where the CPU has it (see cpu.py). Only matmuls: torch 1.13 has it all.
"""
from __future__ import annotations

import torch


def newton_schulz(g: torch.Tensor, steps: int = 5, dtype=torch.bfloat16) -> torch.Tensor:
    """g [r, c] -> an approximately orthogonal matrix of the same shape (U V^T of its SVD)."""
    a, b, c = 3.4445, -4.7750, 2.0315
    x = g.to(dtype)
    tall = x.shape[0] > x.shape[1]
    if tall:
        x = x.t()                                               # [c, r]: rows <= cols
    x = x / (x.norm() + 1e-7)
    for _ in range(steps):
        m = x @ x.t()                                           # [rows, rows]
        x = a * x + (b * m + c * m @ m) @ x
    if tall:
        x = x.t()
    return x.to(g.dtype)


class Muon(torch.optim.Optimizer):
    def __init__(self, params, lr: float = 0.02, momentum: float = 0.95, ns_dtype=torch.bfloat16):
        super().__init__(params, dict(lr=lr, momentum=momentum))
        self.ns_dtype = ns_dtype

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                st = self.state[p]
                if 'buf' not in st:
                    st['buf'] = torch.zeros_like(p)
                buf = st['buf']
                buf.mul_(group['momentum']).add_(p.grad)
                g = p.grad.add(buf, alpha=group['momentum'])          # Nesterov
                u = newton_schulz(g, dtype=self.ns_dtype)
                p.add_(u, alpha=-group['lr'] * max(1.0, p.shape[0] / p.shape[1]) ** 0.5)


def is_hidden_matrix(name: str, p: torch.nn.Parameter) -> bool:
    """The decoder's and compressor's block weights (qkv, proj, fc1, fc2); not embeddings or head."""
    dotted = f'.{name}'
    return p.ndim == 2 and ('.blocks.' in dotted or '.layers.' in dotted)


class Combined:
    """Muon on hidden matrices + AdamW on the rest, stepped together; one state_dict."""

    def __init__(self, model: torch.nn.Module, lr: float, muon_lr: float, use_muon: bool, ns_dtype):
        named = list(model.named_parameters())
        hidden = [p for n, p in named if use_muon and is_hidden_matrix(n, p)]
        ids = {id(p) for p in hidden}
        rest = [p for _, p in named if id(p) not in ids]
        self.adam = torch.optim.AdamW(rest, lr=lr, betas=(0.9, 0.95), weight_decay=0.1)
        self.muon = Muon(hidden, lr=muon_lr, ns_dtype=ns_dtype) if hidden else None
        self.base = {'adam': lr, 'muon': muon_lr}

    def set_scale(self, s: float) -> None:
        """Every group's rate = its base rate x s (warmup / cooldown factor)."""
        for g in self.adam.param_groups:
            g['lr'] = self.base['adam'] * s
        if self.muon:
            for g in self.muon.param_groups:
                g['lr'] = self.base['muon'] * s

    def zero_grad(self) -> None:
        self.adam.zero_grad(set_to_none=True)
        if self.muon:
            self.muon.zero_grad(set_to_none=True)

    def step(self) -> None:
        self.adam.step()
        if self.muon:
            self.muon.step()

    def state_dict(self) -> dict:
        return {'adam': self.adam.state_dict(), 'muon': self.muon.state_dict() if self.muon else None}

    def load_state_dict(self, d: dict) -> None:
        if 'adam' not in d:                                     # a checkpoint of the first recipe (AdamW only)
            self.adam.load_state_dict(d)
            return
        self.adam.load_state_dict(d['adam'])
        if self.muon and d.get('muon'):
            self.muon.load_state_dict(d['muon'])
