// Engine behaviour end to end on the tiny fixture model: requests, bad input, caches.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/index';
import { entryBytes } from '../../src/engine/chunkStore';
import { TINY_CAT, recordingLogger, sampleSource, tmpDir, tinyEngineLoader } from './helpers';

const { load, engines } = tinyEngineLoader();
const base = { version: 1, chunkSize: 16, mode: 'line' as const, maxTokens: 8 };

test('completion: fields, chunk size per request without reload, unknown chunk size refused', async () => {
  const e = await load();
  const text = sampleSource(60);
  e.updateDocument('a', 1, text);
  const r16 = await e.complete({ ...base, docId: 'a', offset: text.length });
  assert.equal(r16.chunkSize, 16);
  assert.equal(r16.provider, 'cpu');
  assert.ok(['newline', 'eos', 'max'].includes(r16.stop));
  assert.ok(!r16.text.includes('\n'));
  const r4 = await e.complete({ ...base, docId: 'a', offset: text.length, chunkSize: 4 });
  assert.equal(r4.chunkSize, 4);
  await assert.rejects(e.complete({ ...base, docId: 'a', offset: 10, chunkSize: 12 }), /chunk size 12 is not one the model tiny-cat was trained for/);
  await assert.rejects(e.complete({ ...base, docId: 'a', version: 7, offset: 10 }), /version 7 is not available/);
  await assert.rejects(e.complete({ ...base, docId: 'nope', offset: 10 }), /not open/);
});

test('streaming and abort: onToken sees growing text; an abort stops between steps', async () => {
  const e = await load();
  const text = sampleSource(30);
  e.updateDocument('a', 1, text);
  const seen: string[] = [];
  const r = await e.complete({ ...base, docId: 'a', offset: text.length, mode: 'multiline', maxTokens: 12, maxLines: 100, onToken: (t) => seen.push(t) });
  assert.ok(seen.length >= 1);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i].startsWith(seen[i - 1].slice(0, -1)) || r.stop !== 'max');
  const ac = new AbortController();
  const r2 = await e.complete({ ...base, docId: 'a', offset: text.length, mode: 'multiline', maxTokens: 50, maxLines: 100, signal: ac.signal, onToken: () => ac.abort() });
  assert.equal(r2.stop, 'aborted');
  assert.equal(r2.tokens, 1);
  const pre = new AbortController();
  pre.abort();
  assert.equal((await e.complete({ ...base, docId: 'a', offset: 5, signal: pre.signal })).stop, 'aborted');
});

test('fill-in-the-middle and sampling with a seed are reproducible', async () => {
  const e = await load();
  const text = sampleSource(30);
  e.updateDocument('a', 1, text);
  const off = text.indexOf('return total;');
  const a = await e.complete({ ...base, docId: 'a', offset: off, useSuffix: true, temperature: 0.8, topP: 0.9, seed: 42 });
  const b = await e.complete({ ...base, docId: 'a', offset: off, useSuffix: true, temperature: 0.8, topP: 0.9, seed: 42 });
  assert.equal(a.text, b.text);
  assert.ok((a.timing?.contextTokens ?? 0) > 0);
});

test('bad input: empty, NUL/invalid UTF-8 (lossless), CRLF, binary, 2 MB line, 50 MB file', async () => {
  const e = await load({ maxContextTokens: 2048 });
  assert.deepEqual(e.updateDocument('empty', 1, ''), { ok: true });
  const r0 = await e.complete({ ...base, docId: 'empty', offset: 0 });
  assert.equal(typeof r0.text, 'string');

  const weird = Buffer.concat([Buffer.from('int x = 1;\n'.repeat(30)), Buffer.from([0, 0xff, 0xfe, 0x41, 0x0a]), Buffer.from('y = 2;\n')]);
  const c1 = e.updateDocument('weird', 1, weird);
  assert.equal(c1.ok, true);
  assert.match(c1.reason ?? '', /encoded losslessly/);
  assert.deepEqual(Buffer.from(e.tokenizer.decodeBytes(e.tokenizer.encodeBytes(weird))), weird);
  await e.complete({ ...base, docId: 'weird', offset: 340 });

  const crlf = 'a = 1\r\nb = 2\r\nc = ';
  e.updateDocument('crlf', 1, crlf);
  const r1 = await e.complete({ ...base, docId: 'crlf', offset: crlf.length });
  assert.ok(!r1.text.includes('\r') && !r1.text.includes('\n'));

  const bin = Uint8Array.from({ length: 20000 }, (_, i) => (i * 131) % 256);
  const c2 = e.updateDocument('bin', 1, bin);
  assert.equal(c2.ok, false);
  assert.match(c2.reason ?? '', /^binary file/);
  await assert.rejects(e.complete({ ...base, docId: 'bin', offset: 0 }), /not open/);

  const longLine = 'x=' + 'abc,'.repeat(512 * 1024);
  const c3 = e.updateDocument('long', 1, longLine);
  assert.match(c3.reason ?? '', /minified/);
  const r3 = await e.complete({ ...base, docId: 'long', offset: longLine.length, maxTokens: 2 });
  assert.ok((r3.timing?.contextTokens ?? 0) <= 2048);

  const big = Buffer.alloc(50 * 1024 * 1024, 'let value = compute(a, b) + 1;\n');
  const c4 = e.updateDocument('big', 1, big);
  assert.equal(c4.ok, true);
  assert.match(c4.reason ?? '', /large file \(50\.0 MB\): context is capped at the 2048 tokens before the cursor/);
  const r4 = await e.complete({ ...base, docId: 'big', offset: big.length, maxTokens: 2 });
  assert.ok((r4.timing?.contextTokens ?? 0) <= 2048);
  await e.warm('big', 16);
  const cov = e.cacheStats(16).coverage.find((c) => c.docId === 'big');
  assert.ok(cov && cov.total <= (4 * 2048) / 16 + 1, 'warm-up of a huge file is capped');
  e.closeDocument('big');
});

test('cross-file context: entries of other documents, within the budget, reused next time', async () => {
  const e = await load();
  const main = sampleSource(20), other = sampleSource(50);
  e.updateDocument('main', 1, main);
  e.updateDocument('other', 1, other);
  const req = { ...base, docId: 'main', offset: main.length, contextDocIds: ['other', 'missing'], contextEntryBudget: 10 };
  const r1 = await e.complete(req);
  assert.equal(r1.timing?.contextTokens, main.length > 0 ? r1.timing?.contextTokens : 0);
  const without = await e.complete({ ...base, docId: 'main', offset: main.length });
  assert.equal((r1.timing?.contextTokens ?? 0) - (without.timing?.contextTokens ?? 0), 10 * 16, 'exactly the budget of entries');
  const r2 = await e.complete(req);
  assert.ok((r2.timing?.reusedRows ?? 0) >= 11, 'start + context entries reused');
});

test('cache: exact byte accounting, LRU eviction under a small budget, coverage, clear', async () => {
  const per = entryBytes('x'.repeat(22), new Float32Array(32));
  const e = await load({ cacheBytes: per * 50 });
  const text = sampleSource(200);
  e.updateDocument('a', 1, text);
  await e.warm('a', 16);
  const s = e.cacheStats(16);
  assert.equal(s.bytes, s.entries * per);
  assert.ok(s.entries <= 50);
  assert.equal(s.budgetBytes, per * 50);
  assert.ok(e.store.evictions > 0, 'evicted beyond the budget');
  const cov = s.coverage.find((c) => c.docId === 'a');
  assert.ok(cov && cov.total > 50 && cov.cached < cov.total, 'not every chunk fits the budget');
  e.clearCache();
  assert.equal(e.cacheStats(16).entries, 0);
});

test('persistence: vectors survive a restart; a corrupt file is skipped with a log line', async () => {
  const dir = tmpDir('catlm-persist-');
  const text = sampleSource(100);
  const e1 = await Engine.load({ modelDir: TINY_CAT, provider: 'cpu', threads: 1, persistDir: dir });
  e1.updateDocument('a', 1, text);
  await e1.warm('a', 16);
  const r1 = await e1.complete({ ...base, docId: 'a', offset: text.length });
  const n = e1.cacheStats(16).entries;
  await e1.dispose();
  const modelDir = path.join(dir, e1.info.modelId as string);
  fs.writeFileSync(path.join(modelDir, 'chunks-zzz-broken.bin'), Buffer.alloc(300, 7));
  const log = recordingLogger();
  const e2 = await load({ persistDir: dir, logger: log });
  assert.equal(e2.cacheStats(16).entries, n);
  assert.ok(log.lines.some((l) => /^warn: chunk cache: .*chunks-zzz-broken\.bin ignored: not a chunk cache file/.test(l)), log.lines.join('\n'));
  e2.updateDocument('a', 1, text);
  const r2 = await e2.complete({ ...base, docId: 'a', offset: text.length });
  assert.equal(r2.text, r1.text);
  assert.equal(e2.cacheStats(16).misses, 0, 'every chunk came from disk');
  e2.clearCache();
  assert.deepEqual(fs.readdirSync(modelDir).filter((f) => f.endsWith('.bin')), [], 'clearCache removes the files too');
});

test('summaries: passages map to real line ranges; overview is marked generated', async () => {
  const e = await load();
  const text = sampleSource(150);
  e.updateDocument('a', 1, text);
  const progress: number[] = [];
  const s = await e.summarize({ docId: 'a', version: 1, chunkSize: 16, maxPassages: 4, overview: true, onProgress: (p) => progress.push(p.done) });
  assert.ok(s.chunks > 10);
  assert.equal(s.passages.length, 4);
  const lines = text.split('\n');
  for (const p of s.passages) {
    assert.ok(p.startLine >= 1 && p.endLine >= p.startLine && p.endLine <= lines.length);
    assert.equal(p.text.split('\n')[0], lines[p.startLine - 1]);
  }
  assert.ok(progress.length > 0);
  if (s.overview !== undefined) assert.match(s.overview, /^\(generated\) /);
  const dense = await Engine.load({ modelDir: TINY_CAT.replace('tiny-cat', 'tiny-dense'), provider: 'cpu', threads: 1 });
  engines.push(dense);
  dense.updateDocument('a', 1, text);
  await assert.rejects(dense.summarize({ docId: 'a', version: 1, chunkSize: 16 }), /summaries need a cat model/);
});

test('a completion preempts background warm-up; the entries done so far are kept', async () => {
  const e = await load();
  const text = sampleSource(1500);
  e.updateDocument('big', 1, text);
  const log: string[] = [];
  const w = e.warm('big', 4, undefined, (p) => log.push(p.phase));
  // let the compression batches start, then ask for a completion
  await new Promise((r) => setTimeout(r, 5));
  const r = await e.complete({ ...base, docId: 'big', offset: text.length, chunkSize: 4, maxTokens: 1 });
  await w; // resolves (preempted or done), never throws
  assert.equal(typeof r.text, 'string');
  const again = await e.complete({ ...base, docId: 'big', offset: text.length, chunkSize: 4, maxTokens: 1 });
  assert.equal(again.timing?.computedRows, 0, 'everything reused after the first completion');
});
