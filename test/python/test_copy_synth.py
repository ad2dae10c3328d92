"""copy_synth rows: each scored token repeats the token after an earlier copy of its predecessor; the
masked loss is computed on the same positions for CAT and dense; a short run trains and logs."""
import argparse

import torch

from models.pipeline.copy_synth import FIRST, arm_config, masked_loss, rows, train_arm
from models.pipeline.model import build


def test_rows_write_each_span_twice_and_mask_the_second_copy():
    g = torch.Generator().manual_seed(0)
    x, mask = rows(6, 128, 2, 12, 256, g)
    assert x.shape == mask.shape == (6, 128)
    assert int(x.min()) >= FIRST and int(x.max()) < 256
    assert mask.sum(dim=1).tolist() == [2 * 11] * 6, '11 scored tokens a span'
    assert not mask[:, :64].any(), 'first copies are in the first half'
    for row, m in zip(x.tolist(), mask.tolist()):
        for i, scored in enumerate(m):
            if scored:
                earlier = [j for j in range(i - 1) if row[j] == row[i - 1] and row[j + 1] == row[i]]
                assert earlier, f'position {i} has an earlier copy of its bigram'


def test_arm_specs_and_the_loss_on_both_kinds():
    cat, C, s0 = arm_config('kind=cat,C=8,qk_norm=0,d_model=32,n_heads=2', 256)
    assert (cat.kind, C, cat.qk_norm, cat.d_model, s0) == ('cat', 8, False, 32, 0.0)
    dense, C0, s1 = arm_config('kind=dense,d_model=32,smear=1,smear_init=0.5', 256)
    assert (dense.kind, C0, dense.qk_norm, dense.smear, s1) == ('dense', 0, True, True, 0.5)
    x, m = rows(2, 64, 1, 12, 256, torch.Generator().manual_seed(1))
    for cfg, c in ((cat, C), (dense, C0)):
        loss, acc = masked_loss(build(cfg), cfg, c, x, m)
        assert torch.isfinite(loss) and 0 <= float(acc) <= 1
        assert abs(float(loss) - torch.log(torch.tensor(256.0))) < 1.0, 'an untrained model is near uniform'


def test_a_short_run_logs_its_curve():
    a = argparse.Namespace(seed=0, vocab=64, lr=3e-3, seq=64, spans=1, span_len=12, batch=4, steps=4, every=2)
    out = train_arm('t', 'kind=cat,C=4,d_model=32,n_heads=2,comp_dim=8', a)
    assert [p['step'] for p in out['curve']] == [2, 4] and out['C'] == 4 and out['parameters'] > 0
    smeared = train_arm('s', 'kind=cat,C=4,d_model=32,n_heads=2,comp_dim=8,smear=1,smear_init=0.5', a)
    assert smeared['parameters'] == out['parameters'] + 32 + 8    # one share per channel, decoder and compressor
