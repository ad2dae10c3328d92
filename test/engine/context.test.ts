// Token arrays derived by byte diff equal a fresh encoding; windows stay chunk-aligned.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { deriveTokens, encodeAll } from '../../src/engine/docTokens';
import { DocSnapshot } from '../../src/engine/documents';
import { fimSequence, prefixTokens, suffixTokens, wholeTokens, WINDOW_TOKEN_STRIDE } from '../../src/engine/context';
import { DocTokenizer } from '../../src/engine/tokenizer';
import { TINY_CAT, sampleSource } from './helpers';

const tok = DocTokenizer.fromFile(path.join(TINY_CAT, 'tokenizer.json'), 4096);
const snap = (v: number, s: string | Buffer) => new DocSnapshot('d', v, typeof s === 'string' ? Buffer.from(s) : s, { ok: true });

test('deriveTokens after random edits equals encoding from scratch', () => {
  let seed = 7;
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) >>> 0; return (seed >>> 8) % n; };
  let text = sampleSource(80);
  let prev = snap(0, text);
  let prevTokens = encodeAll(prev, tok);
  const pieces = ['', 'x', '\n', '\r\n', 'é', '\n\n', '  return 1;\n', '\u0000', '}'];
  for (let i = 1; i <= 60; i++) {
    const a = rnd(text.length + 1);
    const b = Math.min(text.length, a + rnd(40));
    text = text.slice(0, a) + pieces[rnd(pieces.length)] + text.slice(b);
    const next = snap(i, text);
    const derived = deriveTokens(next, tok, { snap: prev, tokens: prevTokens });
    const fresh = encodeAll(next, tok);
    assert.deepEqual(Array.from(derived.ids), Array.from(fresh.ids), `edit ${i}`);
    assert.deepEqual(Array.from(derived.lineStarts), Array.from(fresh.lineStarts), `line starts after edit ${i}`);
    prev = next;
    prevTokens = derived;
  }
  // invalid bytes and a file without a final newline
  const bin = Buffer.from([0x61, 0x0a, 0xff, 0x0a, 0x62]);
  const s1 = snap(1, bin), s2 = snap(2, Buffer.concat([bin, Buffer.from([0xfe])]));
  assert.deepEqual(Array.from(deriveTokens(s2, tok, { snap: s1, tokens: encodeAll(s1, tok) }).ids), Array.from(encodeAll(s2, tok).ids));
});

test('prefix windows: chunk-aligned to the document start and stable while typing', () => {
  const text = sampleSource(3000);
  const s = snap(1, text);
  const dt = encodeAll(s, tok);
  const D = new Int32Array(dt.ids.length + 1);
  D[0] = 1;
  D.set(dt.ids, 1);
  const max = 8192;
  const at = (line: number) => prefixTokens(s, tok, { line, byteCol: 0 }, 1, max, dt);
  const p = at(2500);
  assert.ok(p.capped && p.seq.length <= max);
  const before = 1 + dt.lineStarts[2500];
  const start = before - p.seq.length;
  assert.equal(start % WINDOW_TOKEN_STRIDE, 0, 'window starts at a multiple of the stride (so of every chunk size)');
  assert.deepEqual(Array.from(p.seq), Array.from(D.subarray(start, before)));
  const q = at(2501);
  assert.equal(1 + dt.lineStarts[2501] - q.seq.length, start, 'same window start one line later');
  // without token arrays (huge files) the same text comes out, line-windowed
  const slow = prefixTokens(s, tok, { line: 100, byteCol: 5 }, 1, max);
  const fast = prefixTokens(s, tok, { line: 100, byteCol: 5 }, 1, max, dt);
  assert.deepEqual(Array.from(slow.seq), Array.from(fast.seq));
});

test('suffix, FIM layout and whole-document caps', () => {
  const text = 'a = 1\nb = 2\nc = 3\n';
  const s = snap(1, text);
  const dt = encodeAll(s, tok);
  const cur = { line: 1, byteCol: 2 };
  const pre = prefixTokens(s, tok, cur, 1, 1000, dt);
  const suf = suffixTokens(s, tok, cur, 1000, dt);
  assert.equal(Buffer.from(tok.decodeBytes(pre.seq.subarray(1))).toString(), 'a = 1\nb ');
  assert.equal(Buffer.from(tok.decodeBytes(suf)).toString(), '= 2\nc = 3\n');
  assert.deepEqual(Array.from(suffixTokens(s, tok, cur, 1000)), Array.from(suf), 'same without token arrays');
  const fim = fimSequence(pre.seq, suf, { fim_suffix: 3, fim_middle: 4 });
  assert.equal(fim[0], 1);
  assert.equal(fim[pre.seq.length], 3);
  assert.equal(fim[fim.length - 1], 4);
  const w = wholeTokens(s, tok, 1, 4, dt);
  assert.ok(w.capped && w.seq.length <= 5);
  assert.deepEqual(wholeTokens(s, tok, 1, 1000, dt).seq, wholeTokens(s, tok, 1, 1000).seq);
});
