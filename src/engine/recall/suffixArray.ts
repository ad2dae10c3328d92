// A suffix array over one token array (infini-gram style): suffixes start in [0, own), the
// array may run MAX_MATCH + 1 tokens further (the overlap into the next block) so that a match
// starting near the end still sees its pattern and its next token. Suffixes are ordered on their
// first MAX_MATCH tokens (ties by position), which is all a query of at most MAX_MATCH tokens needs.
// Queries are binary searches: O(k log n) for a pattern of k tokens.

/** Longest context suffix the index matches, tokens (the effective n is at most MAX_MATCH + 1). */
export const MAX_MATCH = 48;
/** Tokens past a block's own ones that its array carries (pattern + next token). */
export const OVERLAP = MAX_MATCH + 1;

export class SuffixArray {
  /** Suffix starts in [0, own), sorted. */
  readonly sa: Int32Array;

  /** tokens: the block's own tokens followed by up to OVERLAP more; own: how many are its own. */
  constructor(readonly tokens: Uint16Array, readonly own: number) {
    const t = tokens, n = t.length;
    const sa = new Int32Array(own);
    for (let i = 0; i < own; i++) sa[i] = i;
    sa.sort((a, b) => {
      const m = Math.min(MAX_MATCH, n - a, n - b);
      for (let j = 0; j < m; j++) {
        const d = t[a + j] - t[b + j];
        if (d !== 0) return d;
      }
      const la = Math.min(MAX_MATCH, n - a), lb = Math.min(MAX_MATCH, n - b);
      return la !== lb ? la - lb : a - b;
    });
    this.sa = sa;
  }

  /** Bytes held (tokens + suffix array). */
  get bytes(): number { return this.tokens.byteLength + this.sa.byteLength; }

  /** Compares the suffix at s with pattern p[from, from + k): <0, 0 (starts with it), >0. */
  private cmp(s: number, p: ArrayLike<number>, from: number, k: number): number {
    const t = this.tokens, n = t.length;
    for (let j = 0; j < k; j++) {
      if (s + j >= n) return -1;                         // the suffix ends first: it sorts before
      const d = t[s + j] - p[from + j];
      if (d !== 0) return d;
    }
    return 0;
  }

  /** [lo, hi) of the suffixes that start with p[from, from + k) (k <= MAX_MATCH). */
  range(p: ArrayLike<number>, from: number, k: number): [number, number] {
    const sa = this.sa;
    let lo = 0, hi = sa.length;
    while (lo < hi) {                                      // first suffix >= pattern
      const mid = (lo + hi) >>> 1;
      if (this.cmp(sa[mid], p, from, k) < 0) lo = mid + 1; else hi = mid;
    }
    const start = lo;
    hi = sa.length;
    while (lo < hi) {                                      // first suffix > pattern (not starting with it)
      const mid = (lo + hi) >>> 1;
      if (this.cmp(sa[mid], p, from, k) <= 0) lo = mid + 1; else hi = mid;
    }
    return [start, lo];
  }
}
