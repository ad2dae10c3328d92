// The exact token index over the documents the engine holds (open documents and index-only
// workspace files) and the unbounded n-gram estimate (infini-gram): for a context, the longest
// suffix that occurs followed by a token, its count, and the counts of each next token. Counts are
// exact: within a suffix array's range the occurrences are in next-token order, so each next
// token's count is one binary search (per-occurrence checks only where a cursor line is excluded or
// a workspace file is dead).
import type { DocTokens } from '../docTokens';
import type { Steps } from '../steps';
import { DocIndex, type Block } from './docIndex';
import { MAX_MATCH, SEP } from './suffixArray';
import { WorkspaceStore, type Segment, type StoreLimits } from './workspaceStore';

export interface Estimate {
  /** Length of the longest context suffix that occurs (tokens); 0 when none does. */
  k: number;
  /** Occurrences of that suffix that have a next token. */
  total: number;
  /** Next token -> count. */
  counts: Map<number, number>;
  /** One next token follows every occurrence. */
  sparse: boolean;
}

/** Occurrences whose next token lies in [from, to) of document docId are not counted (the cursor line). */
export interface Exclusion { docId: string; from: number; to: number }

interface Part { block: Block; exclude?: { from: number; to: number }; dead?: Uint8Array }

export const EMPTY_ESTIMATE: Estimate = { k: 0, total: 0, counts: new Map(), sparse: false };

export class TokenIndex {
  /** Open documents: blocks that follow their edits. */
  private readonly docs = new Map<string, DocIndex>();
  /** Index-only documents (workspace files), log-structured (workspaceStore.ts). */
  private readonly store: WorkspaceStore;

  constructor(limits?: StoreLimits) { this.store = new WorkspaceStore(limits); }

  /** Indexes (or re-indexes) a document's tokens; unchanged blocks are reused. Returns blocks built. */
  update(docId: string, dt: DocTokens, indexOnly = false, key = ''): number {
    if (indexOnly) { this.docs.delete(docId); return this.store.add(docId, dt, key); }
    this.store.remove(docId);
    let d = this.docs.get(docId);
    if (!d) { d = new DocIndex(); this.docs.set(docId, d); }
    d.update(dt);
    return d.lastBuilt;
  }

  /** An index-only document whose index was built apart (DocIndex.updateSteps) takes its place; then the
   * workspace store's flush, when due, as steps. */
  *addIndexOnlySteps(docId: string, d: DocIndex, key = ''): Steps<void> {
    this.docs.delete(docId);
    if (this.store.addBuilt(docId, d, key)) yield* this.store.flushSteps();
  }

  has(docId: string): boolean { return this.docs.has(docId) || this.store.has(docId); }

  isIndexOnly(docId: string): boolean { return this.store.has(docId); }

  /** Segments made by merges so far (tests). */
  get merges(): number { return this.store.merges; }

  /** A workspace file with this content key is indexed (or restored from disk and now live again). */
  confirm(docId: string, key: string): boolean { return this.store.confirm(docId, key); }

  /** Restored workspace files that were not sent again are dropped. */
  sweep(): void { this.store.sweep(); }

  /** Changes whenever the workspace segments do. */
  get workspaceVersion(): number { return this.store.version; }

  /** The workspace files as segments (pending ones merged first), to persist. */
  segments(): readonly Segment[] { this.store.flush(); return this.store.allSegments; }

  /** Segments read back from disk. */
  restore(segs: Segment[]): void { this.store.restore(segs); }

  remove(docId: string): void {
    this.docs.delete(docId);
    this.store.remove(docId);
  }

  clear(): void { this.docs.clear(); this.store.clear(); }

  stats(): { documents: number; workspaceFiles: number; tokens: number; bytes: number; segments: number } {
    const ws = this.store.stats();
    let tokens = ws.tokens, bytes = ws.bytes;
    for (const d of this.docs.values()) { tokens += d.tokens; bytes += d.bytes; }
    return { documents: this.docs.size + ws.files, workspaceFiles: ws.files, tokens, bytes, segments: ws.segments };
  }

  /** A lookup over the given open documents (all when undefined) and every index-only file. */
  lookup(docIds?: Iterable<string>, exclude?: Exclusion): Lookup {
    const parts: Part[] = this.store.parts();
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

/** The token at p, SEP past the end (a suffix that ends has no next token). */
function nextToken(t: Uint16Array, p: number): number { return p < t.length ? t[p] : SEP; }

/** Estimates over a fixed set of blocks (one completion's view of the index). */
export class Lookup {
  constructor(private readonly parts: Part[]) {}

  get empty(): boolean { return this.parts.length === 0; }

  /** Occurrences of ctx[end - k, end) with a next token (not excluded); counts filled when given. */
  private count(ctx: ArrayLike<number>, end: number, k: number, counts?: Map<number, number>): number {
    let total = 0;
    for (const { block, exclude, dead } of this.parts) {
      const sa = block.sa, t = sa.tokens;
      if (!counts) {                                       // a probe: one lower bound, then the first valid occurrence
        for (let i = sa.lowerBound(ctx, end - k, k); sa.startsWith(i, ctx, end - k, k); i++) {
          const s = sa.sa[i], nextPos = s + k;
          if (nextPos >= t.length || t[nextPos] === SEP || (dead && (dead[s >> 3] >> (s & 7)) & 1)) continue;
          if (!(exclude && nextPos >= exclude.from && nextPos < exclude.to)) return 1;
        }
        continue;
      }
      const [lo, hi] = sa.range(ctx, end - k, k);
      const sorted = k < MAX_MATCH;                        // within the range, suffixes are in next-token order
      for (let i = lo; i < hi; ) {
        const v = nextToken(t, sa.sa[i] + k);
        let j = i + 1;                                     // end of the run of next token v
        if (sorted) {
          for (let b = hi; j < b; ) { const m = (j + b) >>> 1; if (nextToken(t, sa.sa[m] + k) === v) j = m + 1; else b = m; }
        } else while (j < hi && nextToken(t, sa.sa[j] + k) === v) j++;
        let c = 0;
        if (v === SEP) c = 0;                              // the block or the file ends: no next token
        else if (!dead && !exclude) c = j - i;
        else {
          for (let x = i; x < j; x++) {
            const s = sa.sa[x], nextPos = s + k;
            if (dead && (dead[s >> 3] >> (s & 7)) & 1) continue;
            if (exclude && nextPos >= exclude.from && nextPos < exclude.to) continue;
            c++;
          }
        }
        if (c > 0) { total += c; counts.set(v, (counts.get(v) ?? 0) + c); }
        i = j;
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
