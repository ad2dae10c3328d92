import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AdaptiveDebounce, sleep } from '../../src/extension/inline/debounce';

const opts = { adaptive: true, baseMs: 100, maxMs: 500 };

test('fixed debounce ignores typing speed', () => {
  const d = new AdaptiveDebounce();
  for (let t = 0; t < 10; t++) d.recordKeystroke('a', t * 200);
  assert.equal(d.delayMs('a', { ...opts, adaptive: false }), 100);
});

test('adaptive: no data -> base delay', () => {
  assert.equal(new AdaptiveDebounce().delayMs('a', opts), 100);
});

test('adaptive: 1.5x the median gap of the current burst, within [base, max]', () => {
  const d = new AdaptiveDebounce();
  for (let t = 0; t < 10; t++) d.recordKeystroke('a', t * 120);
  assert.equal(d.typingGapMs('a'), 120);
  assert.equal(d.delayMs('a', opts), 180);
  const fast = new AdaptiveDebounce();
  for (let t = 0; t < 10; t++) fast.recordKeystroke('a', t * 30);
  assert.equal(fast.delayMs('a', opts), 100);
  const slow = new AdaptiveDebounce();
  for (let t = 0; t < 10; t++) slow.recordKeystroke('a', t * 900);
  assert.equal(slow.delayMs('a', opts), 500);
});

test('adaptive: pauses longer than a second are not typing gaps; documents are separate', () => {
  const d = new AdaptiveDebounce();
  [0, 5000, 10000, 15000].forEach((t) => d.recordKeystroke('a', t));
  assert.equal(d.typingGapMs('a'), undefined);
  assert.equal(d.typingGapMs('b'), undefined);
  d.forget('a');
  assert.equal(d.delayMs('a', opts), 100);
});

test('sleep resolves true after the delay, false when aborted', async () => {
  assert.equal(await sleep(5), true);
  const ac = new AbortController();
  const p = sleep(10_000, ac.signal);
  ac.abort();
  assert.equal(await p, false);
  assert.equal(await sleep(10, ac.signal), false);
});
