"""Does a checkpoint use the suffix? Held-out fill-in-the-middle cases scored two ways on the
same middle tokens: with the suffix, in each of data.py's FIM layouts (psm: [file] prefix
[fim_suffix] suffix [fim_middle] middle; spm: [file] [fim_suffix] suffix [fim_prefix] prefix
[fim_middle] middle) and without it ([file] prefix middle, plain left-to-right). The gain (plain
minus FIM bits per byte of the middle) is what the suffix is worth in that layout; a model that
has not learned it scores the FIM form worse than the plain one.

Cases (deterministic): held-out code files in sorted order, shuffled with a seed; one cut per
file by data.fim_transform's rule (the rest of a line, or 1-8 lines); the prefix keeps its last
PREFIX_TOKENS tokens, the suffix its first SUFFIX_TOKENS, the middle at most MIDDLE_TOKENS.

    python3 -m models.pipeline.fim_eval --ckpt models/checkpoints/cat-v2-cool100.pt [--cases 200] [--C 16]
    python3 -m models.pipeline.fim_eval --ckpt CKPT --heldout corpus/val --contract models/cat-code-small/contract.json

--contract writes the measurement (the engine's layout, psm) into the contract's fim.measured:
completions read the text after the cursor only when it helps there (src/engine/contract.ts
suffixHelps), so measure on the validation split, not on the held-out one the evaluation reports.
"""
from __future__ import annotations

import argparse
import json
import math
import random
from pathlib import Path

import torch
import torch.nn.functional as F

from .bpe import Tokenizer
from .compare import load
from .data import FIM_ORDERS, fim_cut, fim_sequence
from .quality import token_bytes

PREFIX_TOKENS, SUFFIX_TOKENS, MIDDLE_TOKENS = 320, 128, 48
CODE = ('.js', '.ts', '.mjs', '.cjs', '.py')


def cut(data: bytes, rng: random.Random) -> tuple[bytes, bytes, bytes] | None:
    """prefix, middle, suffix at data.fim_cut's cursor; None when the middle is blank or the prefix empty."""
    a, b = fim_cut(data, rng)
    if not data[a:b].strip() or a == 0:
        return None
    return data[:a], data[a:b], data[b:]


def cases(root: Path, tok: Tokenizer, n: int, seed: int = 0) -> list[tuple[list[int], list[int], list[int]]]:
    files = sorted(p for p in root.rglob('*') if p.is_file() and p.suffix in CODE and 1500 <= p.stat().st_size <= 200_000)
    rng = random.Random(seed)
    rng.shuffle(files)
    out = []
    for f in files:
        c = cut(f.read_bytes(), rng)
        if c is None:
            continue
        pre, mid, suf = c
        out.append((tok.encode(pre)[-PREFIX_TOKENS:], tok.encode(mid)[:MIDDLE_TOKENS], tok.encode(suf)[:SUFFIX_TOKENS]))
        if len(out) >= n:
            break
    return out


@torch.no_grad()
def middle_nats(model, cfg, seq: list[int], first: int, C: int | None, pad: int) -> float:
    """Sum of -ln p(seq[t] | seq[:t]) over t >= first."""
    if cfg.kind == 'cat':
        L = -(-len(seq) // 64) * 64                               # a multiple of every chunk size
        x = torch.tensor([seq + [pad] * (L - len(seq))])
        logits = model(x, C).reshape(1, L, -1)[0, :len(seq)]      # [L, V]: row t predicts seq[t]
        tgt = torch.tensor(seq)
    else:
        x = torch.tensor([seq])
        logits = model(x)[0, :-1]                                 # [len - 1, V]: row t predicts seq[t + 1]
        tgt = torch.tensor(seq[1:])
        first -= 1
    lp = F.log_softmax(logits.float(), dim=-1).gather(1, tgt[:, None])[:, 0]
    return float(-lp[first:].sum())


def measure(model, cfg, tok: Tokenizer, root: Path, n: int, C: int | None) -> dict:
    sp, tb = tok.special_ids, token_bytes(tok)
    plain, fim = 0.0, {o: 0.0 for o in FIM_ORDERS}
    nbytes = 0
    cs = cases(root, tok, n)
    for pre, mid, suf in cs:
        a = [sp['file']] + pre
        plain += middle_nats(model, cfg, a + mid, len(a), C, sp['endoftext'])
        for o in FIM_ORDERS:
            head = fim_sequence(pre, [], suf, sp, o)
            fim[o] += middle_nats(model, cfg, head + mid, len(head), C, sp['endoftext'])
        nbytes += int(tb[mid].sum())
    bpb = lambda nats: round(nats / math.log(2) / nbytes, 4)
    return {'cases': len(cs), 'middleBytes': nbytes, 'C': C, 'plainBitsPerByte': bpb(plain),
            'fimBitsPerByte': {o: bpb(v) for o, v in fim.items()},
            'suffixGain': {o: round(bpb(plain) - bpb(v), 4) for o, v in fim.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--ckpt', type=Path, required=True)
    ap.add_argument('--heldout', type=Path, default=Path('corpus/heldout'))
    ap.add_argument('--tokenizer', type=Path, default=Path('models/cat-code-small/tokenizer.json'))
    ap.add_argument('--cases', type=int, default=200)
    ap.add_argument('--C', type=int, default=16)
    ap.add_argument('--threads', type=int, default=1)
    ap.add_argument('--contract', type=Path, default=None, help='write fim.measured (psm) into this contract.json')
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    model, cfg, state = load(args.ckpt)
    r = measure(model, cfg, Tokenizer.load(args.tokenizer), args.heldout, args.cases, args.C if cfg.kind == 'cat' else None)
    print(json.dumps({'checkpoint': str(args.ckpt), 'tokens': int(state['tokens']), **r}))
    if args.contract:
        c = json.loads(args.contract.read_text())
        c.setdefault('fim', {})['measured'] = {
            'split': args.heldout.resolve().name, 'cases': r['cases'], 'C': r['C'], 'layout': 'psm', 'checkpoint': str(args.ckpt),
            'plainBitsPerByte': r['plainBitsPerByte'], 'fimBitsPerByte': r['fimBitsPerByte']['psm'], 'suffixGain': r['suffixGain']['psm']}
        args.contract.write_text(json.dumps(c, indent=1) + '\n')
        print(f"wrote fim.measured into {args.contract}")


if __name__ == '__main__':
    main()
