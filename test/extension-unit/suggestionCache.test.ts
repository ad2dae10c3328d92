import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SuggestionCache, type SuggestionKey } from '../../src/extension/inline/suggestionCache';

const key = (linePrefix: string, extra: Partial<SuggestionKey> = {}): SuggestionKey => ({
  docId: 'file:///a.ts',
  line: 3,
  linePrefix,
  lineSuffix: '',
  previousLine: 'function f() {',
  chunkSize: 16,
  ...extra,
});

test('typing through a suggestion reuses its remainder', () => {
  const c = new SuggestionCache();
  c.remember(key('  const x = '), 'compute(1, 2);');
  assert.equal(c.lookup(key('  const x = ')), 'compute(1, 2);');
  assert.equal(c.lookup(key('  const x = comp')), 'ute(1, 2);');
  assert.equal(c.lookup(key('  const x = compute(1, 2')), ');');
});

test('diverging text, finished suggestion, other line/doc/context/chunk size: no reuse', () => {
  const c = new SuggestionCache();
  c.remember(key('  const x = '), 'compute(1, 2);');
  assert.equal(c.lookup(key('  const x = coX')), undefined);
  assert.equal(c.lookup(key('  const x = compute(1, 2);')), undefined);
  assert.equal(c.lookup(key('  const x = ', { line: 4 })), undefined);
  assert.equal(c.lookup(key('  const x = ', { docId: 'file:///b.ts' })), undefined);
  assert.equal(c.lookup(key('  const x = ', { previousLine: 'changed' })), undefined);
  assert.equal(c.lookup(key('  const x = ', { chunkSize: 32 })), undefined);
  assert.equal(c.lookup(key('  const x = ', { lineSuffix: ')' })), undefined);
});

test('LRU bound and forgetDocument', () => {
  const c = new SuggestionCache(2);
  c.remember(key('a'), '1');
  c.remember(key('b'), '2');
  c.remember(key('c'), '3');
  assert.equal(c.size, 2);
  assert.equal(c.lookup(key('a')), undefined);
  assert.equal(c.lookup(key('c')), '3');
  c.forgetDocument('file:///a.ts');
  assert.equal(c.size, 0);
});
