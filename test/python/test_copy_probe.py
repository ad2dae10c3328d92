"""copy_probe scores only the pasted tokens past each span's second, and they repeat earlier text."""
import numpy as np
import torch
import torch.nn.functional as F

from models.pipeline.copy_probe import score, windows
from models.pipeline.model import build

from conftest import tiny_cfg


def test_the_mask_covers_pasted_tokens_that_were_written_before():
    val = np.arange(5000, dtype=np.uint16)                      # distinct tokens: a repeat is a paste
    x, mask = windows(val, 4, 128, 0, 3, 10, 20)
    assert x.shape == mask.shape == (4, 128) and mask.any(dim=1).all()
    for row, m in zip(x.tolist(), mask.tolist()):
        for i, scored in enumerate(m):
            if scored:
                assert row[i] in row[:i] and row[i - 1] in row[:i - 1], 'a scored token and the one before it repeat'
    again, _ = windows(val, 4, 128, 0, 3, 10, 20)
    assert torch.equal(x, again), 'deterministic'


def test_score_splits_the_loss_by_the_mask(tok):
    torch.manual_seed(0)
    cfg = tiny_cfg(tok)
    model = build(cfg).eval()
    val = np.random.default_rng(0).integers(0, cfg.vocab_size, 3000).astype(np.uint16)
    x, mask = windows(val, 2, 128, 1, 2, 10, 12)
    out = score(model, cfg, x, mask, 8)
    with torch.no_grad():
        nll = F.cross_entropy(model(x, 8).reshape(-1, cfg.vocab_size).float(), x.reshape(-1), reduction='none').reshape(x.shape)
    assert abs(out['pastedNats'] - float(nll[mask].mean())) < 1e-3 and abs(out['plainNats'] - float(nll[~mask].mean())) < 1e-3
    assert 0 <= out['pastedAccuracy'] <= 1


def test_repeat_probe_rows_repeat_and_a_tiny_model_learns_to_copy(tok, tmp_path):
    """[A][A] rows; a few steps on them lower a tiny CAT's second-half loss, and the file is untouched."""
    from models.pipeline.repeat_probe import main, repeated
    data = np.random.default_rng(1).integers(0, 200, 20000).astype(np.uint16)
    x = repeated(data, [0, 500], 32)
    assert x.shape == (2, 64) and torch.equal(x[:, :32], x[:, 32:]) and x[1, 0] == data[500]
    torch.manual_seed(0)
    cfg = tiny_cfg(tok)
    ckpt = tmp_path / 'ckpt.pt'
    torch.save({'config': cfg.to_dict(), 'model': build(cfg).state_dict(), 'state': {'tokens': 1, 'step': 1}}, ckpt)
    before = ckpt.read_bytes()
    (tmp_path / 'd.bin').write_bytes(data.tobytes())
    out = main(['--ckpt', str(ckpt), '--train', str(tmp_path / 'd.bin'), '--val', str(tmp_path / 'd.bin'), '--half', '32',
                '--steps', '60', '--every', '60', '--scale', '1.0', '--chunk-weights', '1,1,1', '--sizes', '4', '--threads', '1'])
    first, last = out['curve'][0]['C=4'], out['curve'][-1]['C=4']
    assert last['second'] < first['second'], 'training on repeats lowers the loss of the repeated half'
    assert ckpt.read_bytes() == before
