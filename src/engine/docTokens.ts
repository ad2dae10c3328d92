// Token ids of a whole document snapshot, derived from an earlier snapshot of the same
// document when there is one: the byte ranges both share at the start and the end keep their
// tokens (copied), only the lines in between are encoded (through the line cache). An edit
// therefore costs one memcpy of the token array plus encoding the edited lines.
import type { DocSnapshot } from './documents';
import type { DocTokenizer } from './tokenizer';

export interface DocTokens {
  /** Tokens of all lines, in order (no [file]). */
  ids: Int32Array;
  /** Token offset where line i starts; length lines + 1 (last = ids.length). */
  lineStarts: Int32Array;
}

function commonPrefix(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a[i] === b[i]) i++;
  return i;
}

function commonSuffix(a: Uint8Array, b: Uint8Array, limit: number): number {
  let i = 0;
  while (i < limit && a[a.length - 1 - i] === b[b.length - 1 - i]) i++;
  return i;
}

/** Line index containing byte offset `off` (starts sorted ascending). */
function lineOf(starts: Int32Array, off: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= off) lo = mid; else hi = mid - 1;
  }
  return lo;
}

function lineEnd(s: DocSnapshot, i: number): number {
  return i + 1 < s.lineCount ? s.starts[i + 1] : s.bytes.length;
}

/** Tokens of every line of `snap` encoded from scratch (line cache only). */
export function encodeAll(snap: DocSnapshot, tok: DocTokenizer): DocTokens {
  return encodeRange(snap, tok, undefined, 0, 0, snap.lineCount, 0);
}

/**
 * Builds the tokens of `snap` from `base`: lines [0, kp) are copied from base's first kp lines,
 * lines [snap.lineCount - ks, end) from base's last ks lines, the rest is encoded.
 */
function encodeRange(snap: DocSnapshot, tok: DocTokenizer, base: DocTokens | undefined, kp: number, baseLines: number, midEnd: number, ks: number): DocTokens {
  const n = snap.lineCount;
  const mid: Int32Array[] = [];
  let midTokens = 0;
  for (let i = kp; i < midEnd; i++) {
    const ids = tok.encodeLine(snap.lineBytes(i));
    mid.push(ids);
    midTokens += ids.length;
  }
  const preTokens = base ? base.lineStarts[kp] : 0;
  const sufFrom = base ? base.lineStarts[baseLines - ks] : 0;
  const sufTokens = base ? base.ids.length - sufFrom : 0;
  const ids = new Int32Array(preTokens + midTokens + sufTokens);
  const lineStarts = new Int32Array(n + 1);
  if (base) {
    ids.set(base.ids.subarray(0, preTokens), 0);
    lineStarts.set(base.lineStarts.subarray(0, kp), 0);
  }
  let o = preTokens;
  for (let i = 0; i < mid.length; i++) { lineStarts[kp + i] = o; ids.set(mid[i], o); o += mid[i].length; }
  if (base && ks > 0) {
    ids.set(base.ids.subarray(sufFrom), o);
    const shift = o - sufFrom;
    for (let j = 0; j < ks; j++) lineStarts[n - ks + j] = base.lineStarts[baseLines - ks + j] + shift;
  }
  lineStarts[n] = ids.length;
  return { ids, lineStarts };
}

/** Tokens of `snap`, reusing `base` (an earlier snapshot of the same document) when given. */
export function deriveTokens(snap: DocSnapshot, tok: DocTokenizer, base?: { snap: DocSnapshot; tokens: DocTokens }): DocTokens {
  if (!base) return encodeAll(snap, tok);
  const a = base.snap, b = snap;
  const p = commonPrefix(a.bytes, b.bytes);
  const s = commonSuffix(a.bytes, b.bytes, Math.min(a.bytes.length, b.bytes.length) - p);
  // prefix lines: end inside the common prefix and end with a newline (so the old line is identical)
  let kp = 0;
  while (kp < b.lineCount && lineEnd(b, kp) <= p && b.bytes[lineEnd(b, kp) - 1] === 0x0a) kp++;
  // suffix lines: start inside the common suffix, and the old line also starts there
  const delta = b.bytes.length - a.bytes.length;
  let ks = 0;
  while (ks < b.lineCount - kp) {
    const i = b.lineCount - 1 - ks;
    const st = b.starts[i];
    if (st < b.bytes.length - s || st < p) break;
    const oldStart = st - delta;
    if (oldStart <= 0 || a.bytes[oldStart - 1] !== 0x0a) break;
    const oi = lineOf(a.starts, oldStart);
    if (a.starts[oi] !== oldStart || oi !== a.lineCount - 1 - ks || oi < kp) break;
    ks++;
  }
  if (kp + ks > Math.min(a.lineCount, b.lineCount)) return encodeAll(snap, tok);
  return encodeRange(snap, tok, base.tokens, kp, a.lineCount, b.lineCount - ks, ks);
}
