import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileBootstrap, lineRow, type LineOutcome } from '../../src/eval/nextLine';

const cases = (file: string, hits: number, n: number): LineOutcome[] =>
  Array.from({ length: n }, (_, i) => ({ file, exact: i < hits ? 1 : 0, edit: i < hits ? 1 : 0.5, ms: 10 }));

test('next-line row: pooled and per-package exact match, their mean', () => {
  const outcomes = [...cases('ajv/a.js', 1, 4), ...cases('ajv/b.js', 0, 4), ...cases('torch/c.py', 3, 4)];
  const row = lineRow(outcomes, (f) => f.split('/')[0]);
  assert.equal(row.cases, 12);
  assert.equal(row.exactMatch, 4 / 12);
  assert.deepEqual(row.byPackage, { ajv: { cases: 8, exactMatch: 1 / 8 }, torch: { cases: 4, exactMatch: 3 / 4 } });
  assert.equal(row.packageMeanExactMatch, (1 / 8 + 3 / 4) / 2);
  assert.equal(row.editSimilarity, (4 * 1 + 8 * 0.5) / 12);
  const [lo, hi] = row.exactMatch95;
  assert.ok(lo <= row.exactMatch && row.exactMatch <= hi && lo < hi);
});

test('file bootstrap: files are the unit (one file = no spread), bounds inside the file rates', () => {
  assert.deepEqual(fileBootstrap(cases('a', 2, 10), 200, 1), [0.2, 0.2]);
  const [lo, hi] = fileBootstrap([...cases('a', 0, 50), ...cases('b', 50, 50)], 500, 3);
  assert.ok(lo >= 0 && hi <= 1 && lo < 0.3 && hi > 0.7, `${lo} ${hi}`);
  // many independent files give a narrow interval around the pooled rate
  const many = Array.from({ length: 400 }, (_, i) => cases(`f${i}`, i % 10 === 0 ? 1 : 0, 1)).flat();
  const [l2, h2] = fileBootstrap(many, 1000, 5);
  assert.ok(l2 > 0.06 && h2 < 0.14 && l2 < 0.1 && h2 > 0.1, `${l2} ${h2}`);
});
