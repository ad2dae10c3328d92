import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ChunkStore, chunkKey, ensureVectors, entryBytes } from '../../src/engine/chunkStore';
import { ChunkPersistence } from '../../src/engine/persist';

const D = 8;
const vec = (x: number) => new Float32Array(D).fill(x);

test('keys depend on model id, chunk size and ids', () => {
  const k = chunkKey('m1', 4, [1, 2, 3, 4]);
  assert.equal(k, chunkKey('m1', 4, [9, 1, 2, 3, 4], 1));
  assert.notEqual(k, chunkKey('m2', 4, [1, 2, 3, 4]));
  assert.notEqual(k, chunkKey('m1', 4, [1, 2, 3, 5]));
  assert.notEqual(chunkKey('m1', 2, [1, 2]), chunkKey('m1', 4, [1, 2, 0, 0]));
  assert.equal(k.length, 22);
});

test('byte accounting is exact and eviction is LRU', () => {
  const per = D * 4 + 2 * 22;
  const store = new ChunkStore('m', D, per * 3);
  const keys = [1, 2, 3, 4].map((i) => chunkKey('m', 4, [i, i, i, i]));
  keys.slice(0, 3).forEach((k, i) => store.set(k, vec(i)));
  assert.equal(store.bytes, 3 * per);
  assert.equal(store.bytes, keys.slice(0, 3).reduce((s, k) => s + entryBytes(k, vec(0)), 0));
  assert.ok(store.get(keys[0])); // keys[0] is now most recent
  store.set(keys[3], vec(3));
  assert.equal(store.entries, 3);
  assert.equal(store.bytes, 3 * per);
  assert.equal(store.has(keys[1]), false, 'least recently used was evicted');
  assert.equal(store.has(keys[0]), true);
  assert.equal(store.evictions, 1);
  assert.equal(store.hits, 1);
  store.get('nope');
  assert.equal(store.misses, 1);
  store.set('bad', new Float32Array(3));
  assert.equal(store.has('bad'), false, 'wrong width refused');
});

test('ensureVectors compresses only misses, in batches, and dedups within a request', async () => {
  const store = new ChunkStore('m', D, 1 << 20);
  const chunks = [[1, 1], [2, 2], [1, 1], [3, 3], [4, 4]];
  const keys = chunks.map((c) => chunkKey('m', 2, c));
  store.set(keys[3], vec(33));
  const calls: number[] = [];
  const compress = async (ch: ArrayLike<number>[]) => { calls.push(ch.length); return ch.map((c) => vec(c[0])); };
  const out = await ensureVectors(store, 2, chunks, keys, compress, { batch: 2 });
  assert.deepEqual(calls, [2, 1]);
  assert.deepEqual(out.map((v) => v[0]), [1, 2, 1, 33, 4]);
  const again = await ensureVectors(store, 2, chunks, keys, compress, { batch: 2 });
  assert.deepEqual(calls, [2, 1], 'all hits now');
  assert.equal(again[4][0], 4);
});

function tmpdir(): string { return fs.mkdtempSync(path.join(os.tmpdir(), 'catlm-persist-')); }

test('persistence round-trips, atomically, and ignores corrupt, truncated and foreign files', () => {
  const root = tmpdir();
  const logs: string[] = [];
  const logger = { trace() {}, debug() {}, info() {}, warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  const a = new ChunkStore('model0000000001', D, 1 << 20, logger);
  const pa = new ChunkPersistence(root, a, logger, -1);
  const keys = [1, 2, 3].map((i) => chunkKey('model0000000001', 4, [i, 0, 0, 0]));
  keys.forEach((k, i) => a.set(k, vec(i + 1)));
  pa.flush();
  const dir = path.join(root, 'model0000000001');
  const files = fs.readdirSync(dir);
  assert.equal(files.length, 1);
  assert.ok(!files.some((f) => f.endsWith('.tmp')), 'no temporary file left');
  const good = fs.readFileSync(path.join(dir, files[0]));
  // corrupt copies next to the good one
  const flipped = Buffer.from(good); flipped[flipped.length - 3] ^= 0xff;
  fs.writeFileSync(path.join(dir, 'chunks-0-corrupt.bin'), flipped);
  fs.writeFileSync(path.join(dir, 'chunks-0-trunc.bin'), good.subarray(0, good.length - 10));
  fs.writeFileSync(path.join(dir, 'chunks-0-junk.bin'), Buffer.alloc(200, 'hello'));
  const foreign = Buffer.from(good); foreign.write('othermodel000000', 20, 16, 'ascii');
  fs.writeFileSync(path.join(dir, 'chunks-0-foreign.bin'), foreign);

  const b = new ChunkStore('model0000000001', D, 1 << 20, logger);
  const pb = new ChunkPersistence(root, b, logger, -1);
  assert.equal(pb.load(), 3);
  assert.deepEqual(Array.from(b.peek(keys[2]) as Float32Array), Array.from(vec(3)));
  assert.ok(logs.some((l) => /checksum/.test(l)), 'corrupt file logged');
  assert.ok(logs.some((l) => /truncated/.test(l)), 'truncated file logged');
  assert.ok(logs.some((l) => /bad magic/.test(l)), 'junk logged');
  assert.ok(logs.some((l) => /written for model othermodel/.test(l)), 'foreign logged');
  // another model id reads another folder
  const c = new ChunkStore('model0000000002', D, 1 << 20, logger);
  assert.equal(new ChunkPersistence(root, c, logger, -1).load(), 0);
  fs.rmSync(root, { recursive: true, force: true });
});

test('persistence write failure is logged, not thrown', () => {
  const root = tmpdir();
  const file = path.join(root, 'not-a-dir');
  fs.writeFileSync(file, 'x');
  const logs: string[] = [];
  const logger = { trace() {}, debug() {}, info() {}, warn: (m: string) => logs.push(m), error() {} };
  const s = new ChunkStore('m1', D, 1 << 20, logger);
  const p = new ChunkPersistence(file, s, logger, -1);
  s.set(chunkKey('m1', 4, [1, 2, 3, 4]), vec(1));
  assert.doesNotThrow(() => p.flush());
  assert.ok(logs.some((l) => /could not write/.test(l)));
  fs.rmSync(root, { recursive: true, force: true });
});
