"""A data dir made of the unread blocks of others: for a cooldown that must read text the line has not.

Each --part DIR:START:END takes the trainer's blocks START..END (cursor positions in the order
train.Stream visits DIR's train.bin with the same --seed), so "what the line has not reached" is said
in the cursor the checkpoints record. Blocks are whole (train.Stream.BLOCK tokens, files of one
package consecutive inside each), interleaved in a seeded order, and written back to back: the
trainer's permutation of the new file then visits exactly these blocks, once a pass.

    python3 -m models.pipeline.mix --out runs/data7 --val-from runs/data2 \
        --part runs/data6:9960:12302 --part runs/data5:0:6000
"""
import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np

from .train import Stream


def parse_part(s: str) -> tuple[Path, int, int]:
    d, a, b = s.rsplit(':', 2)
    return Path(d), int(a), int(b)


def part_blocks(data_dir: Path, start: int, end: int, seed: int) -> tuple[np.memmap, np.ndarray]:
    """The token file and the block numbers the trainer reads at cursors start..end-1 (one pass)."""
    s = Stream(data_dir / 'train.bin', seed * 1000 + 17)
    if not 0 <= start <= end <= s.n_blocks:
        raise ValueError(f'{data_dir}: cursor range {start}:{end} outside 0:{s.n_blocks}')
    return s.data, s.order[start:end]


def mix(parts: list[tuple[Path, int, int]], out: Path, val_from: Path, seed: int = 0) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    B = Stream.BLOCK
    sources = [part_blocks(d, a, b, seed) for d, a, b in parts]
    picks = [(i, int(blk)) for i, (_, blocks) in enumerate(sources) for blk in blocks]   # (part, block)
    order = np.random.default_rng(seed + 99).permutation(len(picks))
    with open(out / 'train.bin', 'wb') as f:
        for j in order:
            i, blk = picks[j]
            f.write(np.ascontiguousarray(sources[i][0][blk * B:(blk + 1) * B]).tobytes())
    shutil.copyfile(val_from / 'val.bin', out / 'val.bin')
    for name in ('tokenizer.json',):
        shutil.copyfile(parts[0][0] / name, out / name)
    val_stats = json.loads((val_from / 'stats.json').read_text())['val']
    stats = {'val': dict(val_stats, copiedFrom=str(val_from)),
             'train': {'tokens': len(picks) * B, 'blocks': len(picks), 'packed': True, 'fimRate': 0.0,
                       'mixedFrom': [{'data': str(d), 'cursorFrom': a, 'cursorTo': b, 'seed': seed} for d, a, b in parts]}}
    (out / 'stats.json').write_text(json.dumps(stats, indent=1))
    return stats


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--part', action='append', required=True, help='DATA_DIR:START:END (trainer cursor range)')
    ap.add_argument('--val-from', type=Path, required=True)
    ap.add_argument('--seed', type=int, default=0, help='the trainer --seed the cursor ranges refer to')
    args = ap.parse_args(argv)
    parts = [parse_part(p) for p in args.part]
    toks = [json.loads((d / 'tokenizer.json').read_text()) for d, _, _ in parts]
    if any(t != toks[0] for t in toks[1:]):
        print('mix: error: the parts use different tokenizers', file=sys.stderr)
        return 1
    try:
        st = mix(parts, args.out, args.val_from, args.seed)
    except ValueError as e:
        print(f'mix: error: {e}', file=sys.stderr)
        return 1
    print(f"mix: {st['train']['blocks']} blocks, {st['train']['tokens']} tokens -> {args.out}", flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
