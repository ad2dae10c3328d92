// Read-ahead and warm-up keep the decoder rows a later request reuses: after a completion that
// extended block a, the engine computes the window's next entries (a request further down then
// computes only its own suffix entries), and warm-up uses the last completion's cross-file
// context, so its rows are the ones completions use (before, warm-up and completions with other
// files open recomputed the whole window in turn).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Engine } from '../../src/engine/index';
import { argmaxRow } from '../../src/engine/runner';
import { maxAbsDiff, sampleSource, tinyEngineLoader, withFile } from './helpers';

const TOL = 1e-4;
const { load } = tinyEngineLoader();


test('CatState.readAhead extends block a past the current sequence without changing it; a later request reuses the rows', async () => {
  const engine = await load();
  const V = engine.contract.dims.vocabSize;
  const sp = engine.contract.tokenizer.special;
  const C = 8;
  const whole = withFile(sp.file, engine.tokenizer.encodeText(sampleSource(40)));
  const at = (f: number) => whole.subarray(0, Math.floor(whole.length * f));
  const st = engine.newState();
  const l1 = await st.prefill(at(0.4), { chunkSize: C });
  assert.equal(st.lastPrefill.grewA, true, 'a cold prefill extends block a');
  const ahead = await st.readAhead?.(whole, { chunkSize: C, pieceSize: 3 });
  assert.equal(ahead, Math.floor(whole.length / C) - Math.floor(at(0.4).length / C), 'read-ahead computed the entries after the cursor');
  // the current sequence is unchanged: greedy decoding continues as without the read-ahead
  const plain = engine.newState();
  let a = await st.decodeOne(argmaxRow(l1, V));
  let b = await plain.decodeOne(argmaxRow(await plain.prefill(at(0.4), { chunkSize: C }), V));
  for (let i = 0; i < 2 * C; i++) {
    assert.ok(maxAbsDiff(a, b) <= TOL, `step ${i}`);
    const id = argmaxRow(a, V);
    a = await st.decodeOne(id);
    b = await plain.decodeOne(id);
  }
  // a request further down computes no entry of block a, and equals a fresh run
  const got = await st.prefill(at(0.8), { chunkSize: C });
  assert.equal(st.lastPrefill.computed, 0, 'the read-ahead rows were reused');
  assert.equal(st.lastPrefill.grewA, false);
  assert.ok(maxAbsDiff(got, await engine.newState().prefill(at(0.8), { chunkSize: C })) <= TOL);
  assert.equal(await st.readAhead?.(whole, { chunkSize: C }), 0, 'nothing left to read ahead');
  // block a diverging from the sequence: no read-ahead
  const other = whole.slice();
  other[5] = other[5] === 1 ? 2 : 1;
  assert.equal(await st.readAhead?.(other, { chunkSize: C }), 0);
});

async function longDoc(e: Engine): Promise<{ text: string; offsets: number[] }> {
  const text = sampleSource(300);
  e.updateDocument('long', 1, text);
  const lines = text.split('\n');
  const offsets: number[] = [];
  let o = 0;
  for (const l of lines) { o += l.length + 1; offsets.push(o - 1); }
  return { text, offsets };
}

test('Engine: a completion reads ahead in the background; the next one further down computes only its suffix entries', async () => {
  const e = await load();
  const { offsets } = await longDoc(e);
  const req = (line: number) => e.complete({ docId: 'long', version: 1, offset: offsets[line], chunkSize: 8, mode: 'line', maxTokens: 2, useSuffix: true });
  const first = await req(60);
  assert.ok((first.timing?.computedRows ?? 0) > 100, 'a cold request computes its entries');
  await e.settled();
  const second = await req(90);
  const suffixEntries = Math.ceil((e.contract.fim?.maxSuffixTokens ?? 256) / 8) + 1;
  assert.ok((second.timing?.computedRows ?? Infinity) <= suffixEntries, `30 lines further: only the suffix's entries ran (${second.timing?.computedRows})`);
  // the same request on a fresh engine gives the same text
  const fresh = await load();
  await longDoc(fresh);
  const want = await fresh.complete({ docId: 'long', version: 1, offset: offsets[90], chunkSize: 8, mode: 'line', maxTokens: 2, useSuffix: true });
  assert.equal(second.text, want.text);
});

test('Engine.warm uses the last completion\'s cross-file context: warm-up and completions share their rows', async () => {
  const e = await load();
  const { offsets } = await longDoc(e);
  const other = sampleSource(60).replace(/step/g, 'other');
  e.updateDocument('other', 1, other);
  const req = (line: number) => e.complete({
    docId: 'long', version: 1, offset: offsets[line], chunkSize: 8, mode: 'line', maxTokens: 2, useSuffix: true,
    contextDocIds: ['other'], contextEntryBudget: 40,
  });
  await req(100);
  await e.settled();
  await e.warm('long', 8);
  const cov = e.cacheStats(8).coverage.find((c) => c.docId === 'long');
  assert.ok(cov && cov.decoderTotal && cov.decoderEntries === cov.decoderTotal, `warm-up holds the window with the context entries (${cov?.decoderEntries}/${cov?.decoderTotal})`);
  const next = await req(140);
  const suffixEntries = Math.ceil((e.contract.fim?.maxSuffixTokens ?? 256) / 8) + 1;
  assert.ok((next.timing?.computedRows ?? Infinity) <= suffixEntries, `the completion after warm-up reused its rows (computed ${next.timing?.computedRows})`);
});
