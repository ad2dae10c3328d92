"""Block mask, parallel forward == cached step-by-step generation, position-free compression."""
import math

import pytest
import torch

from models.pipeline.model import CAT, Decoder, rotary
from models.pipeline.reference import CatRunner, DenseRunner, generate

from conftest import tiny_cfg


def block_mask(n: int, C: int) -> torch.Tensor:
    """The design note's mask over [entries (n) | segments (n * (C + 1))], True = visible."""
    L = C + 1
    S = n + n * L
    m = torch.zeros(S, S, dtype=torch.bool)
    for j in range(n):                       # entry j sees entries <= j
        m[j, : j + 1] = True
    for i in range(n):
        for o in range(L):
            r = n + i * L + o
            m[r, : i + 1] = True            # entries <= i
            m[r, n + i * L: r + 1] = True    # own segment, causal
    return m


def dense_masked_forward(model: CAT, x: torch.Tensor, C: int) -> torch.Tensor:
    """Reference: the interleaved sequence with an explicit S x S block mask (O(N^2))."""
    cfg, dec = model.cfg, model.decoder
    B, N = x.shape
    n, L = N // C, C + 1
    chunks = x.view(B, n, C)
    start = dec.tok.weight[cfg.special[f'start_{C}']].expand(B, 1, -1)
    comp = model.compressor(chunks[:, :-1].reshape(-1, C)).view(B, n - 1, -1)
    sep = torch.full((B, n, 1), cfg.special['chunk'])
    h = torch.cat([start, comp, dec.tok(torch.cat([sep, chunks], 2)).view(B, n * L, -1)], 1)
    pos = torch.cat([torch.arange(n), (torch.arange(n)[:, None] + 1 + torch.arange(L)[None]).reshape(-1)])
    pos = pos.expand(B, -1)
    mask = block_mask(n, C)
    for blk in dec.blocks:
        q, k, v = blk.qkv_heads(h)
        q, k = rotary(q, pos, cfg.rope_base), rotary(k, pos, cfg.rope_base)
        s = torch.einsum('bthd,bshd->bhts', q, k) / math.sqrt(cfg.head_dim)
        p = s.masked_fill(~mask, float('-inf')).softmax(-1)
        h = blk.finish(h, torch.einsum('bhts,bshd->bthd', p, v))
    seg = h[:, n:].view(B, n, L, -1)[:, :, :C]
    return dec.logits(seg)


def test_block_mask_shape_rules():
    m = block_mask(3, 2)
    assert m[0].tolist()[:3] == [True, False, False]          # entry 0 sees only itself
    r = 3 + 1 * 3                                              # segment 1, separator
    assert m[r, :3].tolist() == [True, True, False]            # entries 0..1, not 2
    assert not m[r, 3:6].any()                                 # not segment 0's tokens
    assert m[r + 2, r:r + 3].tolist() == [True, True, True]


@pytest.mark.parametrize('compressor', ['linear', 'transformer'])
@pytest.mark.parametrize('C', [4, 8])
def test_efficient_forward_equals_block_masked_reference(tok, compressor, C):
    torch.manual_seed(0)
    m = CAT(tiny_cfg(tok, compressor=compressor)).eval()
    x = torch.randint(20, tok.vocab_size, (2, 4 * C))
    with torch.no_grad():
        a = m.forward_train(x, C)
        b = dense_masked_forward(m, x, C)
    assert (a - b).abs().max().item() < 1e-4


@pytest.mark.parametrize('compressor', ['linear', 'transformer'])
@pytest.mark.parametrize('C', [4, 8, 16])
def test_parallel_forward_equals_incremental(tok, compressor, C):
    torch.manual_seed(1)
    m = CAT(tiny_cfg(tok, compressor=compressor)).eval()
    ids = torch.randint(20, tok.vocab_size, (1, 3 * C))        # crosses two chunk boundaries
    with torch.no_grad():
        par = m.forward_train(ids, C).reshape(-1, tok.vocab_size)
        inc = CatRunner(m, C).score(ids[0].tolist())
    assert (par - inc).abs().max().item() < 1e-4


def test_prefill_then_decode_equals_token_by_token(tok):
    torch.manual_seed(2)
    m = CAT(tiny_cfg(tok)).eval()
    ids = torch.randint(20, tok.vocab_size, (21,)).tolist()
    r = CatRunner(m, 4)
    with torch.no_grad():
        full = r.score(ids + [0])                              # logits after each prefix
        st, last = r.prefill(ids)                               # batched compressor + entries
    assert (full[-1] - last).abs().max().item() < 1e-4
    with torch.no_grad():
        g1 = generate(r, ids, 10)
    assert len(g1) == 10


def test_dense_parallel_equals_incremental(tok):
    torch.manual_seed(3)
    d = Decoder(tiny_cfg(tok, kind='dense')).eval()
    ids = torch.randint(20, tok.vocab_size, (1, 30))
    with torch.no_grad():
        par = d.forward_dense(ids)[0, :-1]
        inc = DenseRunner(d).score(ids[0].tolist())
    assert (par - inc).abs().max().item() < 1e-4


@pytest.mark.parametrize('compressor', ['linear', 'transformer'])
def test_compression_is_position_free(tok, compressor):
    """The same chunk at two offsets (and in two documents) gives the same vector."""
    torch.manual_seed(4)
    m = CAT(tiny_cfg(tok, compressor=compressor)).eval()
    C = 8
    chunk = torch.randint(20, tok.vocab_size, (C,))
    doc_a = torch.cat([torch.randint(20, tok.vocab_size, (2 * C,)), chunk])       # chunk index 2
    doc_b = torch.cat([torch.randint(20, tok.vocab_size, (5 * C,)), chunk])       # chunk index 5
    with torch.no_grad():
        va = m.compressor(doc_a.view(-1, C))[2]
        vb = m.compressor(doc_b.view(-1, C))[5]
        vc = m.compressor(chunk.view(1, C))[0]
    assert torch.equal(va, vb) or (va - vb).abs().max().item() < 1e-6
    assert (va - vc).abs().max().item() < 1e-6
    with torch.no_grad():
        other = m.compressor(chunk.view(1, 4, 2).reshape(2, 4))                    # other chunk size
    assert other.shape == (2, 32)
