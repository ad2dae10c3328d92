import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyBook, pickAutoChunkSize, snapChunkSize } from '../../src/extension/chunkSize/latencyBook';
import { parseChunkSizeSetting } from '../../src/extension/chunkSize/chunkSizeSetting';
import { chunkChoices, choiceIndex, speedLabel } from '../../src/extension/chunkSize/chunkSizeChoices';

const SIZES = [4, 8, 16, 32, 64];

test('parseChunkSizeSetting', () => {
  assert.equal(parseChunkSizeSetting('auto'), 'auto');
  assert.equal(parseChunkSizeSetting(16), 16);
  assert.equal(parseChunkSizeSetting('32'), 32);
  assert.equal(parseChunkSizeSetting(-3), 'auto');
  assert.equal(parseChunkSizeSetting({}), 'auto');
});

test('snapChunkSize picks the nearest trained size, ties to the smaller', () => {
  assert.equal(snapChunkSize(16, SIZES), 16);
  assert.equal(snapChunkSize(20, SIZES), 16);
  assert.equal(snapChunkSize(24, SIZES), 16);
  assert.equal(snapChunkSize(1000, SIZES), 64);
});

test('LatencyBook medians per size; ignores empty completions', () => {
  const b = new LatencyBook();
  b.record(16, 100, 10);
  b.record(16, 300, 10);
  b.record(16, 200, 10);
  b.record(16, 50, 0);
  const s = b.summary(16);
  assert.equal(s.samples, 3);
  assert.equal(s.msPerTokenP50, 20);
  assert.equal(s.msP50, 200);
  assert.equal(b.summary(8).msPerTokenP50, undefined);
});

test('auto: default without measurements', () => {
  const b = new LatencyBook();
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16), 16);
});

test('auto: smallest measured size meeting the target', () => {
  const b = new LatencyBook();
  b.record(8, 300, 10); // 30 ms/token: too slow
  b.record(16, 200, 10); // 20: meets 25
  b.record(32, 100, 10);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16), 16);
});

test('auto: explores the next smaller size when far under target', () => {
  const b = new LatencyBook();
  b.record(16, 50, 10); // 5 ms/token << 25
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16), 8);
  b.record(8, 400, 10); // 40: too slow -> back to 16
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16), 16);
});

test('auto: nothing meets the target -> next larger unmeasured, then the fastest', () => {
  const b = new LatencyBook();
  b.record(16, 500, 10);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16), 32);
  b.record(32, 400, 10);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16), 64);
  b.record(64, 450, 10);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16), 32);
});

test('choices: auto first, every trained size labelled with its measured speed (quality unknown)', () => {
  const b = new LatencyBook();
  b.record(16, 123, 10);
  const view = { setting: 16 as const, effective: 16, trained: [16, 4, 64], targetMsPerToken: 25, sizes: b.summaries([16, 4, 64]) };
  const ch = chunkChoices(view);
  assert.deepEqual(ch.map((c) => c.value), ['auto', 4, 16, 64]);
  assert.match(ch[2].detail, /12\.3 ms\/token/);
  assert.equal(ch[1].detail, 'not measured', 'no quality in the contract: no quality tag');
  assert.match(ch[3].detail, /fastest/);
  assert.equal(choiceIndex(ch, 16), 2);
  assert.equal(choiceIndex(ch, 'auto'), 0);
  assert.equal(speedLabel(undefined), 'not measured');
});

test('per-token latency is decode time after the first token when the engine reports it', () => {
  const b = new LatencyBook();
  b.record(16, 300, 11, 200); // (300 - 200) / 10 = 10 ms/token
  b.record(32, 90, 1, 80); // one token: 90 ms/token
  assert.equal(b.summary(16).msPerTokenP50, 10);
  assert.equal(b.summary(32).msPerTokenP50, 90);
});
