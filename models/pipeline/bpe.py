"""Byte-level BPE: training, and the canonical document encoding shared with the TypeScript runtime.

Canonical encoding of a document (bytes):
  1. split after every b'\\n' (each piece ends with its newline, the last may not);
  2. in a piece, maximal runs of well-formed UTF-8 (Unicode Table 3-7) and single ill-formed bytes;
  3. a valid run: special-token strings are matched first, the rest is pre-tokenized with the
     GPT-2 regex and merged with BPE (what Hugging Face tokenizers does for this tokenizer.json);
  4. an ill-formed byte b: the id of the vocabulary entry for bytes_to_unicode(b).
So any byte sequence round-trips (NUL and invalid UTF-8 included), and an edit re-encodes only
the lines it touches.
"""
from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Iterable

import regex

GPT2_PATTERN = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
PRETOKENIZE = regex.compile(GPT2_PATTERN)

SPECIAL_NAMES = ['endoftext', 'file', 'fim_prefix', 'fim_suffix', 'fim_middle', 'chunk']
CHUNK_SIZES_RESERVED = [4, 8, 16, 32, 64, 128]


def special_tokens() -> list[tuple[str, str]]:
    """(key, content) of every special token, in id order (ids 0..n-1)."""
    out = [(n, f'<|{n}|>') for n in SPECIAL_NAMES]
    out += [(f'start_{c}', f'<|start_c{c}|>') for c in CHUNK_SIZES_RESERVED]
    return out


def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's reversible byte -> printable character map."""
    bs = list(range(ord('!'), ord('~') + 1)) + list(range(ord('¡'), ord('¬') + 1)) + list(range(ord('®'), ord('ÿ') + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return {b: chr(c) for b, c in zip(bs, cs)}


BYTE_CHAR = bytes_to_unicode()
CHAR_BYTE = {c: b for b, c in BYTE_CHAR.items()}


def utf8_runs(data: bytes) -> list:
    """Split bytes into str (well-formed UTF-8 runs) and int (single ill-formed bytes)."""
    out: list = []
    i, n, start = 0, len(data), 0
    while i < n:
        b = data[i]
        need, lo, hi = 0, 0x80, 0xBF
        if b < 0x80:
            i += 1
            continue
        if 0xC2 <= b <= 0xDF:
            need = 1
        elif 0xE0 <= b <= 0xEF:
            need = 2
            lo = 0xA0 if b == 0xE0 else 0x80
            hi = 0x9F if b == 0xED else 0xBF
        elif 0xF0 <= b <= 0xF4:
            need = 3
            lo = 0x90 if b == 0xF0 else 0x80
            hi = 0x8F if b == 0xF4 else 0xBF
        ok = need > 0
        if ok:
            for k in range(1, need + 1):
                if i + k >= n:
                    ok = False
                    break
                c = data[i + k]
                if k == 1 and not (lo <= c <= hi) or k > 1 and not (0x80 <= c <= 0xBF):
                    ok = False
                    break
        if ok:
            i += need + 1
            continue
        if start < i:
            out.append(data[start:i].decode('utf-8'))
        out.append(b)
        i += 1
        start = i
    if start < n:
        out.append(data[start:n].decode('utf-8'))
    return out


def split_lines(data: bytes) -> list[bytes]:
    pieces = data.split(b'\n')
    out = [p + b'\n' for p in pieces[:-1]]
    if pieces[-1]:
        out.append(pieces[-1])
    return out


def merge_pair(parts: list[str], a: str, b: str) -> list[str]:
    """Replace every adjacent (a, b) in parts, left to right, by a + b."""
    merged, i = [], 0
    while i < len(parts):
        if i < len(parts) - 1 and parts[i] == a and parts[i + 1] == b:
            merged.append(a + b)
            i += 2
        else:
            merged.append(parts[i])
            i += 1
    return merged


class Tokenizer:
    def __init__(self, vocab: dict[str, int], merges: list[tuple[str, str]], specials: list[tuple[str, str]]):
        self.vocab = vocab
        self.inv = {i: t for t, i in vocab.items()}
        self.ranks = {m: r for r, m in enumerate(merges)}
        self.merges = merges
        self.specials = specials
        self.special_ids = {k: vocab[c] for k, c in specials}
        self.special_content = {vocab[c]: c for _, c in specials}
        self._special_re = regex.compile('|'.join(regex.escape(c) for _, c in specials))
        self._cache: dict[str, list[int]] = {}

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    # ---- encoding ----
    def _bpe(self, word: str) -> list[int]:
        hit = self._cache.get(word)
        if hit is not None:
            return hit
        parts = [BYTE_CHAR[b] for b in word.encode('utf-8')]
        while len(parts) > 1:
            best, best_rank = -1, None
            for i in range(len(parts) - 1):
                r = self.ranks.get((parts[i], parts[i + 1]))
                if r is not None and (best_rank is None or r < best_rank):
                    best, best_rank = i, r
            if best < 0:
                break
            parts = merge_pair(parts, parts[best], parts[best + 1])
        ids = [self.vocab[p] for p in parts]
        if len(self._cache) < 500_000:
            self._cache[word] = ids
        return ids

    def encode_text(self, text: str) -> list[int]:
        ids: list[int] = []
        pos = 0
        for m in self._special_re.finditer(text):
            for w in PRETOKENIZE.findall(text[pos:m.start()]):
                ids.extend(self._bpe(w))
            ids.append(self.vocab[m.group(0)])
            pos = m.end()
        for w in PRETOKENIZE.findall(text[pos:]):
            ids.extend(self._bpe(w))
        return ids

    def encode(self, data: bytes | str) -> list[int]:
        """The canonical document encoding (see module docstring)."""
        if isinstance(data, str):
            data = data.encode('utf-8')
        ids: list[int] = []
        for line in split_lines(data):
            for run in utf8_runs(line):
                if isinstance(run, int):
                    ids.append(self.vocab[BYTE_CHAR[run]])
                else:
                    ids.extend(self.encode_text(run))
        return ids

    def decode(self, ids: Iterable[int]) -> bytes:
        out = bytearray()
        for i in ids:
            if i in self.special_content:
                out += self.special_content[i].encode('utf-8')
            else:
                out += bytes(CHAR_BYTE[c] for c in self.inv[i])
        return bytes(out)

    # ---- files ----
    def to_hf_json(self) -> dict:
        added = [{'id': self.vocab[c], 'content': c, 'single_word': False, 'lstrip': False, 'rstrip': False,
                  'normalized': False, 'special': True} for _, c in self.specials]
        byte_level = {'type': 'ByteLevel', 'add_prefix_space': False, 'trim_offsets': True, 'use_regex': True}
        model_vocab = {t: i for t, i in self.vocab.items() if i not in self.special_content}
        return {'version': '1.0', 'truncation': None, 'padding': None, 'added_tokens': added,
                'normalizer': None, 'pre_tokenizer': byte_level, 'post_processor': None,
                'decoder': byte_level,
                'model': {'type': 'BPE', 'dropout': None, 'unk_token': None, 'continuing_subword_prefix': None,
                          'end_of_word_suffix': None, 'fuse_unk': False, 'byte_fallback': False,
                          'ignore_merges': False, 'vocab': model_vocab,
                          'merges': [f'{a} {b}' for a, b in self.merges]}}

    def save(self, path: Path) -> None:
        Path(path).write_text(json.dumps(self.to_hf_json(), ensure_ascii=False, indent=None) + '\n', encoding='utf-8')

    @classmethod
    def load(cls, path: Path) -> 'Tokenizer':
        j = json.loads(Path(path).read_text(encoding='utf-8'))
        vocab = dict(j['model']['vocab'])
        for t in j['added_tokens']:
            vocab[t['content']] = t['id']
        merges = [tuple(m.split(' ')) if isinstance(m, str) else tuple(m) for m in j['model']['merges']]
        by_content = {c: k for k, c in special_tokens()}
        specials = [(by_content.get(t['content'], t['content']), t['content']) for t in j['added_tokens']]
        return cls(vocab, merges, specials)


def train(texts: Iterable[bytes], vocab_size: int, min_freq: int = 2) -> Tokenizer:
    """Learn merges over pre-tokenized words (canonical line split, valid UTF-8 runs only)."""
    specials = special_tokens()
    word_freq: Counter = Counter()
    for data in texts:
        for line in split_lines(data):
            for run in utf8_runs(line):
                if isinstance(run, str):
                    word_freq.update(PRETOKENIZE.findall(run))
    vocab: dict[str, int] = {c: i for i, (_, c) in enumerate(specials)}
    for b in range(256):
        vocab[BYTE_CHAR[b]] = len(vocab)
    words = [[BYTE_CHAR[b] for b in w.encode('utf-8')] for w in word_freq]
    freqs = list(word_freq.values())
    pair_count: Counter = Counter()
    where: dict[tuple, set] = {}
    for wi, w in enumerate(words):
        for p in zip(w, w[1:]):
            pair_count[p] += freqs[wi]
            where.setdefault(p, set()).add(wi)
    merges: list[tuple[str, str]] = []
    while len(vocab) < vocab_size and pair_count:
        a, b = max(pair_count, key=pair_count.__getitem__)  # ties: first inserted (deterministic)
        cnt = pair_count[(a, b)]
        if cnt < min_freq:
            break
        merges.append((a, b))
        vocab[a + b] = len(vocab)
        for wi in list(where.get((a, b), ())):
            w = words[wi]
            f = freqs[wi]
            for p in zip(w, w[1:]):
                pair_count[p] -= f
                if pair_count[p] <= 0:
                    del pair_count[p]
                s = where.get(p)
                if s is not None:
                    s.discard(wi)
            nw = merge_pair(w, a, b)
            words[wi] = nw
            for p in zip(nw, nw[1:]):
                pair_count[p] += f
                where.setdefault(p, set()).add(wi)
        where.pop((a, b), None)
        pair_count.pop((a, b), None)
    return Tokenizer(vocab, merges, specials)
