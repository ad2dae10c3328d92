// The window layout (tiny-cat-window, W = 8, 2 layers): reused states equal fresh ones and
// teacher-forced scoring after edits near and far from the cursor, while typing, drafting and
// rolling back; the engine completes with it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmaxRow } from '../../src/engine/runner';
import { scoreWindow } from '../../src/engine/scoring';
import type { SeqState } from '../../src/engine/state';
import { windowBias } from '../../src/engine/windowState';
import { TINY_CAT_WINDOW, maxAbsDiff, sampleSource, tinyEngineLoader, withFile } from './helpers';

const TOL = 1e-5;
const { load } = tinyEngineLoader();
const loadWindow = () => load({ modelDir: TINY_CAT_WINDOW });

async function greedy(state: SeqState, logits: Float32Array, V: number, n: number): Promise<{ ids: number[]; logits: Float32Array[] }> {
  const ids: number[] = [], all: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    all.push(logits.slice());
    const id = argmaxRow(logits, V);
    ids.push(id);
    logits = await state.decodeOne(id);
  }
  return { ids, logits: all };
}

test('windowBias: entries up to the input\'s chunk, window rows and inputs of the last W positions', () => {
  const b = windowBias([9, 10], 4, [3, 5, 8], 4, 4);       // C = 4, W = 4; inputs at 9 and 10
  const row = (q: number) => Array.from(b.subarray(q * 9, q * 9 + 9), (x) => (x === 0 ? 1 : 0));
  assert.deepEqual(row(0), [1, 1, 1, 0, 0, 0, 1, 1, 0]);     // entries 0..2; rows at 8; itself
  assert.deepEqual(row(1), [1, 1, 1, 0, 0, 0, 1, 1, 1]);     // 10 / 4 = 2 too; rows 8 (10 - 8 < 4), 9, itself
});

for (const C of [4, 8]) {
  test(`C=${C}: after an edit far back, one near the cursor, and typing, reused state == fresh state == teacher-forced scoring`, async () => {
    const engine = await loadWindow();
    const V = engine.contract.dims.vocabSize;
    const seqOf = (text: string) => withFile(engine.contract.tokenizer.special.file, engine.tokenizer.encodeText(text));
    const text1 = sampleSource(30);
    const lines = text1.split('\n');
    const far = [...lines];
    far[5] = '  const edited = input.length * 2; // changed';
    const near = far.join('\n').slice(0, -12) + 'x + 1;\n}\n';
    const reused = engine.newState();
    await greedy(reused, await reused.prefill(seqOf(text1), { chunkSize: C }), V, 5);
    for (const [what, text] of [['far', far.join('\n')], ['near', near], ['typed', near + '  ret'], ['typed more', near + '  return']] as const) {
      const seq = seqOf(text);
      const got = await reused.prefill(seq, { chunkSize: C });
      if (what !== 'far') assert.ok((reused.lastPrefill.segmentReused ?? 0) > 0, `${what}: window rows reused`);
      const a = await greedy(reused, got, V, 2 * C + 3);       // across chunk boundaries
      const fresh = engine.newState();
      const b = await greedy(fresh, await fresh.prefill(seq, { chunkSize: C }), V, 2 * C + 3);
      assert.deepEqual(a.ids, b.ids, `${what}: greedy tokens`);
      a.logits.forEach((l, i) => assert.ok(maxAbsDiff(l, b.logits[i]) <= TOL, `${what}: step ${i}`));
      const full = new Int32Array(seq.length + a.ids.length);
      full.set(seq);
      full.set(a.ids, seq.length);
      const ref = new Map<number, Float32Array>();
      await scoreWindow(engine.runner, engine.contract.tokenizer.special, full, C, engine.contract.window as number,
        (c, ch, k) => engine.vectors(c, ch, k), (c, x, f) => engine.store.key(c, x, f),
        { onLogits: (t, row) => { if (t >= seq.length) ref.set(t, row.slice()); } });
      a.logits.forEach((l, i) => assert.ok(maxAbsDiff(l, ref.get(seq.length + i) as Float32Array) <= TOL, `${what}: scored ${i}`));
    }
  });
}

test('decodeMany == decodeOne within a chunk, and a rollback returns to the same state', async () => {
  const engine = await loadWindow();
  const C = 8;
  const seq = withFile(engine.contract.tokenizer.special.file, engine.tokenizer.encodeText(sampleSource(10)));
  const cut = seq.subarray(0, Math.floor(seq.length / C) * C - 7);   // one token into a chunk
  const one = engine.newState(), many = engine.newState();
  await one.prefill(cut, { chunkSize: C });
  await many.prefill(cut, { chunkSize: C });
  const draft = [30, 31, 32, 33];
  assert.ok(many.draftRoom() >= draft.length);
  const rows = await many.decodeMany(draft);
  for (let i = 0; i < draft.length; i++) {
    const l = await one.decodeOne(draft[i]);
    assert.ok(maxAbsDiff(l, rows[i]) <= TOL, `draft token ${i}`);
  }
  many.rollback(3);
  const after = await many.decodeOne(40);
  const fresh = engine.newState();
  const s2 = new Int32Array(cut.length + 2);
  s2.set(cut);
  s2.set([30, 40], cut.length);
  assert.ok(maxAbsDiff(after, await fresh.prefill(s2, { chunkSize: C })) <= TOL);
});

test('Engine with a window model: completes, warm after an edit == fresh, and scores bits/byte', async () => {
  const warm = await loadWindow();
  let text = sampleSource(60);
  warm.updateDocument('doc', 1, text);
  const req = (version: number, offset: number) => ({ docId: 'doc', version, offset, chunkSize: 8, mode: 'multiline' as const, maxTokens: 20, maxLines: 50 });
  await warm.complete(req(1, text.length));
  text = text.replace('step7(', 'stepSeven(');
  warm.updateDocument('doc', 2, text);
  const offset = text.indexOf('return total;', 1500);
  const r1 = await warm.complete(req(2, offset));
  assert.ok((r1.timing?.reusedRows ?? 0) > 0);
  const fresh = await loadWindow();
  fresh.updateDocument('doc', 2, text);
  const r2 = await fresh.complete(req(2, offset));
  assert.equal(r1.text, r2.text);
  const ev = await fresh.evaluate(Buffer.from(text.slice(0, 800)), 4);
  assert.ok(ev.bitsPerByte > 0 && ev.tokens > 100, `${ev.bitsPerByte} bits/byte over ${ev.tokens} tokens`);
});

test('deleting 1..W+4 tokens after a prefill that recomputed its span: reused rows are exact ones only', async () => {
  const engine = await loadWindow();
  const W = engine.contract.window as number;
  const base = withFile(engine.contract.tokenizer.special.file, engine.tokenizer.encodeText(sampleSource(30)));
  for (const C of [4, 8]) {
    for (let k = 1; k <= W + 4; k++) {
      const st = engine.newState();
      await st.prefill(base, { chunkSize: C });                 // far longer than the span: recomputed before the end
      const cut = base.subarray(0, base.length - k);
      const got = await st.prefill(cut, { chunkSize: C });
      if (k <= W) assert.ok((st.lastPrefill.segmentReused ?? 0) > 0, `C=${C}, ${k} deleted: rows reused`);
      const d = maxAbsDiff(got, await engine.newState().prefill(cut, { chunkSize: C }));
      assert.ok(d <= 1e-5, `C=${C}, ${k} deleted: logits differ by ${d} (a row computed without its whole window reused?)`);
    }
  }
});
