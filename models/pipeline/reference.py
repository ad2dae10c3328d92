"""Step-by-step cached generation in PyTorch, exactly as the runtime drives the ONNX graphs
(models/CONTRACT.md). Used by the tests (parallel forward == incremental) and the exporter's
parity fixtures. Split as prefill / decode-one / generate.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import torch

from .model import CAT, Decoder


def _empty(dec: Decoder) -> torch.Tensor:
    c = dec.cfg
    return torch.zeros(1, 0, c.n_layers, c.n_heads, c.head_dim)      # [B=1, P=0, Ly, H, hd]


@dataclass
class State:
    """Mutable generation state: block a (entries, or all tokens for dense), block b (segment)."""
    ka: torch.Tensor
    va: torch.Tensor
    kb: torch.Tensor
    vb: torch.Tensor
    chunk: list = field(default_factory=list)   # token ids of the current segment (cat)
    entries: int = 0                            # entries in block a (cat) / tokens (dense)


def _run(dec: Decoder, st: State, ids, embeds, pos, into: str, num_logits: int = 1):
    """One decoder call; appends the new keys/values to block `into` ('a' or 'b')."""
    ids_t = torch.tensor([ids], dtype=torch.long)                  # [1, T]
    emb = embeds if embeds is not None else torch.zeros(1, len(ids), dec.cfg.d_model)
    logits, nk, nv = dec.step(ids_t, emb, torch.tensor([pos], dtype=torch.long),
                              st.ka, st.va, st.kb, st.vb, torch.tensor([num_logits]))
    if into == 'a':
        st.ka, st.va = torch.cat([st.ka, nk], 1), torch.cat([st.va, nv], 1)
    else:
        st.kb, st.vb = torch.cat([st.kb, nk], 1), torch.cat([st.vb, nv], 1)
    return logits[0]                                                # [num_logits, V]


class CatRunner:
    def __init__(self, model: CAT, C: int):
        self.m, self.C, self.dec = model, C, model.decoder
        self.sp = model.cfg.special

    def prefill(self, ids: list[int]) -> tuple[State, torch.Tensor]:
        """Compress complete chunks (one batched call), run the entries, then the partial segment.
        Returns the state and the logits predicting the next token."""
        C, dec = self.C, self.dec
        e = _empty(dec)
        st = State(e, e, e, e)
        full = len(ids) // C
        if full:
            chunks = torch.tensor(ids[: full * C], dtype=torch.long).view(full, C)
            vecs = self.m.compressor(chunks)                               # [full, D]
        entry_ids = [self.sp[f'start_{C}']] + [-1] * full
        embeds = torch.zeros(1, 1 + full, dec.cfg.d_model)
        if full:
            embeds[0, 1:] = vecs
        _run(dec, st, entry_ids, embeds, list(range(1 + full)), 'a')
        st.entries = 1 + full
        rest = ids[full * C:]
        st.chunk = list(rest)
        seg = [self.sp['chunk']] + rest
        pos = [st.entries + k for k in range(len(seg))]                # chunk sep at (i + 1)
        logits = _run(dec, st, seg, None, pos, 'b')
        return st, logits[-1]

    def decode_one(self, st: State, token: int) -> torch.Tensor:
        """Feed one token; compress the segment when it reaches C tokens."""
        C, dec = self.C, self.dec
        st.chunk.append(token)
        if len(st.chunk) < C:
            return _run(dec, st, [token], None, [st.entries + len(st.chunk)], 'b')[-1]
        vec = self.m.compressor(torch.tensor([st.chunk], dtype=torch.long))   # [1, D]
        st.kb, st.vb = _empty(dec), _empty(dec)
        _run(dec, st, [-1], vec.view(1, 1, -1), [st.entries], 'a')
        st.entries += 1
        st.chunk = []
        return _run(dec, st, [self.sp['chunk']], None, [st.entries], 'b')[-1]

    def score(self, ids: list[int]) -> torch.Tensor:
        """Logits predicting every token of ids, computed incrementally: [N, V]."""
        st, logits = self.prefill([])
        out = [logits]
        for t in ids[:-1]:
            out.append(self.decode_one(st, t))
        return torch.stack(out)


class WindowRunner:
    """Generation for the sliding-window decoder (ModelConfig.window): block a holds the entries (start,
    then one per complete chunk, at positions jC), block b the last W - 1 decoder inputs. Input t is
    [chunk] for t = 0, else token t - 1; it predicts token t and sees the entries j <= t // C. One input
    per decoder call, so block b is exactly the window; the entry of a chunk is added when its last
    token arrives, before that token is read as an input."""

    def __init__(self, model: CAT, C: int):
        self.m, self.C, self.dec = model, C, model.decoder
        self.sp, self.W = model.cfg.special, model.cfg.window

    def _entry(self, st: State, ids: list[int] | None) -> None:
        emb = self.m.compressor(torch.tensor([ids], dtype=torch.long)).view(1, 1, -1) if ids else None
        kb, vb = st.kb, st.vb                                           # entries see entries only
        st.kb, st.vb = kb[:, :0], vb[:, :0]
        _run(self.dec, st, [-1] if ids else [self.sp[f'start_{self.C}']], emb, [st.entries * self.C], 'a')
        st.kb, st.vb = kb, vb
        st.entries += 1

    def _input(self, st: State, token: int, t: int) -> torch.Tensor:
        logits = _run(self.dec, st, [token], None, [t], 'b')
        drop = max(0, st.kb.shape[1] - (self.W - 1))                   # keep the window the next input sees
        st.kb, st.vb = st.kb[:, drop:], st.vb[:, drop:]
        return logits[-1]

    def prefill(self, ids: list[int]) -> tuple[State, torch.Tensor]:
        e = _empty(self.dec)
        st = State(e, e, e, e)
        self._entry(st, None)
        logits = self._input(st, self.sp['chunk'], 0)
        st.chunk = []
        for t, tok in enumerate(ids, start=1):
            logits = self._feed(st, tok, t)
        return st, logits

    def _feed(self, st: State, token: int, t: int) -> torch.Tensor:
        st.chunk.append(token)
        if len(st.chunk) == self.C:                                     # token t-1 ends a chunk: its entry first
            self._entry(st, st.chunk)
            st.chunk = []
        return self._input(st, token, t)

    def decode_one(self, st: State, token: int) -> torch.Tensor:
        t = (st.entries - 1) * self.C + len(st.chunk) + 1              # the input this token becomes
        return self._feed(st, token, t)

    def score(self, ids: list[int]) -> torch.Tensor:
        st, logits = self.prefill([])
        out = [logits]
        for t in ids[:-1]:
            out.append(self.decode_one(st, t))
        return torch.stack(out)


class DenseRunner:
    def __init__(self, model: Decoder):
        self.dec = model

    def prefill(self, ids: list[int]) -> tuple[State, torch.Tensor]:
        e = _empty(self.dec)
        st = State(e, e, e, e)
        logits = _run(self.dec, st, ids, None, list(range(len(ids))), 'a')
        st.entries = len(ids)
        return st, logits[-1]

    def decode_one(self, st: State, token: int) -> torch.Tensor:
        logits = _run(self.dec, st, [token], None, [st.entries], 'a')
        st.entries += 1
        return logits[-1]

    def score(self, ids: list[int]) -> torch.Tensor:
        st, logits = self.prefill(ids[:1])
        out = [logits]
        for t in ids[1:-1]:
            out.append(self.decode_one(st, t))
        return torch.stack(out)                                        # predicts ids[1:]


@torch.no_grad()
def generate(runner, ids: list[int], max_new: int, stop: int | None = None) -> list[int]:
    """Greedy generation: prefill, then decode-one until max_new or the stop token."""
    st, logits = runner.prefill(ids)
    out = []
    for _ in range(max_new):
        t = int(logits.argmax())
        if t == stop:
            break
        out.append(t)
        logits = runner.decode_one(st, t)
    return out
