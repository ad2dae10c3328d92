"""The token shift (smear): a zero share is the plain model; a non-zero one stays causal, and a
chunk's first token reads the last token of the chunk before (decoder and compressor)."""
import pytest
import torch

from models.pipeline.model import build

from conftest import tiny_cfg, with_and_without


@pytest.mark.parametrize('kind', ['cat', 'dense'])
def test_zero_share_is_the_plain_model_and_a_share_acts_causally(tok, kind):
    torch.manual_seed(0)
    smeared, plain, run = with_and_without(tok, kind, 'smear', smear=True)
    x = torch.randint(20, tok.vocab_size, (2, 16))
    with torch.no_grad():
        base = run(plain, x)
        assert torch.equal(run(smeared, x), base)
        (smeared.decoder if kind == 'cat' else smeared).smear.fill_(0.5)
        if kind == 'cat':
            smeared.compressor.smear.fill_(0.5)
        y = x.clone()
        y[:, 7] = (x[:, 7] + 1 - 20) % (tok.vocab_size - 20) + 20   # the last token of the second chunk at C=4
        moved_x, moved_y = run(smeared, x), run(smeared, y)
    diff = (moved_x - moved_y).abs().amax(-1)[0]               # [16]
    shift = 1 if kind == 'cat' else 0                          # CAT's logits[i] predict x[i], dense's x[i + 1]
    assert (diff[:7 + shift] == 0).all(), 'nothing before the changed token moves'
    assert diff[8 + shift - 1:].max() > 0
    assert (moved_x - base).abs().max() > 0, 'a non-zero share changes the outputs'


def test_the_smeared_chunk_start_reads_the_previous_chunk(tok):
    """With the decoder's share off, a change to token 7 still reaches token 8's entry through the compressor."""
    torch.manual_seed(2)
    m = build(tiny_cfg(tok, kind='cat', smear=True)).eval()
    x = torch.randint(20, tok.vocab_size, (1, 16))
    y = x.clone()
    y[0, 7] = (x[0, 7] + 1 - 20) % (tok.vocab_size - 20) + 20
    with torch.no_grad():
        m.compressor.smear.fill_(1.0)
        e_x = m.compressor(x.view(4, 4), m.decoder.previous(x).view(4, 4))
        e_y = m.compressor(y.view(4, 4), m.decoder.previous(y).view(4, 4))
    moved = (e_x - e_y).abs().amax(-1)                         # [4] one per chunk
    assert moved[1] > 0 and moved[2] > 0, 'chunk 2 holds token 7 itself; chunk 3 holds it as its first token\'s previous'
    assert moved[0] == 0 and moved[3] == 0
