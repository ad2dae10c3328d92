"""mix: a data dir of exactly the blocks the trainer reads at the given cursor ranges of other dirs."""
import json

import numpy as np
import pytest

from models.pipeline.mix import main, mix, part_blocks
from models.pipeline.train import Stream

B = Stream.BLOCK


def make_dir(path, first_id, n_blocks):
    """A data dir whose block b holds the value first_id + b in every token."""
    path.mkdir()
    ids = np.repeat(np.arange(first_id, first_id + n_blocks, dtype=np.uint16), B)
    ids.tofile(path / 'train.bin')
    np.arange(10, dtype=np.uint16).tofile(path / 'val.bin')
    (path / 'stats.json').write_text(json.dumps({'val': {'tokens': 10}}))
    (path / 'tokenizer.json').write_text('{"t": 1}')
    return path


def blocks_of(path):
    data = np.fromfile(path / 'train.bin', dtype=np.uint16).reshape(-1, B)
    assert (data == data[:, :1]).all()                     # whole blocks, never cut
    return sorted(int(v) for v in data[:, 0])


def test_the_mix_holds_the_unread_blocks_and_the_trainer_reads_each_once(tmp_path):
    a, b = make_dir(tmp_path / 'a', 100, 40), make_dir(tmp_path / 'b', 500, 30)
    mix([(a, 25, 40), (b, 0, 10)], tmp_path / 'm', a)
    order_a = Stream(a / 'train.bin', 17).order
    order_b = Stream(b / 'train.bin', 17).order
    want = sorted([100 + int(x) for x in order_a[25:40]] + [500 + int(x) for x in order_b[:10]])
    assert blocks_of(tmp_path / 'm') == want
    read_by_line = {100 + int(x) for x in order_a[:25]}
    assert not read_by_line & set(want)                     # nothing the line read at cursors 0..24
    s = Stream(tmp_path / 'm' / 'train.bin', 17)
    seen = [int(s._block()[0]) for _ in range(s.n_blocks)]
    assert sorted(seen) == want                              # one pass of the trainer = each block once
    st = json.loads((tmp_path / 'm' / 'stats.json').read_text())
    assert st['train']['tokens'] == 25 * B and st['train']['mixedFrom'][0]['cursorFrom'] == 25


def test_a_range_past_the_end_or_other_tokenizers_fail_with_a_message(tmp_path, capsys):
    a, b = make_dir(tmp_path / 'a', 0, 8), make_dir(tmp_path / 'b', 50, 8)
    with pytest.raises(ValueError, match='outside 0:8'):
        part_blocks(a, 0, 9, 0)
    assert main(['--out', str(tmp_path / 'm'), '--val-from', str(a), '--part', f'{a}:0:9']) == 1
    assert 'outside' in capsys.readouterr().err
    (b / 'tokenizer.json').write_text('{"t": 2}')
    assert main(['--out', str(tmp_path / 'm'), '--val-from', str(a), '--part', f'{a}:0:4', '--part', f'{b}:0:4']) == 1
    assert 'different tokenizers' in capsys.readouterr().err
