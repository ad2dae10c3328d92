// ONNX graphs vs the PyTorch outputs the exporter recorded, and the runtime's generation
// (prefill / decodeOne) vs the PyTorch reference generation.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { Model } from '../../src/engine/model';
import { GraphRunner, argmaxRow } from '../../src/engine/runner';
import { CatState } from '../../src/engine/catState';
import { WindowState } from '../../src/engine/windowState';
import { DenseState } from '../../src/engine/state';
import { chunkKey } from '../../src/engine/chunkStore';
import { findModelDirs } from '../../src/engine/contract';
import { TINY_CAT, TINY_CAT_WINDOW, TINY_DENSE, decodeTensor, maxAbsDiff, type B64Tensor } from './helpers';

// the tiny fixtures, plus every shipped model folder that carries its exporter's parity file
const SHIPPED = findModelDirs(path.resolve(__dirname, '..', '..', 'models')).map((m) => m.dir).filter((d) => fs.existsSync(path.join(d, 'parity.json')));

interface Parity {
  tolerance: number;
  cases: { graph: 'decoder' | 'compressor'; inputs: Record<string, B64Tensor>; outputs: Record<string, B64Tensor> }[];
  generation: { chunkSize: number | null; prompt: number[]; greedy: number[]; firstLogits: B64Tensor }[];
}

const models: Model[] = [];
after(async () => { for (const m of models) await m.dispose(); });

for (const dir of [TINY_CAT, path.join(path.dirname(TINY_CAT), 'tiny-cat-v2'), TINY_CAT_WINDOW, TINY_DENSE, ...SHIPPED]) {
  const name = path.basename(dir);
  const parity = JSON.parse(fs.readFileSync(path.join(dir, 'parity.json'), 'utf8')) as Parity;

  test(`${name}: graph outputs match PyTorch within ${parity.tolerance}`, async () => {
    const model = await Model.load(dir, { provider: 'cpu', threads: 1 });
    models.push(model);
    assert.ok(parity.cases.length >= 3);
    for (const c of parity.cases) {
      const session = c.graph === 'decoder' ? model.decoder : model.compressor;
      assert.ok(session, `${c.graph} session`);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [k, t] of Object.entries(c.inputs)) {
        const { dims, data } = decodeTensor(t);
        feeds[k] = new ort.Tensor(t.dtype, data, dims);
      }
      const out = await session.run(feeds);
      for (const [k, t] of Object.entries(c.outputs)) {
        const want = decodeTensor(t);
        assert.deepEqual(out[k].dims, want.dims, `${c.graph}.${k} dims`);
        const d = maxAbsDiff(out[k].data as Float32Array, want.data as Float32Array);
        assert.ok(d <= parity.tolerance, `${c.graph}.${k}: max |diff| ${d}`);
      }
    }
  });

  test(`${name}: runtime generation equals the PyTorch reference (first logits, 12 greedy tokens)`, async () => {
    const model = await Model.load(dir, { provider: 'cpu', threads: 1 });
    models.push(model);
    const run = new GraphRunner(model);
    const c = model.contract;
    const V = c.dims.vocabSize;
    for (const g of parity.generation) {
      const C = g.chunkSize ?? 0;
      const sp = { chunk: c.tokenizer.special.chunk as number, start: c.tokenizer.special.start };
      const vectors = async (_C: number, chunks: ArrayLike<number>[]) => run.compress(chunks, _C);
      const keyOf = (cc: number, ids: ArrayLike<number>, from: number) => chunkKey(c.modelId, cc, ids, from);
      const state = c.kind === 'dense' ? new DenseState(run, c.tokenizer.special.endoftext)
        : c.layout === 'window' ? new WindowState(run, sp, c.window as number, vectors, keyOf) : new CatState(run, sp, vectors, keyOf);
      // the dense reference prompt already starts with [endoftext]; DenseState adds it itself
      const prompt = Int32Array.from(c.kind === 'dense' ? g.prompt.slice(1) : g.prompt);
      let logits = await state.prefill(prompt, { chunkSize: C });
      const first = decodeTensor(g.firstLogits).data as Float32Array;
      const d = maxAbsDiff(logits, first);
      assert.ok(d <= parity.tolerance, `first logits max |diff| ${d}`);
      const got: number[] = [];
      for (let i = 0; i < g.greedy.length; i++) {
        const id = argmaxRow(logits, V);
        got.push(id);
        logits = await state.decodeOne(id);
      }
      assert.deepEqual(got, g.greedy, `greedy tokens (C=${C})`);
    }
  });
}

test('with 2 threads, small decoder calls go to a one-thread step session with the same outputs', async () => {
  const two = await Model.load(TINY_CAT, { provider: 'cpu', threads: 2 });
  const one = await Model.load(TINY_CAT, { provider: 'cpu', threads: 1 });
  models.push(two, one);
  assert.ok(two.decoderStep, 'step session on cpu with threads > 1');
  assert.equal(one.decoderStep, undefined);
  const r2 = new GraphRunner(two), r1 = new GraphRunner(one);
  const ids = Array.from({ length: 40 }, (_, i) => 20 + i);
  for (const T of [1, 40]) {
    const inp = { ids: ids.slice(0, T), positions: ids.slice(0, T).map((_, i) => i), numLogits: 1 };
    const [a, b] = [await r2.decode(inp, null, null), await r1.decode(inp, null, null)];
    assert.ok(maxAbsDiff(a.logits, b.logits) <= 1e-4 && maxAbsDiff(a.newKeys, b.newKeys) <= 1e-4, `T=${T}`);
  }
});
