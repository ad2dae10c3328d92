"""Read a dense decoder's weights back from its exported decoder.onnx into a checkpoint.

For a shipped model whose training checkpoint is gone (the first dense baseline), so that it can
be exported again with a newer exporter. Named initializers (embedding, norms, biases) map by name;
the Linear weights are the graph's unnamed MatMul initializers, which the tracer writes in module
order (per block: qkv, proj, fc1, fc2; then the head), transposed ([in, out]). The result is
checked by loading it: every parameter must be filled with the shape it expects.

  python3 -m models.pipeline.onnx_weights --onnx models/dense-code-small/decoder.onnx \
      --contract models/dense-code-small/contract.json --tokenizer models/dense-code-small/tokenizer.json \
      --preset dense-small --out models/checkpoints/dense-v1.pt
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

import onnx
import onnx.numpy_helper
import torch

from .bpe import Tokenizer
from .model import ModelConfig, build
from .train import PRESETS

LINEARS = ('qkv', 'proj', 'fc1', 'fc2')


def read_weights(onnx_path: Path, cfg: ModelConfig) -> dict:
    """decoder.onnx -> the Decoder's state dict (keys without the export wrapper's 'dec.' prefix)."""
    m = onnx.load(str(onnx_path))
    inits = {t.name: torch.from_numpy(onnx.numpy_helper.to_array(t).copy()) for t in m.graph.initializer}
    sd = {k[len('dec.'):]: v for k, v in inits.items() if k.startswith('dec.')}
    unnamed = [inits[n] for n in (t.name for t in m.graph.initializer) if n.startswith('onnx::MatMul')]
    want = cfg.n_layers * len(LINEARS) + (1 if cfg.untied else 0)
    tied_head = not cfg.untied and len(unnamed) == want + 1     # the tied head's transpose, a copy of tok.weight
    if len(unnamed) != want + (1 if tied_head else 0):
        raise SystemExit(f'{onnx_path}: {len(unnamed)} unnamed MatMul weights, expected {want} (+1 tied head)')
    it = iter(unnamed)
    for layer in range(cfg.n_layers):
        for name in LINEARS:
            sd[f'blocks.{layer}.{name}.weight'] = next(it).t().contiguous()   # [in, out] -> Linear's [out, in]
    if cfg.untied:
        sd['head'] = next(it).t().contiguous()
    elif tied_head and not torch.equal(next(it).t(), sd['tok.weight']):
        raise SystemExit(f'{onnx_path}: the head weight is not the embedding transposed (not a tied model?)')
    return sd


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument('--onnx', type=Path, required=True)
    ap.add_argument('--contract', type=Path, required=True)
    ap.add_argument('--tokenizer', type=Path, required=True)
    ap.add_argument('--preset', required=True)
    ap.add_argument('--out', type=Path, required=True)
    args = ap.parse_args(argv)
    contract = json.loads(args.contract.read_text())
    tok = Tokenizer.load(args.tokenizer)
    cfg = ModelConfig(vocab_size=tok.vocab_size, special=tok.special_ids, **PRESETS[args.preset])
    if cfg.kind != 'dense':
        raise SystemExit('only dense decoders (a CAT also has its compressor graph)')
    d = contract['dims']
    if (cfg.d_model, cfg.n_layers, cfg.n_heads) != (d['dModel'], d['nLayers'], d['nHeads']):
        raise SystemExit(f'preset {args.preset} does not match the contract dims {d}')
    model = build(cfg)
    model.load_state_dict(read_weights(args.onnx, cfg), strict=True)
    tr = contract.get('training', {})
    state = {'step': tr.get('steps', 0), 'tokens': tr.get('tokens', 0), 'elapsed': tr.get('wallSeconds', 0)}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    torch.save({'model': model.state_dict(), 'config': cfg.to_dict(), 'state': state, 'device': tr.get('device', 'cpu'),
                'recoveredFrom': str(args.onnx)}, args.out)
    print(json.dumps({'out': str(args.out), 'params': sum(p.numel() for p in model.parameters()), **state}))
    return 0


if __name__ == '__main__':
    raise SystemExit(main())
