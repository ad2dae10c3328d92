"""Compress & Attend Transformer (CAT) and the dense baseline, in PyTorch.

One config dataclass (ModelConfig) is saved in every checkpoint. Shapes: B batch, N tokens,
C chunk size, n = N / C chunks, L = C + 1 segment length (separator + C tokens), D width,
H heads, hd head width, Ly layers.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ModelConfig:
    kind: str = 'cat'                 # 'cat' | 'dense'
    vocab_size: int = 4096
    d_model: int = 256
    n_layers: int = 4
    n_heads: int = 4
    mlp_ratio: int = 4
    chunk_sizes: tuple = (4, 8, 16, 32, 64)
    compressor: str = 'linear'        # 'linear' | 'transformer'
    comp_dim: int = 32                # per-token width inside the compressor
    comp_layers: int = 2              # transformer compressor only
    comp_heads: int = 2
    rope_base: float = 10000.0
    # recipe switches (models/README.md, A/B table); defaults are the first model's recipe
    relu2: bool = False               # MLP activation ReLU(x)^2 instead of GELU
    qk_norm: bool = False             # RMS-normalise queries and keys per head before rotary
    zero_init: bool = False           # output projections (attn proj, fc2) start at zero
    untied: bool = False              # separate output head (zero-init) instead of the embedding
    softcap: float = 0.0              # logits = softcap * tanh(logits / softcap) when > 0
    bigram_hash: int = 0              # > 0: a table of this many rows, indexed by a hash of (previous, current)
                                      # token, added to the decoder's input embedding (zero-init; training only)
    smear: bool = False               # token shift: each input embedding (decoder and compressor) plus a learned
                                      # per-channel share (zero-init) of the previous token's; training only
    window: int = 0                   # cat, > 0: no segments; the decoder reads the token stream through a sliding
                                      # window of this many raw tokens plus the entries of the complete chunks
                                      # (forward_window: the same raw context at every chunk size)
    special: dict = field(default_factory=dict)   # name -> token id (from the tokenizer)

    @property
    def head_dim(self) -> int:
        return self.d_model // self.n_heads

    @property
    def max_chunk(self) -> int:
        return max(self.chunk_sizes)

    def to_dict(self) -> dict:
        d = asdict(self)
        d['chunk_sizes'] = list(self.chunk_sizes)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> 'ModelConfig':
        d = dict(d)
        d['chunk_sizes'] = tuple(d['chunk_sizes'])
        return cls(**d)


def bigram_ids(prev: torch.Tensor, cur: torch.Tensor, rows: int) -> torch.Tensor:
    """Row of the (previous, current) token pair in a hashed bigram table; same shapes in and out."""
    return (prev * 36313 + cur * 27191) % rows


def rope_tables(pos: torch.Tensor, hd: int, base: float):
    """pos [..., T] (int64) -> cos, sin [..., T, 1, hd/2]: computed once a step, shared by every layer."""
    inv = 1.0 / (base ** (torch.arange(0, hd // 2, dtype=torch.float32, device=pos.device) / (hd // 2)))
    ang = pos.to(torch.float32).unsqueeze(-1) * inv            # [..., T, hd/2]
    return torch.cos(ang).unsqueeze(-2), torch.sin(ang).unsqueeze(-2)


def rotate(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor, half: int | None = None) -> torch.Tensor:
    """x [..., T, H, hd] rotated by rope_tables() (pairs (i, i + hd/2)); half = hd/2 as a Python int
    when known (the step graph: no size read from x)."""
    half = x.shape[-1] // 2 if half is None else half
    x1, x2 = x[..., :half], x[..., half:]
    return torch.cat([x1 * cos - x2 * sin, x1 * sin + x2 * cos], dim=-1)


def rotary(x: torch.Tensor, pos: torch.Tensor, base: float) -> torch.Tensor:
    """x [..., T, H, hd], pos [..., T] (int64) -> x rotated by position."""
    return rotate(x, *rope_tables(pos, x.shape[-1], base))


class Block(nn.Module):
    """Pre-norm transformer block; attention is supplied by the caller (masks differ)."""

    def __init__(self, d: int, n_heads: int, mlp_ratio: int, relu2: bool = False, qk_norm: bool = False,
                 zero_init: bool = False):
        super().__init__()
        self.n_heads, self.relu2, self.qk_norm = n_heads, relu2, qk_norm
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, mlp_ratio * d)
        self.fc2 = nn.Linear(mlp_ratio * d, d)
        if zero_init:
            for lin in (self.proj, self.fc2):
                nn.init.zeros_(lin.weight)
                nn.init.zeros_(lin.bias)

    @staticmethod
    def rms(t: torch.Tensor) -> torch.Tensor:
        """RMS norm over the last dim (hd), no weights: the QK-norm."""
        return t * torch.rsqrt(t.pow(2).mean(-1, keepdim=True) + 1e-6)

    def qkv_heads(self, x: torch.Tensor):
        """x [..., T, D] -> q, k, v each [..., T, H, hd]."""
        q, k, v = self.qkv_step(x, tuple(x.shape[:-1]))
        return q, k, v.reshape(q.shape)

    def qkv_step(self, x: torch.Tensor, bt: tuple):
        """x [..., T, D], bt = its leading sizes -> q, k [..., T, H, hd], v [..., T, D]. The exported step
        graph passes bt = (B, T) read once from the inputs: sizes are Python ints wherever they can be,
        since every size read from a tensor's shape becomes graph nodes run on each decode step."""
        D = self.qkv.in_features
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=-1)
        shape = bt + (self.n_heads, D // self.n_heads)
        q, k = q.reshape(shape), k.reshape(shape)
        if self.qk_norm:
            q, k = self.rms(q), self.rms(k)
        return q, k, v

    def finish(self, x: torch.Tensor, attn: torch.Tensor) -> torch.Tensor:
        """attn [..., T, H, hd] -> residual + MLP."""
        return self.mlp(x + self.proj(attn.flatten(-2)))

    def mlp(self, x: torch.Tensor) -> torch.Tensor:
        u = self.fc1(self.ln2(x))
        return x + self.fc2(F.relu(u).square() if self.relu2 else F.gelu(u))


def attend(q, k, v, mask):
    """q [B, T, H, hd], k/v [B, S, H, hd], mask [T, S] bool (True = visible) -> [B, T, H, hd]."""
    scores = torch.einsum('bthd,bshd->bhts', q, k) / math.sqrt(q.shape[-1])
    scores = scores.masked_fill(~mask, float('-inf'))
    return torch.einsum('bhts,bshd->bthd', scores.softmax(-1), v)


class Decoder(nn.Module):
    """Causal decoder shared by CAT (over entries + segments) and the dense baseline."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.tok = nn.Embedding(cfg.vocab_size, cfg.d_model)
        self.blocks = nn.ModuleList(Block(cfg.d_model, cfg.n_heads, cfg.mlp_ratio, cfg.relu2, cfg.qk_norm, cfg.zero_init)
                                    for _ in range(cfg.n_layers))
        self.ln_f = nn.LayerNorm(cfg.d_model)
        nn.init.normal_(self.tok.weight, std=0.02)
        self.head = None
        if cfg.untied:
            self.head = nn.Parameter(torch.zeros(cfg.vocab_size, cfg.d_model))
        self.bigram = None
        if cfg.bigram_hash:
            self.bigram = nn.Embedding(cfg.bigram_hash, cfg.d_model)
            nn.init.zeros_(self.bigram.weight)
        self.smear = nn.Parameter(torch.zeros(cfg.d_model)) if cfg.smear else None

    def embed(self, x: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """x, prev [..., T] ids -> input embeddings [..., T, D]: the token's, the bigram row, the smeared previous one."""
        h = self.tok(x)
        if self.bigram is not None:
            h = h + self.bigram_rows(x, prev)
        if self.smear is not None:
            h = h + self.smear * self.tok(prev)
        return h

    def bigram_rows(self, x: torch.Tensor, prev: torch.Tensor) -> torch.Tensor:
        """x, prev [..., T] ids (prev = the token before each) -> the bigram table's rows [..., T, D]."""
        return self.bigram(bigram_ids(prev, x, self.cfg.bigram_hash))

    def previous(self, x: torch.Tensor) -> torch.Tensor:
        """x [B, N] -> the token before each [B, N] (end-of-text before the first)."""
        return F.pad(x[:, :-1], (1, 0), value=self.cfg.special.get('endoftext', 0))

    def logits(self, h: torch.Tensor) -> torch.Tensor:
        w = self.tok.weight if self.head is None else self.head
        out = self.ln_f(h) @ w.t()                              # [..., V]
        if self.cfg.softcap > 0:
            out = self.cfg.softcap * torch.tanh(out / self.cfg.softcap)
        return out

    # ---- dense training: x [B, N] ids -> logits [B, N, V]
    def forward_dense(self, x: torch.Tensor) -> torch.Tensor:
        B, N = x.shape
        pos = torch.arange(N, device=x.device).expand(B, N)
        mask = torch.ones(N, N, dtype=torch.bool, device=x.device).tril()
        h = self.embed(x, self.previous(x))                    # [B, N, D]
        for blk in self.blocks:
            q, k, v = blk.qkv_heads(h)
            q, k = rotary(q, pos, self.cfg.rope_base), rotary(k, pos, self.cfg.rope_base)
            h = blk.finish(h, attend(q, k, v, mask))
        return self.logits(h)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_dense(x)

    # ---- one generation step
    def step(self, input_ids, inputs_embeds, position_ids, pka, pva, pkb, pvb, num_logits, bias=None):
        """The reference runner's layout: past blocks [B, P, Ly, H, hd] -> step_heads()."""
        Ly, H = self.cfg.n_layers, self.cfg.n_heads
        per_head = lambda t: [t[:, :, l, h] for l in range(Ly) for h in range(H)]   # Ly*H x [B, P, hd]
        return self.step_heads(input_ids, inputs_embeds, position_ids, num_logits,
                               per_head(pka), per_head(pva), per_head(pkb), per_head(pvb), bias)

    def step_heads(self, input_ids, inputs_embeds, position_ids, num_logits, ka, va, kb, vb, bias=None):
        """What the ONNX decoder graph is (models/CONTRACT.md, format 2).
        input_ids [B, T] (-1 = take inputs_embeds), inputs_embeds [B, T, D], position_ids [B, T];
        ka, va, kb, vb: Ly*H tensors [B, P, hd] each (index l*H + h), one per layer and head, so
        the runtime passes views of its buffers and nothing slices, transposes or concatenates the
        cache. bias (the window layout's graph only): [T, Pa + Pb + T] added to every head's scores
        (0 or -inf: which entries, window rows and new inputs each input sees) in place of the causal
        mask over the new inputs. Returns logits [B, nl, V] and new keys/values [B, T, Ly, H, hd]."""
        B, T = input_ids.shape                                                 # read once (graph nodes)
        H, hd = self.cfg.n_heads, self.cfg.head_dim
        tok = self.tok(input_ids.clamp(min=0))
        h = torch.where((input_ids >= 0).unsqueeze(-1), tok, inputs_embeds)
        # built once a step and shared by every layer and head (each op is a graph node the runtime
        # dispatches on every decode step): rotary tables, the causal mask as 0 / -inf, past lengths
        cos, sin = rope_tables(position_ids, hd, self.cfg.rope_base)          # [B, T, 1, hd/2]
        causal = torch.zeros(T, T, device=h.device).masked_fill(
            ~torch.ones(T, T, dtype=torch.bool, device=h.device).tril(), float('-inf'))  # [T, T]
        Pa, Pb = ka[0].shape[1], kb[0].shape[1]
        if bias is not None:
            bias_a, bias_b, causal = bias[:, :Pa], bias[:, Pa:Pa + Pb], bias[:, Pa + Pb:]    # [T, Pa], [T, Pb], [T, T]
        scale = 1.0 / math.sqrt(hd)
        new_k, new_v = [], []
        for l, blk in enumerate(self.blocks):
            q, k, v = blk.qkv_step(h, (B, T))                                  # [B, T, H, hd] x2, [B, T, D]
            q = rotate(q, cos, sin, hd // 2) * scale
            k = rotate(k, cos, sin, hd // 2)
            qs = q.reshape(B, T, H * hd).split(hd, dim=-1)                     # H x [B, T, hd]
            ks = k.reshape(B, T, H * hd).split(hd, dim=-1)
            heads = []
            for j, (qj, kj, vj) in enumerate(zip(qs, ks, v.split(hd, dim=-1))):
                i = l * H + j
                sa, sb = qj @ ka[i].transpose(1, 2), qj @ kb[i].transpose(1, 2)
                if bias is not None:
                    sa, sb = sa + bias_a, sb + bias_b
                s = torch.cat([sa, sb, qj @ kj.transpose(1, 2) + causal], dim=-1)  # [B, T, Pa+Pb+T]
                pa, pb, pj = s.softmax(-1).split([Pa, Pb, T], dim=-1)
                heads.append(pa @ va[i] + pb @ vb[i] + pj @ vj)                # [B, T, hd]
            h = blk.mlp(h + blk.proj(torch.cat(heads, dim=-1)))                # heads side by side: [B, T, D]
            new_k.append(k)
            new_v.append(v.reshape(B, T, H, hd))
        start = h.shape[1] - num_logits[0]
        return self.logits(h[:, start:]), torch.stack(new_k, dim=2), torch.stack(new_v, dim=2)


class Compressor(nn.Module):
    """f(chunk ids [B, C], C) -> [B, D]. Depends only on the ids and C (position-free)."""

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        dc = cfg.comp_dim
        self.tok = nn.Embedding(cfg.vocab_size, dc)
        self.size_ind = nn.Embedding(cfg.max_chunk + 1, cfg.d_model)   # indexed by C itself
        self.proj = nn.Parameter(torch.randn(cfg.max_chunk * dc, cfg.d_model) * (0.02 / math.sqrt(8)))
        self.ln = nn.LayerNorm(cfg.d_model)
        self.layers = None
        if cfg.compressor == 'transformer':
            self.pos = nn.Embedding(cfg.max_chunk, dc)
            self.ind_tok = nn.Embedding(cfg.max_chunk + 1, dc)
            self.layers = nn.ModuleList(Block(dc, cfg.comp_heads, 4) for _ in range(cfg.comp_layers))
        nn.init.normal_(self.tok.weight, std=0.02)
        nn.init.zeros_(self.size_ind.weight)
        self.smear = nn.Parameter(torch.zeros(dc)) if cfg.smear else None

    def forward(self, ids: torch.Tensor, prev: torch.Tensor | None = None) -> torch.Tensor:
        """ids [B, C]; prev [B, C] the token before each (smear only; its first is the last of the chunk before)."""
        B, C = ids.shape
        e = self.tok(ids)                                       # [B, C, dc]
        if self.smear is not None and prev is not None:
            e = e + self.smear * self.tok(prev)
        c_idx = torch.ones(1, dtype=torch.long, device=ids.device) * C   # traced as Shape when exporting
        if self.layers is not None:
            e = e + self.pos.weight[:C]
            e = torch.cat([self.ind_tok(c_idx).expand(B, 1, -1), e], dim=1)   # [B, 1 + C, dc]
            full = torch.ones(C + 1, C + 1, dtype=torch.bool, device=ids.device)  # bidirectional
            for blk in self.layers:
                q, k, v = blk.qkv_heads(e)
                e = blk.finish(e, attend(q, k, v, full))
            e = e[:, 1:]                                        # drop the indicator: [B, C, dc]
        flat = e.reshape(B, C * self.cfg.comp_dim)              # [B, C * dc]
        return self.ln(flat @ self.proj[: C * self.cfg.comp_dim] + self.size_ind(c_idx))


class CAT(nn.Module):
    def __init__(self, cfg: ModelConfig):
        super().__init__()
        self.cfg = cfg
        self.decoder = Decoder(cfg)
        self.compressor = Compressor(cfg)

    def forward(self, x: torch.Tensor, C: int) -> torch.Tensor:
        return self.forward_window(x, C) if self.cfg.window else self.forward_train(x, C)

    def entries(self, x: torch.Tensor, C: int) -> torch.Tensor:
        """x [B, N] -> entries [B, n, D]: the start vector of C, then f(chunk 0) .. f(chunk n-2)."""
        cfg, dec = self.cfg, self.decoder
        B, N = x.shape
        n = N // C
        start = dec.tok.weight[cfg.special[f'start_{C}']].expand(B, 1, cfg.d_model)
        if n == 1:
            return start
        chunks = x.view(B, n, C)
        prev_c = dec.previous(x).view(B, n, C)[:, :-1].reshape(B * (n - 1), C) if cfg.smear else None
        comp = self.compressor(chunks[:, :-1].reshape(B * (n - 1), C), prev_c).view(B, n - 1, cfg.d_model)
        return torch.cat([start, comp], dim=1)

    def forward_window(self, x: torch.Tensor, C: int) -> torch.Tensor:
        """x [B, N] (N % C == 0) -> logits [B, n, C, V], like forward_train. The decoder input is the stream
        [chunk] + x[:-1] (input t predicts x[t]) at positions 0..N-1; input t sees inputs t-W+1..t and the
        entries j <= t // C (entry j, summing up x[(j-1)C : jC], at position jC). The window is computed in
        blocks of W inputs, each against itself and the block before: O(N * (2W + n)) per layer."""
        cfg, dec = self.cfg, self.decoder
        B, N = x.shape
        n, W, dev = N // C, cfg.window, x.device
        nb = -(-N // W)                                          # blocks of W inputs (the last padded)
        P = nb * W
        he = self.entries(x, C)                                 # [B, n, D]
        inp = torch.cat([torch.full((B, 1), cfg.special['chunk'], dtype=x.dtype, device=dev), x[:, :-1]], dim=1)
        ht = dec.embed(inp, dec.previous(inp))                  # [B, N, D]
        t = torch.arange(P, device=dev)
        pos_t, pos_e = t[:N].expand(B, N), (torch.arange(n, device=dev) * C).expand(B, n)
        mask_ee = torch.ones(n, n, dtype=torch.bool, device=dev).tril()          # [n, n]
        mask_te = (torch.arange(n, device=dev)[None, :] <= (t // C)[:, None]).view(nb, W, n)   # [nb, W, n]
        i, k = torch.arange(W, device=dev)[:, None], torch.arange(2 * W, device=dev)[None, :]
        mask_l = ((k > i) & (k <= i + W)).expand(nb, W, 2 * W).clone()          # key k of [block before | block]
        mask_l[0, :, :W] = False                                # nothing before the first block
        scale = 1.0 / math.sqrt(cfg.head_dim)
        pad = lambda a: F.pad(a, (0, 0, 0, 0, 0, P - N)).view(B, nb, W, *a.shape[2:])         # [B, N, H, hd] -> [B, nb, W, H, hd]
        pair = lambda a: torch.cat([F.pad(a[:, :-1], (0, 0, 0, 0, 0, 0, 1, 0)), a], dim=2)     # [B, nb, 2W, H, hd]
        for blk in dec.blocks:
            qe, ke, ve = blk.qkv_heads(he)                      # [B, n, H, hd]
            qt, kt, vt = blk.qkv_heads(ht)                      # [B, N, H, hd]
            qe, ke = rotary(qe, pos_e, cfg.rope_base), rotary(ke, pos_e, cfg.rope_base)
            qt, kt = rotary(qt, pos_t, cfg.rope_base), rotary(kt, pos_t, cfg.rope_base)
            ae = attend(qe, ke, ve, mask_ee)
            qb, kk, vv = pad(qt), pair(pad(kt)), pair(pad(vt))
            s_e = torch.einsum('bnqhd,bjhd->bhnqj', qb, ke) * scale             # [B, H, nb, W, n]
            s_l = torch.einsum('bnqhd,bnkhd->bhnqk', qb, kk) * scale            # [B, H, nb, W, 2W]
            s_e = s_e.masked_fill(~mask_te, float('-inf'))
            s_l = s_l.masked_fill(~mask_l, float('-inf'))
            p = torch.cat([s_e, s_l], dim=-1).softmax(-1)                        # [B, H, nb, W, n + 2W]
            at = torch.einsum('bhnqj,bjhd->bnqhd', p[..., :n], ve) + \
                torch.einsum('bhnqk,bnkhd->bnqhd', p[..., n:], vv)               # [B, nb, W, H, hd]
            he, ht = blk.finish(he, ae), blk.finish(ht, at.reshape(B, P, *at.shape[3:])[:, :N])
        return dec.logits(ht).view(B, n, C, -1)                 # [B, n, C, V]

    def forward_train(self, x: torch.Tensor, C: int) -> torch.Tensor:
        """x [B, N] (N % C == 0) -> logits [B, n, C, V]; logits[:, i, o] predicts x[:, i*C + o].
        Cost O(N * (n + C)) per layer: each segment sees the entries (n) and itself (C + 1)."""
        cfg, dec = self.cfg, self.decoder
        B, N = x.shape
        n, L = N // C, C + 1
        chunks = x.view(B, n, C)                                # [B, n, C]
        he = self.entries(x, C)                                 # [B, n, D]
        sep = torch.full((B, n, 1), cfg.special['chunk'], dtype=x.dtype, device=x.device)
        prev = dec.previous(x).view(B, n, C)                    # the token before each [B, n, C]
        hs = torch.cat([dec.tok(sep), dec.embed(chunks, prev)], dim=2)   # segments [B, n, L, D]; separators plain
        dev = x.device
        pos_e = torch.arange(n, device=dev).expand(B, n)                         # [B, n]
        pos_s = (torch.arange(n, device=dev)[:, None] + 1 + torch.arange(L, device=dev)[None, :]).expand(B, n, L)
        mask_ee = torch.ones(n, n, dtype=torch.bool, device=dev).tril()          # entry j sees <= j
        mask_se = mask_ee.view(n, 1, n)                                           # segment i sees entries <= i
        mask_ss = torch.ones(L, L, dtype=torch.bool, device=dev).tril()
        scale = 1.0 / math.sqrt(cfg.head_dim)
        for blk in dec.blocks:
            qe, ke, ve = blk.qkv_heads(he)                      # [B, n, H, hd]
            qs, ks, vs = blk.qkv_heads(hs)                      # [B, n, L, H, hd]
            qe, ke = rotary(qe, pos_e, cfg.rope_base), rotary(ke, pos_e, cfg.rope_base)
            qs, ks = rotary(qs, pos_s, cfg.rope_base), rotary(ks, pos_s, cfg.rope_base)
            ae = attend(qe, ke, ve, mask_ee)
            s_e = torch.einsum('bilhd,bjhd->bhilj', qs, ke) * scale             # [B, H, n, L, n]
            s_s = torch.einsum('bilhd,bimhd->bhilm', qs, ks) * scale            # [B, H, n, L, L]
            s_e = s_e.masked_fill(~mask_se.view(1, 1, n, 1, n), float('-inf'))
            s_s = s_s.masked_fill(~mask_ss.view(1, 1, 1, L, L), float('-inf'))
            p = torch.cat([s_e, s_s], dim=-1).softmax(-1)                        # [B, H, n, L, n + L]
            a_s = torch.einsum('bhilj,bjhd->bilhd', p[..., :n], ve) + \
                torch.einsum('bhilm,bimhd->bilhd', p[..., n:], vs)               # [B, n, L, H, hd]
            he, hs = blk.finish(he, ae), blk.finish(hs, a_s)
        return dec.logits(hs[:, :, :C])                         # [B, n, C, V]


def build(cfg: ModelConfig) -> nn.Module:
    return CAT(cfg) if cfg.kind == 'cat' else Decoder(cfg)


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
