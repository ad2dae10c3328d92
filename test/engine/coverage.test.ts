// cacheStats coverage: exact counts from the token arrays the engine already has, never a
// tokenization on the stats path, chunk keys kept per version (a second call hashes nothing);
// a single line longer than the whole-document cap still counts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { Engine } from '../../src/engine/index';
import { chunkKey } from '../../src/engine/chunkStore';
import { wholeTokens } from '../../src/engine/context';
import { encodeAll } from '../../src/engine/docTokens';
import { DocSnapshot } from '../../src/engine/documents';
import { DocTokenizer } from '../../src/engine/tokenizer';
import { TINY_CAT, sampleSource, tinyEngineLoader } from './helpers';

const { load } = tinyEngineLoader();

/** Counts tokenizer line encodes/lookups and chunk-key hashes done by the engine. */
function spy(e: Engine): () => { tokenizer: number; hashes: number } {
  let hashes = 0;
  const key = e.store.key.bind(e.store);
  e.store.key = (C, ids, from) => { hashes++; return key(C, ids, from); };
  const tokenizer = () => e.tokenizer.lineCacheHits + e.tokenizer.lineCacheMisses;
  const t0 = tokenizer();
  return () => ({ tokenizer: tokenizer() - t0, hashes });
}

/** Chunks of [file] + tokens (capped like the engine) whose vectors are in the store, hashed here. */
function exactCoverage(e: Engine, text: string, C: number, cap = Infinity): { cached: number; total: number } {
  const ids = e.tokenizer.encodeText(text);
  const seq = new Int32Array(1 + Math.min(ids.length, cap));
  seq[0] = e.contract.tokenizer.special.file;
  seq.set(ids.subarray(0, seq.length - 1), 1);
  const total = Math.floor(seq.length / C);
  let cached = 0;
  for (let i = 0; i < total; i++) if (e.store.has(chunkKey(e.contract.modelId, C, seq, i * C))) cached++;
  return { cached, total };
}

const full = (e: Engine, id: string, C = 16) => e.cacheStats(C).coverage.find((c) => c.docId === id);
/** Coverage of vectors only (decoderEntries checked apart). */
const cov = (e: Engine, id: string, C = 16) => {
  const c = full(e, id, C);
  if (!c) return c;
  const { decoderEntries: _held, decoderTotal: _total, ...rest } = c;
  return rest;
};

test('coverage: never tokenizes; keys hashed once per version; untokenized versions left out; exact after edits', async () => {
  const e = await load();
  const count = spy(e);
  const text = sampleSource(200);
  e.updateDocument('a', 1, text);
  assert.equal(cov(e, 'a'), undefined, 'a version never tokenized is left out');
  assert.deepEqual(count(), { tokenizer: 0, hashes: 0 });

  await e.complete({ docId: 'a', version: 1, offset: text.length, chunkSize: 16, mode: 'line', maxTokens: 1 });
  let before = count();
  const c1 = cov(e, 'a');
  assert.deepEqual(count(), before, 'stats after a completion at the end: no encode, every key known from it');
  assert.deepEqual(c1, { docId: 'a', ...exactCoverage(e, text, 16) });
  assert.ok(c1 && c1.total > 50 && c1.cached === c1.total, 'the completion at the end compressed every chunk');
  assert.equal(full(e, 'a')?.decoderEntries, c1.total, 'and the decoder holds every entry');

  // insert a line in the middle; complete there: chunks before it are cached, the shifted ones are not
  const lines = text.split('\n');
  lines.splice(100, 0, '  const inserted = [1, 2, 3]; // new');
  const text2 = lines.join('\n');
  e.updateDocument('a', 2, text2);
  const at = text2.indexOf('  const inserted');
  await e.complete({ docId: 'a', version: 2, offset: at, chunkSize: 16, mode: 'line', maxTokens: 1 });
  const beforeCursor = Math.floor((1 + e.tokenizer.encodeText(text2.slice(0, at)).length) / 16);
  before = count();
  const c2 = cov(e, 'a');
  const first = count();
  const c2again = cov(e, 'a');
  assert.equal(first.tokenizer, before.tokenizer, 'stats on an edited version: no encode');
  assert.ok(first.hashes - before.hashes <= (c2?.total ?? 0) - beforeCursor, `only chunks after the cursor hashed (${first.hashes - before.hashes})`);
  assert.deepEqual(count(), first, 'a second call: no encode, no hash');
  const exact2 = exactCoverage(e, text2, 16);
  assert.deepEqual(c2, { docId: 'a', ...exact2 });
  assert.deepEqual(c2again, c2);
  assert.ok(exact2.cached > 0 && exact2.cached < exact2.total, `partly cached (${exact2.cached}/${exact2.total})`);

  const held2 = full(e, 'a')?.decoderEntries ?? -1;
  assert.ok(held2 >= beforeCursor - 1 && held2 < exact2.total, `decoder entries held up to the edit (${held2})`);
  await e.warm('a', 16);
  assert.equal(full(e, 'a')?.decoderEntries, exact2.total, 'warm-up runs the decoder over every entry');
  before = count();
  assert.deepEqual(cov(e, 'a'), { docId: 'a', cached: exact2.total, total: exact2.total }, 'complete after warm-up');
  assert.deepEqual(count(), before);
  assert.equal(cov(e, 'a', 4)?.cached, 0, 'another chunk size has its own coverage');
});

test('coverage of a single line longer than the whole-document cap is not 0/0', async () => {
  const maxContextTokens = 512; // warm-up and summaries cover 4 x 512 tokens
  const e = await load({ maxContextTokens });
  const line = 'x=' + 'abc,'.repeat(6000);
  e.updateDocument('long', 1, line);
  const count = spy(e);
  assert.equal(cov(e, 'long'), undefined);
  assert.deepEqual(count(), { tokenizer: 0, hashes: 0 }, 'no encode of the long line on the stats path');
  await e.warm('long', 16);
  const c = cov(e, 'long');
  const exact = exactCoverage(e, line, 16, 4 * maxContextTokens);
  assert.equal(exact.total, Math.floor((4 * maxContextTokens + 1) / 16));
  assert.deepEqual(c, { docId: 'long', cached: exact.total, total: exact.total });
  const s = await e.summarize({ docId: 'long', version: 1, chunkSize: 16, maxPassages: 2 });
  assert.equal(s.chunks, exact.total);
  assert.equal(s.passages[0]?.startLine, 1);
});

test('wholeTokens: complete lines, then the part of the next line that fits', () => {
  const tok = DocTokenizer.fromFile(path.join(TINY_CAT, 'tokenizer.json'), 4096);
  const text = `short line\n${'word '.repeat(400)}\nlast\n`;
  const snap = new DocSnapshot('d', 1, Buffer.from(text), { ok: true });
  const dt = encodeAll(snap, tok);
  const first = dt.lineStarts[1];
  for (const cap of [first, first + 7, dt.ids.length]) {
    const w = wholeTokens(snap, tok, 1, cap, dt);
    assert.equal(w.seq.length, 1 + cap);
    assert.deepEqual(Array.from(w.seq.subarray(1)), Array.from(dt.ids.subarray(0, cap)));
    assert.equal(w.lineTokenStarts[w.lineTokenStarts.length - 1], w.seq.length);
    assert.equal(w.capped, cap < dt.ids.length);
    assert.equal(w.lines, cap === first ? 1 : cap === dt.ids.length ? snap.lineCount : 2);
    const slow = wholeTokens(snap, tok, 1, cap);
    assert.deepEqual({ ...slow, seq: Array.from(slow.seq) }, { ...w, seq: Array.from(w.seq) }, 'same without the token array');
  }
  const single = new DocSnapshot('s', 1, Buffer.from('word '.repeat(400)), { ok: true });
  const w = wholeTokens(single, tok, 1, 10, encodeAll(single, tok));
  assert.deepEqual({ len: w.seq.length, lines: w.lines, starts: w.lineTokenStarts }, { len: 11, lines: 1, starts: [1, 11] });
});
