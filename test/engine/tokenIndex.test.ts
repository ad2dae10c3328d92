// The exact token index against a brute-force counter: random and real text, incremental
// updates after edits, insertions at the start and undo.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DocTokens } from '../../src/engine/docTokens';
import { seededRng } from '../../src/engine/sampling';
import { DocTokenizer } from '../../src/engine/tokenizer';
import { TokenIndex, type Estimate } from '../../src/engine/recall/tokenIndex';
import { MAX_MATCH } from '../../src/engine/recall/suffixArray';
import { DocIndex } from '../../src/engine/recall/docIndex';
import { drain } from '../../src/engine/steps';
import { TINY_CAT } from './helpers';

/** Brute force: the longest suffix of ctx (<= MAX_MATCH) occurring in some doc with a next token. */
function brute(docs: Int32Array[], ctx: number[], excluded?: { doc: number; from: number; to: number }): Estimate {
  for (let k = Math.min(MAX_MATCH, ctx.length); k >= 1; k--) {
    const counts = new Map<number, number>();
    let total = 0;
    docs.forEach((d, di) => {
      for (let s = 0; s + k < d.length; s++) {
        let ok = true;
        for (let j = 0; j < k && ok; j++) ok = d[s + j] === ctx[ctx.length - k + j];
        if (!ok) continue;
        if (excluded && excluded.doc === di && s + k >= excluded.from && s + k < excluded.to) continue;
        total++;
        counts.set(d[s + k], (counts.get(d[s + k]) ?? 0) + 1);
      }
    });
    if (total > 0) return { k, total, counts, sparse: counts.size === 1 };
  }
  return { k: 0, total: 0, counts: new Map(), sparse: false };
}

/** Token array of "lines": line breaks after every token equal to `nl`. */
function asDoc(ids: Int32Array, nl: number): DocTokens {
  const starts = [0];
  for (let i = 0; i < ids.length; i++) if (ids[i] === nl && i + 1 < ids.length) starts.push(i + 1);
  starts.push(ids.length);
  return { ids, lineStarts: Int32Array.from(starts) };
}

function sameEstimate(a: Estimate, b: Estimate, what: string): void {
  assert.equal(a.k, b.k, `${what}: k`);
  assert.equal(a.total, b.total, `${what}: total`);
  assert.deepEqual([...a.counts].sort((x, y) => x[0] - y[0]), [...b.counts].sort((x, y) => x[0] - y[0]), `${what}: counts`);
}

test('random text over a small alphabet: estimates equal brute force (several documents, exclusion)', () => {
  const r = seededRng(7);
  const docs = [3000, 700, 4100].map((n) => Int32Array.from({ length: n }, () => Math.floor(r() * 6)));
  const idx = new TokenIndex();
  docs.forEach((d, i) => idx.update(`d${i}`, asDoc(d, 0)));
  for (let q = 0; q < 200; q++) {
    const src = docs[q % 3];
    const s = Math.floor(r() * (src.length - 60));
    const ctx = Array.from(src.subarray(s, s + 1 + Math.floor(r() * 60)));
    if (q % 4 === 0) ctx.push(Math.floor(r() * 6));
    const ex = q % 5 === 0 ? { doc: 1, from: 100, to: 400 } : undefined;
    const got = idx.lookup(undefined, ex && { docId: 'd1', from: ex.from, to: ex.to }).estimate(ctx);
    sameEstimate(got, brute(docs, ctx, ex), `query ${q}`);
  }
});

test('real code: estimates equal brute force; a repeated line is predicted exactly (sparse, long match)', () => {
  const tok = DocTokenizer.fromFile(path.join(TINY_CAT, 'tokenizer.json'), 4096);
  const text = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'engine', 'generate.ts'), 'utf8');
  const ids = tok.encodeText(text);
  const nl = tok.encodeText('\n')[0];
  const idx = new TokenIndex();
  idx.update('g', asDoc(ids, nl));
  const r = seededRng(3);
  for (let q = 0; q < 60; q++) {
    const s = Math.floor(r() * (ids.length - 40));
    const ctx = Array.from(ids.subarray(s, s + 1 + Math.floor(r() * 40)));
    sameEstimate(idx.lookup().estimate(ctx), brute([ids], ctx), `query ${q}`);
  }
  const lines = text.split('\n').filter((l) => l.trim().length > 30);
  const pickLine = lines.find((l) => text.split(l).length === 2) as string;   // a line that occurs once
  const line = tok.encodeText(pickLine);
  const e = idx.lookup().estimate(Array.from(line.subarray(0, line.length - 2)));
  assert.ok(e.k >= line.length - 3 && e.sparse, `k ${e.k} sparse ${e.sparse}`);
  assert.equal([...e.counts.keys()][0], line[line.length - 2]);
});

test('edits rebuild only nearby blocks; insertion at the start and undo give the same estimates as a fresh index', () => {
  const tok = DocTokenizer.fromFile(path.join(TINY_CAT, 'tokenizer.json'), 4096);
  const base = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'engine', 'index.ts'), 'utf8');
  const text = Array.from({ length: 4 }, () => base).join('\n// next copy\n');
  const nl = tok.encodeText('\n')[0];
  const docOf = (t: string) => {
    const lines = t.split(/(?<=\n)/);
    const parts = lines.map((l) => tok.encodeText(l));
    const ids = new Int32Array(parts.reduce((a, p) => a + p.length, 0));
    const starts: number[] = [];
    let o = 0;
    for (const p of parts) { starts.push(o); ids.set(p, o); o += p.length; }
    starts.push(o);
    return { ids, lineStarts: Int32Array.from(starts) } as DocTokens;
  };
  const idx = new TokenIndex();
  const d0 = docOf(text);
  const first = idx.update('x', d0);
  assert.ok(first > 10, `blocks built at first: ${first}`);
  const mid = text.indexOf('async warm(');
  const edits = [
    text.slice(0, mid) + 'x' + text.slice(mid),                        // a keystroke mid-file
    '// a new first line\n' + text,                                      // insertion at the start
    text,                                                                // undo
  ];
  const r = seededRng(11);
  for (const [i, t] of edits.entries()) {
    const built = idx.update('x', docOf(t));
    assert.ok(built <= 3, `edit ${i}: ${built} blocks rebuilt`);
    const fresh = new TokenIndex();
    const dt = docOf(t);
    fresh.update('x', dt);
    for (let q = 0; q < 25; q++) {
      const s = Math.floor(r() * (dt.ids.length - 30));
      const ctx = Array.from(dt.ids.subarray(s, s + 5 + Math.floor(r() * 25)));
      sameEstimate(idx.lookup().estimate(ctx), fresh.lookup().estimate(ctx), `edit ${i} query ${q}`);
    }
  }
  void nl;
  const st = idx.stats();
  assert.ok(st.bytes / st.tokens <= 8, `index bytes per token ${(st.bytes / st.tokens).toFixed(2)}`);
});

test('workspace files merged into segments: estimates equal brute force through adds, changes, removals and compaction', () => {
  const r = seededRng(21);
  const idx = new TokenIndex({ merge: 3000, maxSegment: 12_000 });
  const files = new Map<string, Int32Array>();
  const open = Int32Array.from({ length: 1500 }, () => Math.floor(r() * 5));
  idx.update('open', asDoc(open, 0));
  const check = (what: string) => {
    const docs = [open, ...files.values()];
    for (let q = 0; q < 40; q++) {
      const src = docs[q % docs.length];
      const s = Math.floor(r() * Math.max(1, src.length - 40));
      const ctx = Array.from(src.subarray(s, s + 1 + Math.floor(r() * 40)));
      if (q % 3 === 0) ctx.push(Math.floor(r() * 5));
      sameEstimate(idx.lookup(['open']).estimate(ctx), brute(docs, ctx), `${what}, query ${q}`);
    }
  };
  for (let i = 0; i < 30; i++) {
    const f = Int32Array.from({ length: 200 + Math.floor(r() * 900) }, () => Math.floor(r() * 5));
    files.set(`w${i}`, f);
    idx.update(`w${i}`, asDoc(f, 0), true);
  }
  assert.ok(idx.merges >= 3, `segments made: ${idx.merges}`);
  assert.ok(idx.stats().segments < 6, `segments now: ${idx.stats().segments}`);
  check('after adds');
  for (let i = 0; i < 30; i += 3) {                                // a third changed, a third removed
    const f = Int32Array.from({ length: 300 }, () => Math.floor(r() * 5));
    files.set(`w${i}`, f);
    idx.update(`w${i}`, asDoc(f, 0), true);
    files.delete(`w${i + 1}`);
    idx.remove(`w${i + 1}`);
  }
  check('after changes and removals');
  for (const id of [...files.keys()].slice(0, 15)) { files.delete(id); idx.remove(id); }
  check('after compaction');
  assert.equal(idx.stats().workspaceFiles, files.size);
  assert.equal(idx.stats().tokens, open.length + [...files.values()].reduce((a, f) => a + f.length, 0));
  idx.update('w2', asDoc(files.get('w2') ?? open, 0));             // a workspace file opened: an open document
  assert.ok(!idx.isIndexOnly('w2'));
});

test('a match never runs from one workspace file into the next', () => {
  const idx = new TokenIndex({ merge: 1, maxSegment: 1 << 20 });
  idx.update('a', asDoc(Int32Array.from([1, 2, 3]), 9), true);
  idx.update('b', asDoc(Int32Array.from([4, 5, 6]), 9), true);
  assert.equal(idx.stats().segments, 1);
  const across = idx.lookup().estimate([3, 4]);                    // 3 ends a, 4 starts b: only "4" matches
  assert.equal(across.k, 1);
  assert.deepEqual([...across.counts], [[5, 1]]);
  const e = idx.lookup().estimate([1, 2]);
  assert.equal(e.k, 2);
  assert.deepEqual([...e.counts], [[3, 1]]);
  assert.equal(idx.lookup().estimate([2, 3]).k, 0, 'a file\'s last token has no next token');
});

test('workspace files added as steps, with adds, changes and removals during the pauses: estimates equal brute force', () => {
  const r = seededRng(33);
  const idx = new TokenIndex({ merge: 3000, maxSegment: 12_000, mergeStep: 300 });
  const files = new Map<string, Int32Array>();
  const rand = (n: number) => Int32Array.from({ length: n }, () => Math.floor(r() * 5));
  const check = (what: string) => {
    const docs = [...files.values()];
    for (let q = 0; q < 30; q++) {
      const src = docs[q % docs.length];
      const s = Math.floor(r() * Math.max(1, src.length - 40));
      const ctx = Array.from(src.subarray(s, s + 1 + Math.floor(r() * 40)));
      if (q % 3 === 0) ctx.push(Math.floor(r() * 5));
      sameEstimate(idx.lookup().estimate(ctx), brute(docs, ctx), `${what}, query ${q}`);
    }
  };
  let pauses = 0;
  for (let i = 0; i < 40; i++) {
    const f = rand(300 + Math.floor(r() * 900));
    const d = new DocIndex();
    drain(d.updateSteps(asDoc(f, 0)));
    files.set(`w${i}`, f);
    const steps = idx.addIndexOnlySteps(`w${i}`, d);
    for (let k = 0; !steps.next().done; k++) {                       // a flush paused: change the store meanwhile
      pauses++;
      if (k % 4 === 0 && i > 2) {
        const g = rand(400);
        files.set(`w${i - 1}`, g);
        idx.update(`w${i - 1}`, asDoc(g, 0), true);
      } else if (k % 4 === 1 && files.has(`w${i - 2}`)) {
        files.delete(`w${i - 2}`);
        idx.remove(`w${i - 2}`);
      }
    }
  }
  assert.ok(pauses > 20, `flushes paused ${pauses} times`);
  assert.ok(idx.merges >= 3);
  check('after sliced adds');
  assert.equal(idx.stats().workspaceFiles, files.size);
  assert.equal(idx.stats().tokens, [...files.values()].reduce((a, f) => a + f.length, 0));
});
