import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bestQualitySize, qualityOrder, tradeoffWording } from '../../src/extension/chunkSize/chunkQuality';
import { chunkChoices } from '../../src/extension/chunkSize/chunkSizeChoices';
import { LatencyBook, pickAutoChunkSize } from '../../src/extension/chunkSize/latencyBook';
import { buildStatus } from '../../src/extension/status/statusText';

const SIZES = [4, 8, 16, 32, 64];
/** As measured on held-out code for a checkpoint where larger chunks score better. */
const LARGE_BEST = { '4': 2.3411, '8': 2.2935, '16': 2.2632, '32': 2.2283, '64': 2.198 };
const SMALL_BEST = { '4': 2.1, '8': 2.2, '16': 2.3, '32': 2.4, '64': 2.5 };

function view(bitsPerByte?: Record<string, number>) {
  const b = new LatencyBook();
  b.record(16, 32, 10);
  return { setting: 16 as const, effective: 16, trained: [64, 4, 16, 8, 32], targetMsPerToken: 25, sizes: b.summaries(SIZES), bitsPerByte };
}

test('labels: measured speed and held-out bits/byte; "best quality" on the lowest bits/byte', () => {
  const ch = chunkChoices(view(LARGE_BEST));
  assert.deepEqual(ch.map((c) => c.value), ['auto', 4, 8, 16, 32, 64]);
  assert.equal(ch[1].detail, 'not measured · 2.34 bits/byte');
  assert.equal(ch[3].detail, '3.2 ms/token · 2.26 bits/byte');
  assert.equal(ch[5].detail, 'not measured · 2.20 bits/byte · best quality · fastest, least memory');
  assert.equal(ch.filter((c) => c.detail.includes('best quality')).length, 1);
  assert.match(ch[0].detail, /^best measured quality under 25 ms\/token/);
  assert.match(chunkChoices(view(SMALL_BEST))[1].detail, /2\.10 bits\/byte · best quality$/);
});

test('labels without a quality field: speed only, no quality tag', () => {
  const ch = chunkChoices(view(undefined));
  assert.ok(ch.every((c) => !/bits\/byte|best quality/.test(c.detail)));
  assert.match(ch[0].detail, /^smallest size under 25 ms\/token/);
});

test('quality order: lowest bits/byte first, ties to the smaller, unmeasured sizes last', () => {
  assert.deepEqual(qualityOrder(SIZES, LARGE_BEST), [64, 32, 16, 8, 4]);
  assert.deepEqual(qualityOrder(SIZES, { '16': 2, '32': 2, '8': 3 }), [16, 32, 8, 4, 64]);
  assert.deepEqual(qualityOrder(SIZES, undefined), SIZES);
  assert.equal(bestQualitySize(SIZES, {}), undefined);
});

test('wording follows the numbers: small C is called "quality" only when they say so', () => {
  const large = tradeoffWording(SIZES, LARGE_BEST);
  assert.equal(large.left, 'small C');
  assert.equal(large.right, 'quality and speed');
  assert.match(large.hint, /best at C = 64 \(2\.20 bits\/byte/);
  assert.equal(large.short, 'best quality at C = 64, large = faster');
  const small = tradeoffWording(SIZES, SMALL_BEST);
  assert.deepEqual([small.left, small.right, small.short], ['quality', 'speed', 'small = quality, large = speed']);
  const none = tradeoffWording(SIZES, undefined);
  assert.ok(!/quality/.test(none.left + none.right + none.short));
  assert.match(none.hint, /no measured quality/);
  assert.equal(tradeoffWording(SIZES, { '16': 2.2, '4': 2.3, '64': 2.4 }).right, 'speed');
});

test('auto: lowest measured bits/byte among sizes meeting the target', () => {
  const b = new LatencyBook();
  for (const [c, ms] of [[4, 400], [8, 200], [16, 150], [32, 120], [64, 100]]) b.record(c, ms, 10);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, LARGE_BEST), 64);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, SMALL_BEST), 8, '4 is too slow');
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, undefined), 8, 'unknown quality: smallest meeting');
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, { '16': 2.0, '8': 2.5 }), 16);
});

test('auto with quality: explores an unmeasured better size (larger ones at once)', () => {
  const b = new LatencyBook();
  b.record(16, 200, 10); // 20 ms/token: meets 25 without room to spare
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, LARGE_BEST), 32);
  b.record(32, 150, 10);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, LARGE_BEST), 64);
  b.record(64, 400, 10); // 64 measured too slow (odd, but the numbers rule)
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, LARGE_BEST), 32);
  assert.equal(pickAutoChunkSize(b.summaries(SIZES), 25, 16, SMALL_BEST), 16, 'smaller better: no room to spare, stays');
});

test('status tooltip names the held-out quality of the size in effect', () => {
  const info = { modelName: 'm', kind: 'cat' as const, chunkSizes: SIZES, defaultChunkSize: 16, contextLength: 4096, provider: { active: 'cpu', skipped: [] } };
  const engine = { kind: 'ready' as const, modelDir: '/m', info, requested: 'auto' as const };
  const tip = buildStatus({ engine, chunk: view(LARGE_BEST) }).tooltip;
  assert.match(tip, /Held-out quality at C=16: \*\*2\.26 bits\/byte\*\* \(lower is better; best: C=64, 2\.20 bits\/byte\)/);
  assert.ok(!/Held-out/.test(buildStatus({ engine, chunk: view(undefined) }).tooltip));
});
