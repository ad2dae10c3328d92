"""Training runs (single process and torchrun DDP with gloo on CPU), resumes, and exports a contract."""
import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import FIXTURES, ROOT


@pytest.fixture(scope='module')
def data_dir(tmp_path_factory, tok):
    d = tmp_path_factory.mktemp('data')
    (d / 'tokenizer.json').write_bytes((FIXTURES / 'tiny-cat' / 'tokenizer.json').read_bytes())
    text = b''.join((ROOT / 'models' / 'pipeline' / f).read_bytes() for f in ('model.py', 'train.py', 'bpe.py'))
    ids = np.array([tok.special_ids['file']] + tok.encode(text), dtype=np.uint16)
    ids.tofile(d / 'train.bin')
    ids.tofile(d / 'val.bin')
    return d


def run_train(args, env_extra=None, module='models.pipeline.train', launcher=()):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHONPATH=str(ROOT))
    env.update(env_extra or {})
    return subprocess.run([sys.executable, *launcher, '-m', module, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=240)


def test_train_resume_and_export(data_dir, tmp_path):
    out = tmp_path / 'run'
    common = ['--kind', 'cat', '--preset', 'cat-tiny', '--data', str(data_dir), '--out', str(out),
              '--seq', '128', '--long-seq', '256', '--batch-tokens', '512', '--eval-every', '10']
    r = run_train(common + ['--tokens', '6000'])
    assert r.returncode == 0, r.stderr
    ck = torch.load(out / 'ckpt.pt')
    assert ck['config']['kind'] == 'cat' and ck['state']['tokens'] >= 6000
    first = ck['state']['step']
    r = run_train(common + ['--tokens', '12000'])                 # resumes from the checkpoint
    assert r.returncode == 0, r.stderr
    assert torch.load(out / 'ckpt.pt')['state']['step'] > first
    exp = tmp_path / 'exported'
    r = subprocess.run([sys.executable, '-m', 'models.pipeline.export', '--ckpt', str(out / 'ckpt.pt'),
                        '--tokenizer', str(data_dir / 'tokenizer.json'), '--out', str(exp)],
                       cwd=ROOT, capture_output=True, text=True, timeout=240,
                       env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert r.returncode == 0, r.stderr
    c = json.loads((exp / 'contract.json').read_text())
    assert c['kind'] == 'cat' and set(c['files']) == {'decoder.onnx', 'compressor.onnx', 'tokenizer.json'}
    assert c['graphs']['decoder']['inputs'][0] == 'input_ids' and c['training']['tokens'] >= 12000
    assert c['training']['device'] == 'cpu' and torch.load(out / 'ckpt.pt')['device'] == 'cpu'
    import hashlib
    for f, meta in c['files'].items():
        assert hashlib.sha256((exp / f).read_bytes()).hexdigest() == meta['sha256']


def test_ddp_two_processes_gloo(data_dir, tmp_path):
    out = tmp_path / 'ddp'
    r = run_train(['--kind', 'dense', '--preset', 'dense-tiny', '--data', str(data_dir), '--out', str(out),
                   '--seq', '64', '--long-seq', '128', '--batch-tokens', '256', '--tokens', '3000'],
                  launcher=('-m', 'torch.distributed.run', '--nproc_per_node', '2', '--master_port', '29533',
                            '--redirects', '1', '--tee', '1', '--log_dir', str(tmp_path / 'logs')),  # torch 1.13 + Python 3.11: '0' parses to None
                  module='models.pipeline.train')
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'world 2' in r.stdout
    st = torch.load(out / 'ckpt.pt')['state']
    assert st['tokens'] >= 3000


def test_v2_recipe_muon_cooldown_branch_and_weights(data_dir, tmp_path):
    """Constant-rate run (v2 recipe, Muon), a 1-sqrt cooldown branch of it, and a run started from
    the small weights-only checkpoint: token counts and data position carry over, nothing repeats."""
    from models.pipeline.train import Stream, save_weights
    const, cooled, again = tmp_path / 'const', tmp_path / 'cooled', tmp_path / 'again'
    common = ['--kind', 'cat', '--data', str(data_dir), '--seq', '128', '--long-seq', '256', '--batch-tokens', '512',
              '--eval-every', '5', '--eval-windows', '2', '--muon', '--warmup', '2']
    r = run_train(common + ['--preset', 'cat-tiny-v2', '--out', str(const), '--tokens', '5000'])
    assert r.returncode == 0, r.stderr
    assert 'Muon+AdamW' in r.stdout
    ck = torch.load(const / 'ckpt.pt')
    assert ck['config']['qk_norm'] and ck['config']['untied'] and ck['state']['cursor'] > 0
    lrs = [json.loads(l)['lr'] for l in (const / 'log.jsonl').read_text().splitlines() if '"lr"' in l]
    assert lrs[-1] == pytest.approx(3e-3), 'constant rate after warmup'
    r = run_train(common + ['--out', str(cooled), '--cooldown-from', str(const), '--cooldown-tokens', '8192', '--long-from', '0.5'])
    assert r.returncode == 0, r.stderr
    cb = torch.load(cooled / 'ckpt.pt')
    assert cb['branch']['fromTokens'] == ck['state']['tokens'] and cb['state']['tokens'] >= ck['state']['tokens'] + 8192
    recs = [json.loads(l) for l in (cooled / 'log.jsonl').read_text().splitlines() if '"lr"' in l]
    assert recs[-1]['lr'] < 0.5 * 3e-3 and recs[-1]['seq'] == 256, 'decayed, long-context phase at the end'
    assert torch.load(const / 'ckpt.pt')['state']['tokens'] == ck['state']['tokens'], 'the constant-rate run is untouched'
    save_weights(const / 'ckpt.pt', tmp_path / 'w.pt')
    r = run_train(common + ['--out', str(again), '--init-from', str(tmp_path / 'w.pt'), '--tokens', '16000', '--rewarm', '20'])
    assert r.returncode == 0, r.stderr
    st = torch.load(again / 'ckpt.pt')['state']
    assert st['tokens'] >= 16000 and st['optFrom'] == ck['state']['step'], 'the fresh optimizer state is dated'
    lrs = [json.loads(l)['lr'] for l in (again / 'log.jsonl').read_text().splitlines() if '"lr"' in l]
    assert lrs[0] < 0.75 * 3e-3 and lrs[-1] == pytest.approx(3e-3), 'the rate ramps up again over --rewarm steps'
    wcool = tmp_path / 'wcool'
    r = run_train(common + ['--out', str(wcool), '--cooldown-from', str(tmp_path / 'w.pt'), '--cooldown-tokens', '8192',
                            '--rewarm', '4'])
    assert r.returncode == 0, r.stderr
    wb = torch.load(wcool / 'ckpt.pt')
    assert wb['branch']['fromTokens'] == ck['state']['tokens'] and wb['state']['optFrom'] == ck['state']['step'], \
        'a cooldown branch of a weights file starts at its tokens with a dated fresh optimizer state'
    recs = [json.loads(l) for l in (wcool / 'log.jsonl').read_text().splitlines() if '"lr"' in l]
    assert recs[-1]['lr'] < 0.5 * 3e-3 and wb['state']['tokens'] >= ck['state']['tokens'] + 8192
    s = Stream(data_dir / 'train.bin', 17)
    seen = [tuple(s.batch(2, 64)[i].tolist()) for _ in range(8) for i in range(2)]
    assert len(set(seen)) == len(seen), 'windows do not repeat within a pass'


def test_max_passes_stops_and_new_data_restarts_its_pass(data_dir, tmp_path):
    """--max-passes ends a run before text is read twice; resuming on other data starts that data's
    first pass (cursor 0) and records where the old data stopped."""
    out, other = tmp_path / 'run', tmp_path / 'other'
    other.mkdir()
    for f in ('tokenizer.json', 'val.bin'):
        (other / f).write_bytes((data_dir / f).read_bytes())
    ids = np.fromfile(data_dir / 'train.bin', dtype=np.uint16)
    ids[: len(ids) // 2].tofile(other / 'train.bin')
    common = ['--kind', 'cat', '--preset', 'cat-tiny-v2', '--out', str(out), '--seq', '128', '--batch-tokens', '512',
              '--eval-every', '1000', '--eval-windows', '1', '--tokens', '1e6', '--max-passes', '0.5']
    r = run_train(common + ['--data', str(data_dir)])
    assert r.returncode == 0, r.stderr
    assert '--max-passes 0.5' in r.stdout
    st = torch.load(out / 'ckpt.pt')['state']
    n_blocks = len(ids) // 4097
    assert 0.5 * n_blocks <= st['cursor'] < n_blocks and st['tokens'] < 1e6
    r = run_train(common + ['--data', str(other)])
    assert r.returncode == 0, r.stderr
    assert 'data changed' in r.stdout
    st2 = torch.load(out / 'ckpt.pt')['state']
    assert st2['dataHistory'][-1] == {'data': st['data'], 'cursor': st['cursor'], 'tokens': st['tokens']}
    assert st2['data'] != st['data'] and st2['tokens'] > st['tokens'] and st2['cursor'] < st['cursor']


def test_paste_copies_pastes_earlier_spans_of_the_row():
    """Each changed stretch of a row repeats a span that stands earlier in the same row; rate 0
    changes nothing and the input tensor is never written."""
    import random
    from models.pipeline.train import paste_copies
    x = torch.arange(4 * 200).reshape(4, 200)                 # distinct tokens: every repeat is a paste
    keep = x.clone()
    assert torch.equal(paste_copies(x, random.Random(0), 0.0, 3, 6, 20), x)
    y = paste_copies(x, random.Random(1), 1.0, 3, 6, 20)
    assert torch.equal(x, keep), 'the input is left as it is'
    changed = 0
    for b in range(4):
        row, first = y[b].tolist(), {}
        for i, t in enumerate(row):
            if row[i] != keep[b, i]:
                changed += 1
                assert t in first or t in row[:i], 'a pasted token was written earlier in the row'
            first.setdefault(t, i)
    assert changed >= 4 * 6, 'every row got at least one span'


def test_copy_rate_run_logs_its_rate(data_dir, tmp_path):
    out = tmp_path / 'copy'
    r = run_train(['--kind', 'cat', '--preset', 'cat-tiny-v2', '--data', str(data_dir), '--out', str(out), '--seq', '128',
                   '--batch-tokens', '512', '--tokens', '6000', '--copy-rate', '0.5', '--copy-spans', '2', '--copy-len', '4,8'])
    assert r.returncode == 0, r.stderr[-2000:]
    recs = [json.loads(l) for l in (out / 'log.jsonl').read_text().splitlines() if '"lr"' in l]
    assert recs and all(r['copyRate'] == 0.5 for r in recs)


def test_default_chunk_size_is_the_best_measured_one():
    from models.pipeline.export import default_chunk_size
    sizes = [4, 8, 16, 32, 64]
    assert default_chunk_size(sizes, None) == 16                     # nothing measured: the middle size
    assert default_chunk_size([4, 8], None) == 4
    assert default_chunk_size([], None) == 0                         # dense
    bpb = {'4': 1.83, '8': 1.85, '16': 1.85, '32': 1.80, '64': 1.74}
    assert default_chunk_size(sizes, {'bitsPerByte': bpb}) == 64
    assert default_chunk_size(sizes, {'bitsPerByte': {**bpb, '4': 1.70}}) == 4
    assert default_chunk_size(sizes, {'bitsPerByte': {'8': 1.9, '16': 1.9}}) == 8   # a tie: the smaller
