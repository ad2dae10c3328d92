import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KvBlock } from '../../src/engine/kvCache';

const shape: [number, number, number] = [2, 2, 3]; // row = 12 floats

function rows(n: number, base: number): Float32Array {
  const a = new Float32Array(n * 12);
  for (let i = 0; i < a.length; i++) a[i] = base + i;
  return a;
}

test('append grows capacity and keeps rows contiguous', () => {
  const kv = new KvBlock(shape, 2);
  kv.append(rows(3, 0), rows(3, 1000), 3);
  assert.equal(kv.length, 3);
  assert.ok(kv.capacity >= 3);
  kv.append(rows(2, 100), rows(2, 2000), 2);
  assert.equal(kv.length, 5);
  assert.deepEqual(Array.from(kv.rowKeys(3)), Array.from(rows(2, 100).subarray(0, 12)));
  assert.deepEqual(Array.from(kv.rowValues(4)), Array.from(rows(2, 2000).subarray(12, 24)));
  assert.equal(kv.bytesUsed, 5 * 12 * 4 * 2);
});

test('append with an offset takes rows from the middle of the arrays', () => {
  const kv = new KvBlock(shape, 4);
  kv.append(rows(3, 0), rows(3, 500), 1, 2);
  assert.deepEqual(Array.from(kv.rowKeys(0)), Array.from(rows(3, 0).subarray(24, 36)));
  assert.throws(() => kv.append(rows(1, 0), rows(1, 0), 2), /exceed/);
});

test('rewind and truncate drop rows; view gives one [1, P, hd] tensor per layer and head without copying', () => {
  const kv = new KvBlock(shape, 8);
  kv.append(rows(4, 0), rows(4, 0), 4);
  kv.rewind(1);
  assert.equal(kv.length, 3);
  kv.rewind(10);
  assert.equal(kv.length, 0);
  kv.append(rows(4, 7), rows(4, 9), 4);
  kv.truncate(2);
  assert.equal(kv.length, 2);
  const v = kv.view();
  assert.equal(v.keys.length, 4, 'L * H tensors');
  assert.deepEqual(v.keys[0].dims, [1, 2, 3]);
  // layer 1, head 0 (index 2) of row 1 = floats 6..8 of row 1 in the [L, H, hd] layout
  assert.deepEqual(Array.from(v.keys[2].data as Float32Array).slice(3, 6), Array.from(rows(4, 7).subarray(18, 21)));
  const data = v.keys[0].data as Float32Array;
  assert.equal(data.length, 6);
  // a view shares memory with the block: appending after truncate overwrites what the view shows
  kv.truncate(1);
  kv.append(rows(1, -50), rows(1, -50), 1);
  assert.equal(data[3], -50);
  assert.throws(() => kv.view(5), /only 2 held/);
});

test('growing keeps every row; shrinkTo releases capacity', () => {
  const kv = new KvBlock(shape, 1);
  for (let i = 0; i < 40; i++) kv.append(rows(1, i * 100), rows(1, -i * 100), 1);
  assert.ok(kv.capacity >= 40);
  for (const i of [0, 17, 39]) {
    assert.deepEqual(Array.from(kv.rowKeys(i)), Array.from(rows(1, i * 100)));
    assert.deepEqual(Array.from(kv.rowValues(i)), Array.from(rows(1, -i * 100)));
  }
  kv.truncate(5);
  kv.shrinkTo();
  assert.equal(kv.capacity, 5);
  assert.equal(kv.bytesAllocated, 5 * 12 * 4 * 2);
  assert.deepEqual(Array.from(kv.rowKeys(4)), Array.from(rows(1, 400)));
});

test('maxRows protects memory', () => {
  const kv = new KvBlock(shape, 2, 3);
  kv.append(rows(3, 0), rows(3, 0), 3);
  assert.throws(() => kv.append(rows(1, 0), rows(1, 0), 1), /limit/);
});
