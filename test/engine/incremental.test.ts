// Incremental generation (cached entries reused across edits, chunk boundaries crossed while
// decoding) equals from-scratch runs: greedy tokens equal, logits within 1e-4.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { argmaxRow } from '../../src/engine/runner';
import { scoreCat, scoreDense } from '../../src/engine/scoring';
import type { SeqState } from '../../src/engine/state';
import { TINY_CAT, TINY_DENSE, maxAbsDiff, sampleSource, tinyEngineLoader, withFile } from './helpers';

const TOL = 1e-4;
const { load } = tinyEngineLoader();


async function greedy(state: SeqState, logits: Float32Array, V: number, n: number): Promise<{ ids: number[]; logits: Float32Array[] }> {
  const ids: number[] = [];
  const all: Float32Array[] = [];
  for (let i = 0; i < n; i++) {
    all.push(logits.slice());
    const id = argmaxRow(logits, V);
    ids.push(id);
    logits = await state.decodeOne(id);
  }
  return { ids, logits: all };
}

for (const [dir, C] of [[TINY_CAT, 4], [TINY_CAT, 16], [TINY_DENSE, 0]] as const) {
  test(`${dir.split('/').pop()} C=${C}: after edits, reused state == fresh state == teacher-forced scoring`, async () => {
    const engine = await load({ modelDir: dir });
    const V = engine.contract.dims.vocabSize;
    const tok = engine.tokenizer;
    const fileId = engine.contract.tokenizer.special.file;
    const seqOf = (text: string) => withFile(fileId, tok.encodeText(text));
    const text1 = sampleSource(40);
    const lines = text1.split('\n');
    lines[17] = '  const edited = input.length * 2; // changed';
    const text2 = lines.join('\n');
    const seq1 = seqOf(text1), seq2 = seqOf(text2);

    const reused = engine.newState();
    await greedy(reused, await reused.prefill(seq1, { chunkSize: C }), V, 9);
    const l2 = await reused.prefill(seq2, { chunkSize: C });
    assert.ok(reused.lastPrefill.reused > 1, 'the prefix before the edit was reused');
    assert.ok(reused.lastPrefill.computed < (C ? seq2.length / C : seq2.length), 'not everything was recomputed');
    const a = await greedy(reused, l2, V, 20);

    const fresh = engine.newState();
    const b = await greedy(fresh, await fresh.prefill(seq2, { chunkSize: C }), V, 20);
    assert.deepEqual(a.ids, b.ids, 'greedy tokens equal');
    for (let i = 0; i < a.logits.length; i++) {
      const d = maxAbsDiff(a.logits[i], b.logits[i]);
      assert.ok(d <= TOL, `step ${i}: logits differ by ${d}`);
    }
    // teacher forcing over seq2 + generated tokens: one segment call per chunk, all chunks batched
    const full = new Int32Array(seq2.length + a.ids.length);
    full.set(seq2);
    full.set(a.ids, seq2.length);
    const ref = new Map<number, Float32Array>();
    const onLogits = (t: number, row: Float32Array) => { if (t >= seq2.length) ref.set(t, row.slice()); };
    const sp = engine.contract.tokenizer.special;
    if (C) await scoreCat(engine.runner, sp, full, C, (c, ch, k) => engine.vectors(c, ch, k), (c, x, f) => engine.store.key(c, x, f), { onLogits });
    else await scoreDense(engine.runner, sp, full, { onLogits });
    for (let i = 0; i < a.ids.length; i++) {
      const d = maxAbsDiff(a.logits[i], ref.get(seq2.length + i) as Float32Array);
      assert.ok(d <= TOL, `scored position ${i}: logits differ by ${d}`);
    }
  });
}

test('Engine.complete: warm engine after edits and other requests == fresh engine (greedy text)', async () => {
  const warm = await load();
  let text = sampleSource(80);
  warm.updateDocument('doc', 1, text);
  await warm.warm('doc', 8);
  const req = (version: number, offset: number) => ({ docId: 'doc', version, offset, chunkSize: 8, mode: 'multiline' as const, maxTokens: 24, maxLines: 50 });
  await warm.complete(req(1, text.length));
  await warm.complete({ ...req(1, 100), chunkSize: 4 });
  text = text.replace('step7(', 'stepSeven(');
  warm.updateDocument('doc', 2, text);
  const offset = text.indexOf('return total;', 2000);
  const r1 = await warm.complete(req(2, offset));
  assert.ok((r1.timing?.reusedRows ?? 0) > 0);
  const fresh = await load();
  fresh.updateDocument('doc', 2, text);
  const r2 = await fresh.complete(req(2, offset));
  assert.equal(r1.text, r2.text);
  assert.equal(r1.tokens, r2.tokens);
  assert.equal(r2.timing?.reusedRows, 0);
});

test('concurrent edit + requests: each request sees exactly its own version', async () => {
  const e = await load();
  const v1 = sampleSource(60);
  const v2 = v1.replace('step13(', 'renamed13(').replace(/return total;\n}\n$/, 'return total * 2;\n}\n');
  const req = (version: number, text: string) => ({ docId: 'c', version, offset: text.length - 3, chunkSize: 4, mode: 'line' as const, maxTokens: 10 });
  e.updateDocument('c', 1, v1);
  const p1 = e.complete(req(1, v1));
  e.updateDocument('c', 2, v2); // arrives while request 1 is queued/running
  const p2 = e.complete(req(2, v2));
  const p1again = e.complete(req(1, v1)); // an older version still held is served as itself
  const [r1, r2, r1b] = await Promise.all([p1, p2, p1again]);
  const fresh = async (text: string) => {
    const f = await load();
    f.updateDocument('c', 9, text);
    return f.complete({ ...req(9, text) });
  };
  assert.equal(r1.text, (await fresh(v1)).text);
  assert.equal(r2.text, (await fresh(v2)).text);
  assert.equal(r1b.text, r1.text);
});

test('cat: a prefill that shares the current segment with the last one reuses its rows and equals a fresh run', async () => {
  const engine = await load();
  const V = engine.contract.dims.vocabSize;
  const C = 16;
  const base = engine.tokenizer.encodeText(sampleSource(12));
  const seq = (n: number) => withFile(engine.contract.tokenizer.special.file, base.slice(0, n));
  const n0 = Math.floor(base.length / C) * C - 8; // [file] + n0 tokens: 9 tokens into a segment
  const st = engine.newState();
  await st.prefill(seq(n0), { chunkSize: C });
  // typing: each prefill extends the last one by a token (sometimes across a chunk boundary)
  for (const n of [n0 + 1, n0 + 3, n0 + 3, n0 + 2, n0 + 9, n0 + 12]) {
    const got = await st.prefill(seq(n), { chunkSize: C });
    const kept = st.lastPrefill.segmentReused ?? 0;
    const fresh = engine.newState();
    const want = await fresh.prefill(seq(n), { chunkSize: C });
    const d = maxAbsDiff(got, want);
    assert.ok(d <= TOL, `prefill of ${n} tokens (segment rows kept: ${kept}): logits differ by ${d}`);
    assert.equal(argmaxRow(got, V), argmaxRow(want, V));
    if (n === n0 + 3) assert.ok(kept >= 1, 'segment rows reused');
  }
  // after generating into the segment, a prefill of the generated text reuses those rows too
  const g = await greedy(st, await st.prefill(seq(n0), { chunkSize: C }), V, 4);
  const s2 = new Int32Array(n0 + 1 + 3);
  s2.set(seq(n0));
  s2.set(g.ids.slice(0, 3), n0 + 1);
  const got = await st.prefill(s2, { chunkSize: C });
  assert.equal(st.lastPrefill.segmentReused, 1 + 9 + 2, 'chunk separator + 9 typed + two generated tokens kept (the third reruns for its logits)');
  const want = await engine.newState().prefill(s2, { chunkSize: C });
  assert.ok(maxAbsDiff(got, want) <= TOL);
});

test('cat: a request that diverges in a few entries branches (block a kept) and equals fresh runs, across chunk boundaries', async () => {
  const engine = await load();
  const V = engine.contract.dims.vocabSize;
  const sp = engine.contract.tokenizer.special;
  const C = 8;
  const body = engine.tokenizer.encodeText(sampleSource(30));
  const whole = withFile(sp.file, body);
  const st = engine.newState();
  await st.prefill(whole, { chunkSize: C });
  const wholeEntries = 1 + Math.floor(whole.length / C);
  // fill-in-the-middle at 60% of the document: prefix chunks shared, suffix chunks new
  const cut = Math.floor(body.length * 0.6);
  const suffix = body.slice(cut, cut + 40);
  const fim = new Int32Array([...withFile(sp.file, body.slice(0, cut)), sp.fim_suffix, ...suffix, sp.fim_middle]);
  const got = await greedy(st, await st.prefill(fim, { chunkSize: C }), V, 2 * C + 3);
  assert.ok(st.lastPrefill.computed <= Math.ceil((fim.length - cut) / C) + 1, `only the entries after the divergence ran (computed ${st.lastPrefill.computed})`);
  const fresh = engine.newState();
  const want = await greedy(fresh, await fresh.prefill(fim, { chunkSize: C }), V, 2 * C + 3);
  assert.deepEqual(got.ids, want.ids, 'greedy tokens equal');
  got.logits.forEach((l, i) => assert.ok(maxAbsDiff(l, want.logits[i]) <= TOL, `step ${i}`));
  // block a still holds the whole document: a request at its end computes no entry
  const again = await st.prefill(whole, { chunkSize: C });
  assert.equal(st.lastPrefill.computed, 0, 'block a was kept by the branch');
  assert.equal(st.lastPrefill.reused, wholeEntries);
  assert.ok(maxAbsDiff(again, await engine.newState().prefill(whole, { chunkSize: C })) <= TOL);
  // a second FIM request at the same place reuses the branch's rows
  await st.prefill(fim, { chunkSize: C });
  const b2 = await st.prefill(fim, { chunkSize: C });
  assert.equal(st.lastPrefill.computed, 0, 'the same branch again: nothing recomputed');
  assert.ok(maxAbsDiff(b2, want.logits[0]) <= TOL);
});

test('cat: fill-in-the-middle suffix entries stay out of block a (stableChunks), so moving on in the document keeps it', async () => {
  const engine = await load();
  const sp = engine.contract.tokenizer.special;
  const C = 8;
  const body = engine.tokenizer.encodeText(sampleSource(30));
  const prefixOf = (cut: number) => withFile(sp.file, body.slice(0, cut));
  const fimAt = (cut: number) => {
    const pre = prefixOf(cut);
    return { seq: new Int32Array([...pre, sp.fim_suffix, ...body.slice(cut, cut + 60), sp.fim_middle]), stableChunks: Math.floor(pre.length / C) };
  };
  const st = engine.newState();
  const f1 = fimAt(Math.floor(body.length * 0.3));
  await st.prefill(f1.seq, { chunkSize: C, stableChunks: f1.stableChunks });
  const f2 = fimAt(Math.floor(body.length * 0.5));
  const l2 = await st.prefill(f2.seq, { chunkSize: C, stableChunks: f2.stableChunks });
  const fimEntries = Math.floor(f2.seq.length / C) - f2.stableChunks;
  assert.equal(st.lastPrefill.computed, (f2.stableChunks - f1.stableChunks) + fimEntries, 'new prefix chunks + the suffix\'s entries, nothing of the first request\'s suffix');
  assert.ok(maxAbsDiff(l2, await engine.newState().prefill(f2.seq, { chunkSize: C })) <= TOL);
  // back to the first place: block a holds its prefix, only its suffix entries run
  const l1 = await st.prefill(f1.seq, { chunkSize: C, stableChunks: f1.stableChunks });
  assert.equal(st.lastPrefill.computed, Math.floor(f1.seq.length / C) - f1.stableChunks);
  assert.ok(maxAbsDiff(l1, await engine.newState().prefill(f1.seq, { chunkSize: C })) <= TOL);
});
