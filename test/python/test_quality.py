"""Held-out quality: the exporter measures bits/byte per chunk size when asked (--quality-from)."""
import json
import math
import os
import subprocess
import sys

import torch

from conftest import ROOT, tiny_cfg
from models.pipeline.model import build
from models.pipeline.quality import measure, sample_windows, token_bytes


def heldout(tmp_path):
    """A tiny split folder: two 'packages' of real source text."""
    d = tmp_path / 'heldout'
    for pkg, files in (('a', ('model.py', 'bpe.py')), ('b', ('train.py',))):
        (d / pkg).mkdir(parents=True)
        for f in files:
            (d / pkg / f).write_bytes((ROOT / 'models' / 'pipeline' / f).read_bytes())
    return d


def test_export_writes_quality_for_a_checkpoint(tok, tmp_path):
    torch.manual_seed(0)
    cfg = tiny_cfg(tok)
    model = build(cfg)
    ckpt = tmp_path / 'ckpt.pt'
    torch.save({'config': cfg.to_dict(), 'model': model.state_dict(),
                'state': {'tokens': 1, 'step': 1, 'elapsed': 1.0}}, ckpt)
    tok_file = ROOT / 'test' / 'fixtures' / 'tiny-cat' / 'tokenizer.json'
    out = tmp_path / 'exported'
    r = subprocess.run([sys.executable, '-m', 'models.pipeline.export', '--ckpt', str(ckpt), '--tokenizer', str(tok_file),
                        '--out', str(out), '--quality-from', str(heldout(tmp_path)), '--quality-windows', '4',
                        '--quality-tokens', '64'],
                       cwd=ROOT, capture_output=True, text=True, timeout=240, env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert r.returncode == 0, r.stderr
    q = json.loads((out / 'contract.json').read_text())['quality']
    assert {k: q[k] for k in ('split', 'windows', 'windowTokens', 'seed', 'tokens')} == \
        {'split': 'heldout', 'windows': 4, 'windowTokens': 64, 'seed': 0, 'tokens': 256}
    assert set(q['bitsPerByte']) == {'4', '8', '16'}
    assert all(math.isfinite(v) and v > 0 for v in q['bitsPerByte'].values())
    wins = sample_windows(tmp_path / 'heldout', tok, 4, 64)
    assert q['bytes'] == int(token_bytes(tok)[wins[:, 1:]].sum()) > 0
    # the numbers are the PyTorch model's (same weights, same sample), to the 4 decimals written
    again = measure(model, cfg, tok, tmp_path / 'heldout', 4, 64)
    assert again == q


def test_measure_is_deterministic_and_dense_has_one_number(tok, tmp_path):
    d = heldout(tmp_path)
    torch.manual_seed(1)
    cfg = tiny_cfg(tok, kind='dense', chunk_sizes=())
    model = build(cfg)
    a, b = measure(model, cfg, tok, d, 3, 32), measure(model, cfg, tok, d, 3, 32)
    assert a == b and list(a['bitsPerByte']) == ['dense']
    # a random-weight model is near uniform over the vocabulary: bits/token ~ log2(V)
    bits_per_token = a['bitsPerByte']['dense'] * a['bytes'] / a['tokens']
    assert 0.5 * math.log2(cfg.vocab_size) < bits_per_token < 1.5 * math.log2(cfg.vocab_size)
    seeds = {tuple(map(tuple, sample_windows(d, tok, 3, 32, seed=s).tolist())) for s in range(6)}
    assert len(seeds) > 1, 'the seed picks the files'


def test_compare_per_package_means_the_packages(tok, tmp_path):
    """compare --per-package: each package folder measured alone, and the mean is theirs."""
    from models.pipeline.compare import load, main as compare
    torch.manual_seed(0)
    cfg = tiny_cfg(tok)
    ckpt = tmp_path / 'ckpt.pt'
    torch.save({'config': cfg.to_dict(), 'model': build(cfg).state_dict(), 'state': {'tokens': 1, 'step': 1}}, ckpt)
    d = heldout(tmp_path)
    tok_file = ROOT / 'test' / 'fixtures' / 'tiny-cat' / 'tokenizer.json'
    out = compare(['--heldout', str(d), '--tokenizer', str(tok_file), '--windows', '2', '--tokens', '64', '--per-package', f'm={ckpt}'])
    run = out['runs']['m']
    assert sorted(run['byPackage']) == ['a', 'b']
    model, cfg, _ = load(ckpt)
    alone = measure(model, cfg, tok, d / 'b', 2, 64)['bitsPerByte']
    assert run['byPackage']['b'] == alone
    for C, v in run['packageMean'].items():
        assert math.isclose(v, (run['byPackage']['a'][C] + run['byPackage']['b'][C]) / 2, abs_tol=1e-4)
