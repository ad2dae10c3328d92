import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CrossFileContext } from '../../src/engine/crossFile';
import { DocSnapshot } from '../../src/engine/documents';
import type { WholeTokens } from '../../src/engine/context';

const quiet = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };

function setup() {
  const docs = new Map<string, DocSnapshot>();
  let builds = 0;
  const put = (id: string, version: number, n: number) => docs.set(id, new DocSnapshot(id, version, Buffer.from('x'.repeat(n)), { ok: true }));
  const ctx = new CrossFileContext({
    latest: (id) => docs.get(id),
    whole: (s): WholeTokens => {
      builds++;
      const seq = Int32Array.from({ length: s.bytes.length }, (_, i) => i);
      return { seq, lineTokenStarts: [1, seq.length], lines: 1, capped: false };
    },
    wholeKeys: (id, w, C) => Array.from({ length: Math.floor(w.seq.length / C) }, (_, i) => `${id}@${i}`),
  }, quiet);
  return { ctx, put, builds: () => builds };
}

test('entries: most recent document first within the budget, placed oldest first, self and closed documents skipped', () => {
  const { ctx, put } = setup();
  put('a', 1, 40); put('b', 1, 40); put('self', 1, 40);
  const e = ctx.entries('self', ['self', 'b', 'gone', 'a'], 7, 8);
  assert.deepEqual(e.map((x) => x.key), ['a@0', 'a@1', 'b@0', 'b@1', 'b@2', 'b@3', 'b@4']);
  assert.deepEqual(Array.from(e[3].ids), [8, 9, 10, 11, 12, 13, 14, 15]);
  assert.deepEqual(ctx.entries('self', [], 7, 8), []);
  assert.deepEqual(ctx.entries('self', ['a'], 7, 0), [], 'dense: no entries');
});

test('entries are memoized on the snapshots: unchanged documents give the same list, an edit rebuilds it', () => {
  const { ctx, put, builds } = setup();
  put('a', 1, 64); put('b', 1, 64);
  const first = ctx.entries('m', ['a', 'b'], 100, 16);
  const n = builds();
  assert.equal(ctx.entries('m', ['a', 'b'], 100, 16), first, 'same list while typing elsewhere');
  assert.equal(builds(), n);
  assert.notEqual(ctx.entries('m', ['b', 'a'], 100, 16), first, 'another order');
  put('a', 2, 80);
  const after = ctx.entries('m', ['b', 'a'], 100, 16);
  assert.equal(after.filter((x) => x.key.startsWith('a@')).length, 5, 'the edited document\'s new chunks');
  assert.notEqual(ctx.entries('m', ['b', 'a'], 3, 16), after, 'another budget');
});
