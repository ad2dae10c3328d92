"""The hashed bigram table: zero-init changes nothing; a row moves only positions at or after its pair,
including a chunk's first token, whose previous token is the last of the chunk before."""
import pytest
import torch

from models.pipeline.model import bigram_ids, build

from conftest import tiny_cfg, with_and_without


@pytest.mark.parametrize('kind', ['cat', 'dense'])
def test_zero_table_is_the_plain_model_and_a_row_acts_causally(tok, kind):
    torch.manual_seed(0)
    with_table, plain, run_on = with_and_without(tok, kind, 'bigram', bigram_hash=97)
    x = torch.randint(20, tok.vocab_size, (2, 16))
    run = lambda m: run_on(m, x)  # noqa: E731
    with torch.no_grad():
        base = run(plain)
        assert torch.equal(run(with_table), base)
        t = 8                                                  # the first token of the third chunk at C=4
        row = int(bigram_ids(x[0, t - 1], x[0, t], 97))
        dec = with_table.decoder if kind == 'cat' else with_table
        dec.bigram.weight[row] = 1.0
        moved = (run(with_table) - base).abs().amax(-1)[0]     # [16]
    prev = dec.previous(x)[0]
    first = min(i for i in range(16) if int(bigram_ids(prev[i], x[0, i], 97)) == row)
    # CAT's logits[i] predict x[i] (an input first acts one position later); dense's predict x[i + 1]
    shift = 1 if kind == 'cat' else 0
    assert first <= t and moved[t + shift] > 0, 'the pair across the chunk boundary reads its row'
    assert (moved[:first + shift] == 0).all(), 'nothing before the first position with that row moves'


def test_grow_adds_a_zero_table_that_keeps_the_parents_outputs(tok):
    from models.pipeline.grow import grow, parse
    torch.manual_seed(1)
    cfg = tiny_cfg(tok)
    parent = build(cfg).eval()
    sd, new_cfg = grow(parent.state_dict(), cfg, **parse('bigram_hash=31'))
    child = build(new_cfg).eval()
    child.load_state_dict(sd)
    assert new_cfg.bigram_hash == 31 and child.decoder.bigram.weight.abs().sum() == 0
    x = torch.randint(20, tok.vocab_size, (2, 16))
    with torch.no_grad():
        assert torch.equal(child(x, 4), parent(x, 4))
