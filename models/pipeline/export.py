"""Export a trained checkpoint (or a tiny random-weight fixture) to ONNX + contract.json.

  python3 -m models.pipeline.export --ckpt RUN/ckpt.pt --tokenizer runs/data/tokenizer.json --out models/cat-code-small
  python3 -m models.pipeline.export --tiny cat --tokenizer T.json --out test/fixtures/tiny-cat
  ... --quality-from corpus/heldout --quality-windows 64    # + held-out bits/byte per chunk size

Writes decoder.onnx (+ compressor.onnx for cat), tokenizer.json, contract.json (models/CONTRACT.md)
and parity.json: inputs and PyTorch outputs that the Node tests run through onnxruntime-node.
--quality-from DIR (optional): held-out bits/byte of the PyTorch model at every trained chunk size
on a fixed sample of DIR's files (quality.py), written as contract.json "quality". 1 thread.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import onnx
import torch

from .bpe import Tokenizer
from .graph_cse import eliminate
from .model import CAT, ModelConfig, build
from .quality import measure
from .reference import CatRunner, DenseRunner, WindowRunner, generate
from .train import PRESETS

FORMAT_VERSION = 2
WINDOW_FORMAT_VERSION = 3           # the window layout: its decoder graph also takes attn_bias
DEC_BASE = ['input_ids', 'inputs_embeds', 'position_ids', 'num_logits']
ATTN_BIAS = 'attn_bias'
DEC_OUT = ['logits', 'new_keys', 'new_values']
PAST = ('keys_a', 'values_a', 'keys_b', 'values_b')


def past_names(cfg: ModelConfig) -> dict:
    """{'keys_a': [[name per head] per layer], ...}: one graph input per block, layer and head."""
    return {p: [[f'past_{p}_{l}_{h}' for h in range(cfg.n_heads)] for l in range(cfg.n_layers)] for p in PAST}


def decoder_input_names(cfg: ModelConfig) -> list:
    names = past_names(cfg)
    return DEC_BASE + ([ATTN_BIAS] if cfg.window else []) + [n for p in PAST for layer in names[p] for n in layer]


class StepGraph(torch.nn.Module):
    """forward(input_ids, inputs_embeds, position_ids, num_logits, *past) with past = ka + va + kb + vb,
    each Ly*H tensors [B, P, hd] (layer-major)."""

    def __init__(self, dec):
        super().__init__()
        self.dec = dec
        self.n = dec.cfg.n_layers * dec.cfg.n_heads
        self.biased = bool(dec.cfg.window)

    def forward(self, input_ids, inputs_embeds, position_ids, num_logits, *rest):
        n = self.n
        bias, past = (rest[0], rest[1:]) if self.biased else (None, rest)   # window layout: attn_bias first
        return self.dec.step_heads(input_ids, inputs_embeds, position_ids, num_logits,
                                   list(past[:n]), list(past[n:2 * n]), list(past[2 * n:3 * n]), list(past[3 * n:]), bias)


def split_heads(kv: torch.Tensor) -> list:
    """[B, P, Ly, H, hd] -> Ly*H contiguous tensors [B, P, hd] (layer-major), the graph's past inputs."""
    return [kv[:, :, l, h].contiguous() for l in range(kv.shape[2]) for h in range(kv.shape[3])]


class CompressorGraph(torch.nn.Module):
    def __init__(self, comp):
        super().__init__()
        self.comp = comp

    def forward(self, token_ids):
        return self.comp(token_ids)


def b64(t: torch.Tensor) -> dict:
    a = t.detach().cpu().contiguous()
    dtype = 'int64' if a.dtype == torch.long else 'float32'
    arr = a.numpy().astype(np.int64 if dtype == 'int64' else np.float32)
    return {'dtype': dtype, 'dims': list(arr.shape), 'b64': base64.b64encode(arr.tobytes()).decode()}


def decoder_inputs(cfg: ModelConfig, T: int, Pa: int, Pb: int, nl: int, g: torch.Generator, entry_at=None):
    ids = torch.randint(12, cfg.vocab_size, (1, T), generator=g)
    emb = torch.zeros(1, T, cfg.d_model)
    if entry_at is not None:
        ids[0, entry_at] = -1
        emb[0, entry_at] = torch.randn(cfg.d_model, generator=g)
    pos = torch.arange(Pa + Pb, Pa + Pb + T).view(1, T)
    kv = lambda P: torch.randn(1, P, cfg.n_layers, cfg.n_heads, cfg.head_dim, generator=g) * 0.5
    ins = [ids, emb, pos, kv(Pa), kv(Pa), kv(Pb), kv(Pb), torch.tensor([nl])]
    return ins + [band_bias(T, Pa, Pb, g)] if cfg.window else ins


def band_bias(T: int, Pa: int, Pb: int, g: torch.Generator) -> torch.Tensor:
    """A window-layout attention bias [T, Pa + Pb + T] for graph tests: causal over the new inputs, and a
    random share of the past rows hidden (each input keeps its first entry, so no row is all -inf)."""
    bias = torch.zeros(T, Pa + Pb + T)
    hide = torch.rand(T, Pa + Pb, generator=g) < 0.3
    if Pa:
        hide[:, 0] = False
    bias[:, :Pa + Pb][hide] = float('-inf')
    bias[:, Pa + Pb:] = torch.zeros(T, T).masked_fill(~torch.ones(T, T, dtype=torch.bool).tril(), float('-inf'))
    return bias


def graph_inputs(ins: list) -> list:
    """decoder_inputs() (the step() layout) -> the graph's inputs, in decoder_input_names() order."""
    ids, emb, pos, ka, va, kb, vb, nl = ins[:8]
    if len(ins) > 8:                                            # window layout: the attention bias
        return [ids, emb, pos, nl, ins[8]] + split_heads(ka) + split_heads(va) + split_heads(kb) + split_heads(vb)
    return [ids, emb, pos, nl] + split_heads(ka) + split_heads(va) + split_heads(kb) + split_heads(vb)


def export_graphs(model, cfg: ModelConfig, out: Path) -> None:
    if cfg.bigram_hash or cfg.smear:
        what = 'a bigram-hash table (--bigram-hash)' if cfg.bigram_hash else 'a token shift (smear)'
        raise SystemExit(f'export: this checkpoint has {what}, which needs the token before each input; the step '
                         'graph and the engine do not read it yet: it is for training A/Bs only')
    dec = model.decoder if isinstance(model, CAT) else model
    g = torch.Generator().manual_seed(0)
    args = tuple(graph_inputs(decoder_inputs(cfg, 3, 2, 1, 2, g, entry_at=0)))
    dyn = {'input_ids': {0: 'B', 1: 'T'}, 'inputs_embeds': {0: 'B', 1: 'T'}, 'position_ids': {0: 'B', 1: 'T'},
           'logits': {0: 'B', 1: 'num_logits'}, 'new_keys': {0: 'B', 1: 'T'}, 'new_values': {0: 'B', 1: 'T'}}
    for p, layers in past_names(cfg).items():
        for n in (n for layer in layers for n in layer):
            dyn[n] = {0: 'B', 1: 'P' + p[-1]}
    if cfg.window:
        dyn[ATTN_BIAS] = {0: 'T', 1: 'S'}
    torch.onnx.export(StepGraph(dec), args, str(out / 'decoder.onnx'), input_names=decoder_input_names(cfg), output_names=DEC_OUT,
                      dynamic_axes=dyn, opset_version=17, do_constant_folding=True)
    merge_duplicates(out / 'decoder.onnx')
    if isinstance(model, CAT):
        ids = torch.randint(12, cfg.vocab_size, (2, cfg.chunk_sizes[1]), generator=g)
        torch.onnx.export(CompressorGraph(model.compressor), (ids,), str(out / 'compressor.onnx'),
                          input_names=['token_ids'], output_names=['vectors'],
                          dynamic_axes={'token_ids': {0: 'B', 1: 'C'}, 'vectors': {0: 'B'}}, opset_version=17)
        merge_duplicates(out / 'compressor.onnx')


def merge_duplicates(path: Path) -> None:
    """The tracer's repeated size and shape nodes merged (graph_cse.py): fewer nodes a decode step."""
    m = onnx.load(str(path))
    eliminate(m)
    onnx.checker.check_model(m)
    onnx.save(m, str(path))


@torch.no_grad()
def parity(model, cfg: ModelConfig, tok: Tokenizer) -> dict:
    """Inputs + PyTorch outputs for the Node parity test, and a greedy generation reference."""
    dec = model.decoder if isinstance(model, CAT) else model
    g = torch.Generator().manual_seed(1)
    cases = []
    for T, Pa, Pb, nl, entry in ((5, 3, 2, 5, 1), (1, 0, 0, 1, None), (4, 7, 0, 1, 0)):
        ins = decoder_inputs(cfg, T, Pa, Pb, nl, g, entry)
        outs = dec.step(*ins)
        cases.append({'graph': 'decoder', 'inputs': dict(zip(decoder_input_names(cfg), map(b64, graph_inputs(ins)))),
                      'outputs': dict(zip(DEC_OUT, map(b64, outs)))})
    text = b'import { readFile } from "node:fs";\n\nexport function load(path) {\n  return readFile(path, '
    prompt = [tok.special_ids['file']] + tok.encode(text)
    gens = []
    if isinstance(model, CAT):
        for C in cfg.chunk_sizes:
            ids = torch.randint(12, cfg.vocab_size, (3, C), generator=g)
            cases.append({'graph': 'compressor', 'inputs': {'token_ids': b64(ids)},
                          'outputs': {'vectors': b64(model.compressor(ids))}})
        for C in cfg.chunk_sizes[:2]:
            r = WindowRunner(model, C) if cfg.window else CatRunner(model, C)
            gens.append({'chunkSize': C, 'prompt': prompt, 'greedy': generate(r, prompt, 12),
                         'firstLogits': b64(r.prefill(prompt)[1])})
    else:
        r = DenseRunner(model)
        p = [tok.special_ids['endoftext']] + prompt
        gens.append({'chunkSize': None, 'prompt': p, 'greedy': generate(r, p, 12), 'firstLogits': b64(r.prefill(p)[1])})
    return {'tolerance': 1e-4, 'cases': cases, 'generation': gens}


def sha256(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def default_chunk_size(chunk_sizes: list, quality: dict | None) -> int:
    """The contract's default chunk size: the trained size with the lowest measured held-out bits/byte
    (what the extension's "auto" setting moves to when every size meets its latency target), else 16,
    else the smallest; 0 for dense."""
    if not chunk_sizes:
        return 0
    bpb = (quality or {}).get('bitsPerByte') or {}
    measured = [c for c in chunk_sizes if str(c) in bpb]
    if measured:
        return min(measured, key=lambda c: (bpb[str(c)], c))
    return 16 if 16 in chunk_sizes else chunk_sizes[0]


def write_contract(out: Path, name: str, cfg: ModelConfig, tok: Tokenizer, context: int, training: dict,
                   quality: dict | None = None) -> dict:
    files = ['decoder.onnx', 'tokenizer.json'] + (['compressor.onnx'] if cfg.kind == 'cat' else [])
    sp = tok.special_ids
    special = {k: sp[k] for k in ('endoftext', 'file', 'fim_prefix', 'fim_suffix', 'fim_middle', 'chunk')}
    if cfg.kind == 'cat':
        special['start'] = {str(c): sp[f'start_{c}'] for c in cfg.chunk_sizes}
    graphs = {'decoder': {'file': 'decoder.onnx', 'inputs': decoder_input_names(cfg), 'outputs': DEC_OUT,
                          'past': past_names(cfg)}}
    if cfg.kind == 'cat':
        graphs['compressor'] = {'file': 'compressor.onnx', 'inputs': ['token_ids'], 'outputs': ['vectors']}
    chunk_sizes = list(cfg.chunk_sizes) if cfg.kind == 'cat' else []
    contract = {
        'format': 'cat-onnx-contract', 'formatVersion': WINDOW_FORMAT_VERSION if cfg.window else FORMAT_VERSION,
        'name': name, 'kind': cfg.kind,
        'modelId': hashlib.sha256(''.join(sha256(out / g['file']) for g in graphs.values()).encode()).hexdigest()[:16],
        'contextLength': context,
        'chunkSizes': chunk_sizes, 'defaultChunkSize': default_chunk_size(chunk_sizes, quality),
        **({'layout': 'window', 'window': cfg.window} if cfg.window else {}),
        'dims': {'vocabSize': cfg.vocab_size, 'dModel': cfg.d_model, 'nLayers': cfg.n_layers,
                 'nHeads': cfg.n_heads, 'headDim': cfg.head_dim},
        'fim': {'maxSuffixTokens': 256},
        'tokenizer': {'file': 'tokenizer.json', 'special': special},
        'graphs': graphs,
        'files': {f: {'sha256': sha256(out / f), 'bytes': (out / f).stat().st_size} for f in files},
        'training': training,
    }
    if quality is not None:
        contract['quality'] = quality
    (out / 'contract.json').write_text(json.dumps(contract, indent=1) + '\n')
    return contract


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--ckpt', type=Path)
    ap.add_argument('--tiny', choices=['cat', 'dense', 'cat-v2', 'cat-window'])
    ap.add_argument('--tokenizer', type=Path, required=True)
    ap.add_argument('--out', type=Path, required=True)
    ap.add_argument('--context', type=int, default=4096)
    ap.add_argument('--quality-from', type=Path, help='held-out split folder (corpus/heldout): measure bits/byte')
    ap.add_argument('--quality-windows', type=int, default=64)
    ap.add_argument('--quality-tokens', type=int, default=512, help='tokens scored per window')
    ap.add_argument('--quality-seed', type=int, default=0)
    args = ap.parse_args(argv)
    if args.quality_from is not None and not args.quality_from.is_dir():
        ap.error(f'--quality-from {args.quality_from}: not a folder')
    tok = Tokenizer.load(args.tokenizer)
    training = {}
    if args.tiny:
        torch.manual_seed({'cat': 0, 'dense': 1, 'cat-v2': 2, 'cat-window': 3}[args.tiny])
        name = {'cat-v2': 'cat-tiny-v2', 'cat-window': 'cat-tiny-window'}.get(args.tiny, f'{args.tiny}-tiny')
        cfg = ModelConfig(vocab_size=tok.vocab_size, special=tok.special_ids, **PRESETS[name])
        model = build(cfg)
        with torch.no_grad():                       # zero-initialised weights (v2 recipe) get random ones too
            for p in model.parameters():
                if p.ndim >= 2 and not p.any():
                    p.normal_(0, 0.02)
        training = {'tokens': 0, 'note': 'random weights: a test fixture, not a language model'}
    else:
        ck = torch.load(args.ckpt, map_location='cpu')
        cfg = ModelConfig.from_dict(ck['config'])
        model = build(cfg)
        model.load_state_dict(ck['model'])
        st = ck['state']
        training = {'tokens': st['tokens'], 'steps': st['step'], 'wallSeconds': round(st['elapsed']),
                    'device': ck.get('device', 'cpu')}
    model.eval()
    args.out.mkdir(parents=True, exist_ok=True)
    if not (args.out / 'tokenizer.json').exists() or not (args.out / 'tokenizer.json').samefile(args.tokenizer):
        shutil.copyfile(args.tokenizer, args.out / 'tokenizer.json')   # re-export in place keeps it
    export_graphs(model, cfg, args.out)
    quality = None
    if args.quality_from is not None:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)                    # small model: one core, beside a training run
        quality = measure(model, cfg, tok, args.quality_from, args.quality_windows, args.quality_tokens, args.quality_seed)
        torch.set_num_threads(threads)
    contract = write_contract(args.out, args.out.name, cfg, tok, args.context, training, quality)
    (args.out / 'parity.json').write_text(json.dumps(parity(model, cfg, tok)) + '\n')
    print(json.dumps({'out': str(args.out), 'modelId': contract['modelId'],
                      'bytes': {k: v['bytes'] for k, v in contract['files'].items()},
                      **({'bitsPerByte': quality['bitsPerByte']} if quality else {})}))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
