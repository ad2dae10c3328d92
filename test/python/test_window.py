"""The sliding-window decoder (ModelConfig.window): causal, raw tokens reach only as far as the window
lets them, and farther text arrives through the entries of complete chunks."""
import pytest
import torch

from models.pipeline.model import build

from conftest import tiny_cfg

W, LAYERS, N = 8, 2, 64


def moved(m, x: torch.Tensor, C: int, t: int) -> torch.Tensor:
    """Positions (of the N predicted tokens) whose logits change when token t changes."""
    y = x.clone()
    y[:, t] = (x[:, t] + 1 - 20) % 200 + 20
    with torch.no_grad():
        d = (m(x, C) - m(y, C)).abs().reshape(x.shape[0], N, -1).amax((0, 2))
    return torch.nonzero(d > 1e-6).flatten()


@pytest.mark.parametrize('C', [4, 8, 16])
def test_window_is_causal_and_reaches_far_only_through_entries(tok, C):
    torch.manual_seed(0)
    m = build(tiny_cfg(tok, window=W)).eval()
    x = torch.randint(20, 220, (2, N))
    t = 13
    hit = moved(m, x, C, t)
    assert hit.min() == t + 1, 'nothing at or before the changed token moves'
    far = t + 1 + LAYERS * (W - 1)                             # farthest input the raw path reaches
    assert hit.max() > far, 'the entry of the chunk holding token t carries it past the window'
    with torch.no_grad():
        m.compressor.proj.zero_()                              # every entry the same: only the raw path is left
    hit = moved(m, x, C, t)
    assert hit.min() == t + 1 and hit.max() == far


def test_window_keeps_the_trainers_shapes(tok):
    m = build(tiny_cfg(tok, window=W)).eval()
    x = torch.randint(20, 220, (3, 32))
    with torch.no_grad():
        assert m(x, 8).shape == (3, 4, 8, tok.vocab_size)
        assert m(x[:, :8], 8).shape == (3, 1, 8, tok.vocab_size)   # one chunk: the start entry only


@pytest.mark.parametrize('C', [4, 8])
def test_window_parallel_forward_equals_generation_step_by_step(tok, C):
    from models.pipeline.reference import WindowRunner
    torch.manual_seed(1)
    m = build(tiny_cfg(tok, window=W)).eval()
    ids = torch.randint(20, tok.vocab_size, (1, 5 * C))        # past the window, across chunk boundaries
    with torch.no_grad():
        par = m(ids, C).reshape(-1, tok.vocab_size)
        r = WindowRunner(m, C)
        inc = r.score(ids[0].tolist())
        st, last = r.prefill(ids[0, :-1].tolist())
    assert (par - inc).abs().max().item() < 1e-4
    assert (par[-1] - last).abs().max().item() < 1e-4


@pytest.mark.parametrize('window,length', [(12, 40), (24, 40), (64, 40), (5, 40)])
def test_window_blocks_need_not_divide_the_sequence(tok, window, length):
    """The parallel forward computes the window in blocks of W (each against itself and the block before);
    a last block padded past the sequence, or a window longer than it, gives what generation gives."""
    from models.pipeline.reference import WindowRunner
    torch.manual_seed(2)
    m = build(tiny_cfg(tok, window=window)).eval()
    ids = torch.randint(20, tok.vocab_size, (1, length))
    with torch.no_grad():
        par = m(ids, 4).reshape(-1, tok.vocab_size)
        inc = WindowRunner(m, 4).score(ids[0].tolist())
    assert (par - inc).abs().max().item() < 1e-4
