import os
import sys
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
torch.set_num_threads(int(os.environ.get('OMP_NUM_THREADS', '2')))

from models.pipeline.bpe import Tokenizer  # noqa: E402
from models.pipeline.model import ModelConfig  # noqa: E402

FIXTURES = ROOT / 'test' / 'fixtures'


@pytest.fixture(scope='session')
def tok() -> Tokenizer:
    return Tokenizer.load(FIXTURES / 'tiny-cat' / 'tokenizer.json')


def tiny_cfg(tok: Tokenizer, **kw) -> ModelConfig:
    base = dict(kind='cat', vocab_size=tok.vocab_size, d_model=32, n_layers=2, n_heads=2,
                chunk_sizes=(4, 8, 16), compressor='linear', comp_dim=8, special=tok.special_ids)
    base.update(kw)
    return ModelConfig(**base)


def with_and_without(tok: Tokenizer, kind: str, part: str, **kw):
    """A tiny model with an extra part (kw, e.g. bigram_hash=97) and the plain one holding the same weights
    (state dict minus the names containing `part`), plus run(model, x) -> logits [B, N, V] for either kind
    (CAT at C=4)."""
    import torch
    from models.pipeline.model import build
    extra = build(tiny_cfg(tok, kind=kind, **kw)).eval()
    plain = build(tiny_cfg(tok, kind=kind)).eval()
    plain.load_state_dict({k: v for k, v in extra.state_dict().items() if part not in k})
    run = (lambda m, x: m(x, 4).reshape(x.shape[0], x.shape[1], -1)) if kind == 'cat' else (lambda m, x: m(x))
    return extra, plain, run
