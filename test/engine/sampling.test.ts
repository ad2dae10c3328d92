import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler, seededRng } from '../../src/engine/sampling';

test('greedy picks the argmax and respects banned ids', () => {
  const l = Float32Array.from([0, 5, 1, 9]);
  assert.equal(new Sampler(4).pick(l), 3);
  assert.equal(new Sampler(4, { banned: [3] }).pick(l), 1);
});

test('seeded sampling is reproducible and top-p cuts the tail', () => {
  const l = Float32Array.from([2, 2, -20, -20]);
  const a = new Sampler(4, { temperature: 1, seed: 7 });
  const b = new Sampler(4, { temperature: 1, seed: 7 });
  const sa = Array.from({ length: 50 }, () => a.pick(l));
  const sb = Array.from({ length: 50 }, () => b.pick(l));
  assert.deepEqual(sa, sb);
  assert.ok(sa.includes(0) && sa.includes(1));
  const p = new Sampler(4, { temperature: 1, topP: 0.4, seed: 3 });
  const picks = new Set(Array.from({ length: 50 }, () => p.pick(Float32Array.from([3, 1, 0, 0]))));
  assert.deepEqual([...picks], [0]);
  assert.throws(() => new Sampler(4, { topP: 0 }), /topP/);
});

test('rng is uniform-ish in [0,1)', () => {
  const r = seededRng(1);
  let s = 0;
  for (let i = 0; i < 1000; i++) { const x = r(); assert.ok(x >= 0 && x < 1); s += x; }
  assert.ok(Math.abs(s / 1000 - 0.5) < 0.05);
});
