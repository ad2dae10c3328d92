// The exact token index over the documents the engine holds (open documents and index-only
// workspace files) and the unbounded n-gram estimate (infini-gram): for a context, the longest
// suffix that occurs followed by a token, its count, and the counts of each next token.
import type { DocTokens } from '../docTokens';
import { DocIndex, type Block } from './docIndex';
import { MAX_MATCH } from './suffixArray';

/** Occurrences scanned per estimate; past it the counts are those of the first MAX_SCAN (documented). */
export const MAX_SCAN = 8192;

export interface Estimate {
  /** Length of the longest context suffix that occurs (tokens); 0 when none does. */
  k: number;
  /** Occurrences of that suffix that have a next token (those scanned, at most MAX_SCAN). */
  total: number;
  /** Next token -> count. */
  counts: Map<number, number>;
  /** One next token follows every occurrence. */
  sparse: boolean;
}

/** Occurrences whose next token lies in [from, to) of document docId are not counted (the cursor line). */
export interface Exclusion { docId: string; from: number; to: number }

interface Part { block: Block; exclude?: { from: number; to: number } }

export const EMPTY_ESTIMATE: Estimate = { k: 0, total: 0, counts: new Map(), sparse: false };

export class TokenIndex {
  private readonly docs = new Map<string, DocIndex>();
  /** Ids of index-only documents (workspace files). */
  readonly indexOnly = new Set<string>();

  /** Indexes (or re-indexes) a document's tokens; unchanged blocks are reused. Returns blocks built. */
  update(docId: string, dt: DocTokens, indexOnly = false): number {
    let d = this.docs.get(docId);
    if (!d) { d = new DocIndex(); this.docs.set(docId, d); }
    d.update(dt);
    if (indexOnly) this.indexOnly.add(docId); else this.indexOnly.delete(docId);
    return d.lastBuilt;
  }

  has(docId: string): boolean { return this.docs.has(docId); }

  remove(docId: string): void {
    this.docs.delete(docId);
    this.indexOnly.delete(docId);
  }

  clear(): void { this.docs.clear(); this.indexOnly.clear(); }

  stats(): { documents: number; workspaceFiles: number; tokens: number; bytes: number } {
    let tokens = 0, bytes = 0;
    for (const d of this.docs.values()) { tokens += d.tokens; bytes += d.bytes; }
    return { documents: this.docs.size, workspaceFiles: this.indexOnly.size, tokens, bytes };
  }

  /** A lookup over the given documents (all indexed ones when undefined). */
  lookup(docIds?: Iterable<string>, exclude?: Exclusion): Lookup {
    const parts: Part[] = [];
    const ids = docIds ? new Set(docIds) : this.docs.keys();
    for (const id of ids) {
      const d = this.docs.get(id);
      if (!d) continue;
      for (const block of d.all) {
        const ex = exclude && exclude.docId === id ? { from: exclude.from - block.start, to: exclude.to - block.start } : undefined;
        parts.push({ block, exclude: ex });
      }
    }
    return new Lookup(parts);
  }
}

/** Estimates over a fixed set of blocks (one completion's view of the index). */
export class Lookup {
  constructor(private readonly parts: Part[]) {}

  get empty(): boolean { return this.parts.length === 0; }

  /** Occurrences of ctx[end - k, end) with a next token (not excluded); counts filled when given. */
  private count(ctx: ArrayLike<number>, end: number, k: number, counts?: Map<number, number>): number {
    let total = 0;
    for (const { block, exclude } of this.parts) {
      const sa = block.sa;
      if (!counts) {                                       // a probe: one lower bound, then the first valid occurrence
        for (let i = sa.lowerBound(ctx, end - k, k); sa.startsWith(i, ctx, end - k, k); i++) {
          const nextPos = sa.sa[i] + k;
          if (nextPos < sa.tokens.length && !(exclude && nextPos >= exclude.from && nextPos < exclude.to)) return 1;
        }
        continue;
      }
      const [lo, hi] = sa.range(ctx, end - k, k);
      for (let i = lo; i < hi; i++) {
        const nextPos = sa.sa[i] + k;
        if (nextPos >= sa.tokens.length) continue;
        if (exclude && nextPos >= exclude.from && nextPos < exclude.to) continue;
        total++;
        if (counts) counts.set(sa.tokens[nextPos], (counts.get(sa.tokens[nextPos]) ?? 0) + 1);
        if (total >= MAX_SCAN) return total;
      }
    }
    return total;
  }

  /**
   * The estimate for the next token after ctx[0, end): the longest suffix (at most `maxK`, which a
   * decoding loop sets to the previous k + 1) that occurs with a next token, found by binary
   * search on its length (occurrence is monotone in it).
   */
  estimate(ctx: ArrayLike<number>, end = ctx.length, maxK = MAX_MATCH): Estimate {
    let hi = Math.min(maxK, MAX_MATCH, end), lo = 0;      // lo occurs (the empty suffix: trivially), hi unknown
    if (this.parts.length === 0 || hi === 0) return EMPTY_ESTIMATE;
    if (this.count(ctx, end, hi) > 0) lo = hi;
    else {
      hi--;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (this.count(ctx, end, mid) > 0) lo = mid; else hi = mid - 1;
      }
    }
    if (lo === 0) return EMPTY_ESTIMATE;
    const counts = new Map<number, number>();
    const total = this.count(ctx, end, lo, counts);
    return { k: lo, total, counts, sparse: counts.size === 1 };
  }
}
