"""Tokenizer: golden file shared with the TypeScript runtime, lossless bytes, UTF-8 run rules."""
import base64
import json
import random

from models.pipeline.bpe import BYTE_CHAR, split_lines, utf8_runs

from conftest import FIXTURES


def test_golden_file_matches_python_encoder(tok):
    golden = json.loads((FIXTURES / 'tokenizer_golden.json').read_text())
    assert len(golden['cases']) >= 20
    for case in golden['cases']:
        data = base64.b64decode(case['bytes_b64'])
        assert tok.encode(data) == case['ids'], data[:80]


def test_any_bytes_round_trip(tok):
    rng = random.Random(0)
    for n in (0, 1, 7, 100, 1000):
        for _ in range(20):
            data = bytes(rng.randrange(256) for _ in range(n))
            assert tok.decode(tok.encode(data)) == data


def test_utf8_runs_follow_table_3_7():
    assert utf8_runs(b'ok') == ['ok']
    assert utf8_runs(b'a\xffb') == ['a', 0xFF, 'b']
    assert utf8_runs(b'\xc0\xaf') == [0xC0, 0xAF]                  # overlong
    assert utf8_runs(b'\xed\xa0\x80') == [0xED, 0xA0, 0x80]        # surrogate
    assert utf8_runs(b'\xf4\x90\x80\x80')[0] == 0xF4               # > U+10FFFF
    assert utf8_runs(b'\xe2\x82') == [0xE2, 0x82]                  # truncated
    assert utf8_runs('é中😀'.encode()) == ['é中😀']


def test_invalid_byte_becomes_its_byte_token(tok):
    ids = tok.encode(b'\xff')
    assert ids == [tok.vocab[BYTE_CHAR[0xFF]]]


def test_encoding_is_per_line(tok):
    text = b'a = 1\n    b = 2\n\n'
    assert split_lines(text) == [b'a = 1\n', b'    b = 2\n', b'\n']
    assert tok.encode(text) == sum((tok.encode(p) for p in split_lines(text)), [])


def test_special_tokens_have_fixed_ids(tok):
    sp = tok.special_ids
    assert [sp[k] for k in ('endoftext', 'file', 'fim_prefix', 'fim_suffix', 'fim_middle', 'chunk')] == list(range(6))
    assert tok.vocab_size == 4096


def test_training_learns_frequent_merges_and_round_trips():
    from models.pipeline.bpe import train
    texts = [b'function add(a, b) {\n  return a + b;\n}\n' * 20, b'const total = add(1, 2);\n' * 20]
    t = train(texts, 300)
    assert 268 < t.vocab_size <= 300
    assert 'Ġreturn' in t.vocab or 'return' in t.vocab
    for data in texts + [b'\xff\x00 new text']:
        assert t.decode(t.encode(data)) == data
