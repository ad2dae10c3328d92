// A suffix array over one token array (infini-gram style): suffixes start in [0, own), the
// array may run MAX_MATCH + 1 tokens further (the overlap into the next block) so that a match
// starting near the end still sees its pattern and its next token. Suffixes are ordered on their
// first MAX_MATCH tokens (ties by position), which is all a query of at most MAX_MATCH tokens needs.
// Queries are binary searches: O(k log n) for a pattern of k tokens.
import { drain, type Steps } from '../steps';

/** Longest context suffix the index matches, tokens (the effective n is at most MAX_MATCH + 1). */
export const MAX_MATCH = 48;
/** Tokens past a block's own ones that its array carries (pattern + next token). */
export const OVERLAP = MAX_MATCH + 1;
/** Ends a file inside a segment's token array (no token id is this large): it compares as the end. */
export const SEP = 0xffff;

export class SuffixArray {
  /** Suffix starts in [0, own), sorted. */
  readonly sa: Int32Array;

  /** tokens: the block's own tokens followed by up to OVERLAP more; own: how many are its own.
   * sorted: the suffix starts already in order (a merge of sorted arrays, mergeSuffixes). */
  constructor(readonly tokens: Uint16Array, readonly own: number, sorted?: Int32Array) {
    this.sa = sorted ?? sortSuffixes(tokens, own);
  }

  /** Bytes held (tokens + suffix array). */
  get bytes(): number { return this.tokens.byteLength + this.sa.byteLength; }

  /** Compares the suffix at s with pattern p[from, from + k): <0, 0 (starts with it), >0. */
  private cmp(s: number, p: ArrayLike<number>, from: number, k: number): number {
    const t = this.tokens, n = t.length;
    for (let j = 0; j < k; j++) {
      if (s + j >= n || t[s + j] === SEP) return -1;     // the suffix ends first: it sorts before
      const d = t[s + j] - p[from + j];
      if (d !== 0) return d;
    }
    return 0;
  }

  /** Index in sa of the first suffix >= p[from, from + k) (it starts with the pattern when any does). */
  lowerBound(p: ArrayLike<number>, from: number, k: number): number {
    const sa = this.sa;
    let lo = 0, hi = sa.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cmp(sa[mid], p, from, k) < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /** The suffix at sa[i] starts with p[from, from + k). */
  startsWith(i: number, p: ArrayLike<number>, from: number, k: number): boolean {
    return i < this.sa.length && this.cmp(this.sa[i], p, from, k) === 0;
  }

  /** [lo, hi) of the suffixes that start with p[from, from + k) (k <= MAX_MATCH). */
  range(p: ArrayLike<number>, from: number, k: number): [number, number] {
    const sa = this.sa;
    const start = this.lowerBound(p, from, k);
    let lo = start, hi = sa.length;
    while (lo < hi) {                                      // first suffix > pattern (not starting with it)
      const mid = (lo + hi) >>> 1;
      if (this.cmp(sa[mid], p, from, k) <= 0) lo = mid + 1; else hi = mid;
    }
    return [start, lo];
  }
}

/**
 * Prefix doubling (Manber-Myers): suffix starts [0, own) of t ordered on their first 64 tokens
 * (a refinement of the order on the first MAX_MATCH, which is all queries need), ties by
 * position. Each round sorts packed numeric keys (rank, rank h further on, position) with the
 * native Float64Array sort, so a 2,048-token block takes about a millisecond however
 * repetitive it is (a comparator sort spent tens of ms on repeated code).
 */
export function sortSuffixes(t: Uint16Array, own: number): Int32Array {
  const n = t.length;
  let rank = new Float64Array(n);
  for (let i = 0; i < n; i++) rank[i] = t[i] + 1;                  // 0 = past the end (sorts first)
  let maxRank = 65537;
  const keys = new Float64Array(n);
  const order = new Int32Array(n);
  for (let h = 1; ; h *= 2) {
    for (let i = 0; i < n; i++) keys[i] = (rank[i] * (maxRank + 1) + (i + h < n ? rank[i + h] : 0)) * n + i;
    keys.sort();
    const next = new Float64Array(n);
    let r = 0, prev = -1;
    for (let j = 0; j < n; j++) {
      const i = keys[j] % n, k = Math.floor(keys[j] / n);
      if (k !== prev) { r++; prev = k; }
      order[j] = i;
      next[i] = r;
    }
    rank = next;
    maxRank = r;
    if (r === n || 2 * h >= MAX_MATCH) break;
  }
  const sa = new Int32Array(own);
  let o = 0;
  for (let j = 0; j < n; j++) if (order[j] < own) sa[o++] = order[j];
  return sa;
}

/** Order of the suffixes at a and b of a segment's tokens on their first MAX_MATCH tokens (SEP, which
 * ends every file and the array, first), ties by position. */
function cmpSuffixes(t: Uint16Array, a: number, b: number): number {
  for (let j = 0; j < MAX_MATCH; j++) {
    const x = t[a + j], y = t[b + j];
    if (x !== y) return x === SEP ? -1 : y === SEP ? 1 : x - y;
    if (x === SEP) break;
  }
  return a - b;
}

/**
 * Merges runs of suffix starts of t, each sorted on its first MAX_MATCH tokens, into one sorted
 * array (pairwise, O(n log runs) comparisons): a segment is built from its blocks' arrays
 * without sorting again. Any order that refines the MAX_MATCH-token order answers queries.
 */
export function mergeSuffixes(t: Uint16Array, runs: Int32Array[]): Int32Array {
  return drain(mergeSuffixSteps(t, runs));
}

/** Suffix starts merged between pause points (mergeSuffixSteps). */
export const MERGED_A_STEP = 16_384;

/** mergeSuffixes as steps (steps.ts): it may pause every perStep starts placed. */
export function* mergeSuffixSteps(t: Uint16Array, runs: Int32Array[], perStep = MERGED_A_STEP): Steps<Int32Array> {
  if (t.length > 0 && t[t.length - 1] !== SEP) throw new Error('a segment ends with SEP');
  let level = runs.filter((r) => r.length > 0);
  if (level.length === 0) return new Int32Array(0);
  let budget = perStep;
  while (level.length > 1) {
    const next: Int32Array[] = [];
    for (let r = 0; r + 1 < level.length; r += 2) {
      const a = level[r], b = level[r + 1], out = new Int32Array(a.length + b.length);
      let i = 0, j = 0, o = 0;
      while (i < a.length && j < b.length) {
        out[o++] = cmpSuffixes(t, a[i], b[j]) <= 0 ? a[i++] : b[j++];
        if (--budget === 0) { budget = perStep; yield; }
      }
      while (i < a.length) out[o++] = a[i++];
      while (j < b.length) out[o++] = b[j++];
      next.push(out);
    }
    if (level.length % 2) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}
