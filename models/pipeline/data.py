"""Tokenizer training and token files for training.

Usage: python3 -m models.pipeline.data --corpus corpus --out runs/data [--vocab 4096]
  [--tok-sample-mb 12] [--train-mb 48] [--fim-rate 0.3]

Writes runs/data/tokenizer.json, train.bin and val.bin (uint16 token streams). Each file
becomes [file] + ids + [endoftext]; a share of files (fim-rate) is written as
[file] prefix [fim_suffix] suffix [fim_middle] middle [endoftext] (see fim_transform), or with
--fim-order spm as [file] [fim_suffix] suffix [fim_prefix] prefix [fim_middle] middle [endoftext]:
the prefix next to the middle, where a CAT decoder reads it token by token instead of compressed.
--tokenizer reuses an existing tokenizer.json (the shipped one: model v2 keeps its vocabulary).
--pack (repository-level packing): the files of one package are written consecutively (packages
in a seeded order, files in path order), so a training window spans neighbouring files of one
package and copying names across files pays.
--val-from DIR: val.bin (and its stats) copied from an earlier data dir instead of encoded, so a
token file built from another corpus (the extra corpus, runs/data3) keeps the same validation.
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from multiprocessing import Pool
from pathlib import Path

import numpy as np

from .bpe import Tokenizer, train

MAX_SUFFIX_TOKENS = 256
_TOK: Tokenizer | None = None


def list_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob('*') if p.is_file())


FIM_ORDERS = ('psm', 'spm')


def fim_cut(data: bytes, rng: random.Random) -> tuple[int, int]:
    """Byte offsets [a, b) of the middle: a cursor at a line start or inside a line (a), to the
    end of that line or 1-8 lines on (b)."""
    lines = data.split(b'\n')
    li = rng.randrange(len(lines))
    starts = np.cumsum([0] + [len(l) + 1 for l in lines])
    col = rng.randrange(len(lines[li]) + 1) if rng.random() < 0.5 else 0
    a = int(starts[li]) + col
    if col > 0 or rng.random() < 0.5:
        b = int(starts[li]) + len(lines[li])          # rest of the line
    else:
        b = int(starts[min(len(lines) - 1, li + rng.randint(1, 8))])
    return a, max(a, min(b, len(data)))


def fim_transform(data: bytes, tok: Tokenizer, rng: random.Random, order: str = 'psm') -> list[int]:
    """Split a document at a cursor (a line start or mid-line) into prefix, middle (rest of the
    line, or 1-8 lines) and suffix; return [file] prefix [fim_suffix] suffix [fim_middle] middle [eot]
    (psm) or [file] [fim_suffix] suffix [fim_prefix] prefix [fim_middle] middle [eot] (spm).
    Each part uses the canonical encoding; the suffix is cut to MAX_SUFFIX_TOKENS."""
    sp = tok.special_ids
    a, b = fim_cut(data, rng)
    prefix, middle, suffix = data[:a], data[a:b], data[b:]
    return fim_sequence(tok.encode(prefix), tok.encode(middle), tok.encode(suffix)[:MAX_SUFFIX_TOKENS], sp, order) + [sp['endoftext']]


def fim_sequence(prefix: list[int], middle: list[int], suffix: list[int], sp: dict, order: str) -> list[int]:
    """The FIM layout of encoded parts, up to the end of the middle (training appends [endoftext])."""
    if order == 'spm':
        head = [sp['file'], sp['fim_suffix']] + suffix + [sp['fim_prefix']] + prefix + [sp['fim_middle']]
    elif order == 'psm':
        head = [sp['file']] + prefix + [sp['fim_suffix']] + suffix + [sp['fim_middle']]
    else:
        raise ValueError(f'FIM order {order!r} is not one of {FIM_ORDERS}')
    return head + middle


def _init(tok_path: str) -> None:
    global _TOK
    _TOK = Tokenizer.load(Path(tok_path))


def _encode_file(args) -> list[int]:
    path, fim, seed, order = args
    data = Path(path).read_bytes()
    sp = _TOK.special_ids
    if fim:
        return fim_transform(data, _TOK, random.Random(seed), order)
    return [sp['file']] + _TOK.encode(data) + [sp['endoftext']]


def encode_split(files: list[Path], tok_path: Path, out: Path, fim_rate: float, seed: int, procs: int, fim_order: str = 'psm') -> int:
    rng = random.Random(seed)
    jobs = [(str(f), rng.random() < fim_rate, rng.randrange(1 << 30), fim_order) for f in files]
    n = 0
    with Pool(procs, initializer=_init, initargs=(str(tok_path),)) as pool, open(out, 'wb') as fh:
        for ids in pool.imap(_encode_file, jobs, chunksize=16):
            np.asarray(ids, dtype=np.uint16).tofile(fh)
            n += len(ids)
    return n


def sample_files(files: list[Path], mb: float, seed: int) -> list[Path]:
    rng = random.Random(seed)
    files = files[:]
    rng.shuffle(files)
    out, total = [], 0
    for f in files:
        if total >= mb * 1e6:
            break
        out.append(f)
        total += f.stat().st_size
    return out


def cap_per_package(files: list[Path], root: Path, cap_mb: float) -> list[Path]:
    """At most cap_mb of each package (the first path part under root), its files in path order; a file that
    would pass the cap is skipped and smaller later ones still fit. Keeps one large package (generated
    validators, bundled typings) from filling the split."""
    used: dict[str, int] = {}
    out = []
    for f in sorted(files):
        pkg, n = f.relative_to(root).parts[0], f.stat().st_size
        if used.get(pkg, 0) + n > cap_mb * 1e6:
            continue
        used[pkg] = used.get(pkg, 0) + n
        out.append(f)
    return out


def pack_by_package(files: list[Path], root: Path, seed: int) -> list[Path]:
    """Files grouped by package (the first path part under root), packages shuffled, paths sorted."""
    groups: dict[str, list[Path]] = {}
    for f in files:
        groups.setdefault(f.relative_to(root).parts[0], []).append(f)
    names = sorted(groups)
    random.Random(seed).shuffle(names)
    return [f for n in names for f in sorted(groups[n])]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--corpus', type=Path, default=Path('corpus'))
    ap.add_argument('--out', type=Path, default=Path('runs/data'))
    ap.add_argument('--vocab', type=int, default=4096)
    ap.add_argument('--tok-sample-mb', type=float, default=12)
    ap.add_argument('--train-mb', type=float, default=48)
    ap.add_argument('--val-mb', type=float, default=3)
    ap.add_argument('--fim-rate', type=float, default=0.3)
    ap.add_argument('--fim-order', choices=FIM_ORDERS, default='psm')
    ap.add_argument('--procs', type=int, default=2)
    ap.add_argument('--tokenizer', type=Path, default=None, help='reuse this tokenizer.json')
    ap.add_argument('--pack', action='store_true', help='files of one package consecutive (train split)')
    ap.add_argument('--package-cap-mb', type=float, default=None,
                    help='train split: at most this many MB of any one package (cap_per_package)')
    ap.add_argument('--val-from', type=Path, default=None,
                    help='copy val.bin and its stats from this data dir instead of encoding corpus/val')
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    train_files = list_files(args.corpus / 'train')
    if args.package_cap_mb is not None:
        train_files = cap_per_package(train_files, args.corpus / 'train', args.package_cap_mb)
    val_files = list_files(args.corpus / 'val') if args.val_from is None else [None]
    if not train_files or not val_files:
        print('data: error: empty train or val split; run models.pipeline.corpus first', file=sys.stderr)
        return 1
    tok_path = args.out / 'tokenizer.json'
    if args.tokenizer and not tok_path.exists():
        tok_path.write_bytes(args.tokenizer.read_bytes())
    if not tok_path.exists():
        sample = sample_files(train_files, args.tok_sample_mb, seed=1)
        tok = train((f.read_bytes() for f in sample), args.vocab)
        tok.save(tok_path)
        print(f'tokenizer: {tok.vocab_size} entries from {len(sample)} files', flush=True)
    stats = {}
    splits = [('val', val_files, args.val_mb, 0.0), ('train', train_files, args.train_mb, args.fim_rate)]
    if args.val_from is not None:
        shutil.copyfile(args.val_from / 'val.bin', args.out / 'val.bin')
        stats['val'] = dict(json.loads((args.val_from / 'stats.json').read_text())['val'], copiedFrom=str(args.val_from))
        print(f"val: copied from {args.val_from} ({stats['val']['tokens']} tokens)", flush=True)
        splits = splits[1:]
    for name, files, mb, fim in splits:
        chosen = sample_files(files, mb, seed=2)
        if args.pack and name == 'train':
            chosen = pack_by_package(chosen, args.corpus / name, seed=4)
        n = encode_split(chosen, tok_path, args.out / f'{name}.bin', fim, seed=3, procs=args.procs, fim_order=args.fim_order)
        nbytes = sum(f.stat().st_size for f in chosen)
        stats[name] = {'files': len(chosen), 'bytes': nbytes, 'tokens': n, 'bytesPerToken': nbytes / max(1, n),
                       'packed': bool(args.pack and name == 'train'), 'fimRate': fim,
                       **({'fimOrder': args.fim_order} if fim else {})}
        print(f'{name}: {len(chosen)} files, {nbytes/1e6:.1f} MB -> {n} tokens', flush=True)
    (args.out / 'stats.json').write_text(json.dumps(stats, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main())
