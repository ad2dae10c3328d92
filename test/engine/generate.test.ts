// The decode loop's time budget: once the deadline has passed, generation ends at the next line
// break and keeps the complete lines (stop 'time'). The model is replaced at the SeqState seam by
// a scripted state that always predicts the next token of a fixed text, so the loop is tested alone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generate } from '../../src/engine/generate';
import { Sampler } from '../../src/engine/sampling';
import type { SeqState } from '../../src/engine/state';
import { tinyEngineLoader } from './helpers';

const { load } = tinyEngineLoader();

function scripted(ids: number[], V: number): { state: SeqState; first: Float32Array } {
  const oneHot = (id: number) => { const l = new Float32Array(V).fill(-10); l[id] = 10; return l; };
  let i = 0;
  const state = {
    kind: 'cat', rows: 0, lastPrefill: { reused: 0, computed: 0 },
    prefill: async () => oneHot(ids[0]),
    decodeOne: async () => { i++; return oneHot(ids[Math.min(i, ids.length - 1)]); },
    draftRoom: () => 0,                                   // no lookup drafting in this double
    decodeMany: async () => { throw new Error('no drafting here'); },
    rollback: () => undefined,
    contextBytes: () => 0,
    release: () => undefined,
  } satisfies SeqState;
  return { state, first: oneHot(ids[0]) };
}

test('generate: a spent time budget ends the text at the next line break (complete lines kept)', async () => {
  const e = await load();
  const V = e.contract.dims.vocabSize;
  const text = 'const a = 1;\nconst b = 2;\nconst c = 3;\n';
  const ids = Array.from(e.tokenizer.encodeText(text));
  const run = (deadline?: number) => {
    const { state, first } = scripted(ids, V);
    return generate(state, first, e.tokenizer, { maxTokens: ids.length, sampler: new Sampler(V), stopIds: new Set(), deadline });
  };
  const free = await run();
  assert.equal(free.text, text);
  assert.equal(free.stop, 'max');
  const late = await run(performance.now() - 1);
  assert.equal(late.text, 'const a = 1;');
  assert.equal(late.stop, 'time');
  const later = await run(performance.now() + 60_000);
  assert.equal(later.text, text, 'a budget not spent changes nothing');
});
