"""Compressor growth (grow.py) keeps the parent's outputs exactly, and the new weights learn."""
import pytest
import torch

from models.pipeline.grow import grow, parse
from models.pipeline.model import build

from conftest import tiny_cfg


def trained_like(cfg):
    """A model whose zero-initialised weights are not zero (as after training)."""
    torch.manual_seed(1)
    m = build(cfg)
    with torch.no_grad():
        for p in m.parameters():
            p.add_(torch.randn_like(p) * 0.05)
    return m.eval()


@pytest.mark.parametrize('spec', ['comp_dim=20', 'comp_layers=2', 'comp_dim=16,comp_layers=1'])
def test_grown_model_starts_with_the_parents_outputs(tok, spec):
    cfg = tiny_cfg(tok, relu2=True, qk_norm=True, zero_init=True, untied=True, softcap=30.0)
    parent = trained_like(cfg)
    sd, new_cfg = grow(parent.state_dict(), cfg, **parse(spec))
    child = build(new_cfg)
    child.load_state_dict(sd)
    child.eval()
    assert sum(p.numel() for p in child.parameters()) > sum(p.numel() for p in parent.parameters())
    x = torch.randint(5, cfg.vocab_size, (2, 64))
    for C in cfg.chunk_sizes:
        with torch.no_grad():
            assert torch.allclose(child(x, C), parent(x, C), atol=1e-5), (spec, C)
    child.train()
    loss = torch.nn.functional.cross_entropy(child(x, 4).reshape(-1, cfg.vocab_size), x.reshape(-1))
    loss.backward()
    grads = {k: p.grad for k, p in child.named_parameters()}
    assert grads['compressor.proj'].abs().sum() > 0            # the rows that read the new width move
    if 'comp_layers' in spec:
        assert grads['compressor.layers.0.proj.weight'].abs().sum() > 0


def test_bad_specs_are_refused(tok):
    with pytest.raises(SystemExit):
        parse('comp_dim=wide')
    cfg = tiny_cfg(tok, compressor='transformer')
    with pytest.raises(ValueError):
        grow(build(cfg).state_dict(), cfg, comp_dim=32)
