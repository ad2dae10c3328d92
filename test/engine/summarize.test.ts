import { test } from 'node:test';
import assert from 'node:assert/strict';
import { passageSpans, rankPassages } from '../../src/engine/summarize';

test('passages are line-aligned and cover the chunks they overlap', () => {
  // 6 lines of 40 tokens each, after [file] at 0
  const starts = [1, 41, 81, 121, 161, 201, 241];
  const spans = passageSpans(starts, 16, 15, (l) => l === 2, 60, 200);
  assert.deepEqual(spans.map((s) => [s.startLine, s.endLine]), [[0, 1], [2, 5]]);
  assert.equal(spans[0].chunkFrom, 0);
  assert.equal(spans[0].chunkTo, Math.ceil(81 / 16));
  assert.ok(spans.every((s) => s.chunkTo <= 15));
});

test('ranking prefers central passages and then diverse ones', () => {
  const v = (...x: number[]) => Float32Array.from(x);
  const vectors = [v(1, 0, 0), v(1, 0.1, 0), v(0.9, 0.2, 0), v(0, 0, 1)];
  const spans = vectors.map((_, i) => ({ startLine: i, endLine: i, chunkFrom: i, chunkTo: i + 1 }));
  const r = rankPassages(spans, vectors, 3, 0.5);
  assert.equal(r.length, 3);
  assert.ok([0, 1, 2].includes(r[0].startLine), 'a central passage first');
  assert.ok(r[0].score >= r[1].score || r[1].startLine === 3);
  assert.ok(r.some((p) => p.startLine === 3), 'the outlier is picked for diversity');
  assert.deepEqual(rankPassages([], [], 3), []);
});
