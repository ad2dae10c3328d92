// Index-only workspace files, kept log-structured so that a lookup searches a few large arrays
// instead of thousands of small ones: a file added is searchable at once as its blocks (pending);
// once MERGE tokens are pending they become one segment (the files' tokens end to end, each
// followed by SEP, and one suffix array merged from the blocks' sorted arrays: nothing is sorted
// again), and a segment at least half the size of the one before it is merged into it (up to
// MAX_SEGMENT tokens). A removed or changed file is marked dead in its segment (a bit a token);
// a segment more than half dead is rewritten with its live files (its array filtered: the order
// holds). Lookups skip dead occurrences and never match across SEP. Files carry a content key:
// segments restored from disk (indexPersist.ts) start with every file dead, and a file sent again
// with the same key is brought back to life instead of being tokenized and sorted again.
import type { DocTokens } from '../docTokens';
import { drain, type Steps } from '../steps';
import { DocIndex, type Block } from './docIndex';
import { mergeSuffixSteps, SEP, SuffixArray } from './suffixArray';

export interface StoreLimits {
  /** Pending tokens that make a segment. */
  merge: number;
  /** Largest segment a merge makes. */
  maxSegment: number;
  /** Suffix starts a flush made as steps merges between pauses (default MERGED_A_STEP). */
  mergeStep?: number;
}

export const DEFAULT_LIMITS: StoreLimits = { merge: 32_768, maxSegment: 262_144 };

/** One searchable array of the store: a block of a pending file or a segment (with its dead bits). */
export interface StorePart { block: Block; dead?: Uint8Array }

/** A file's place in a segment's tokens and its content key. */
export interface FileSpan { from: number; to: number; key: string }

export interface Segment {
  sa: SuffixArray;
  /** Live file id -> its span in sa.tokens. */
  files: Map<string, FileSpan>;
  /** Restored files not sent again yet (dead until confirmed). */
  restored: Map<string, FileSpan>;
  dead?: Uint8Array;
  live: number;
}

/** A file's tokens and its sorted suffix starts, both in the coordinates of the segment being built. */
interface Placed { id: string; key: string; tokens: ArrayLike<number>; runs: Int32Array[] }

/** A segment laid out but not in the store yet. */
interface Built { tokens: Uint16Array; files: Map<string, FileSpan>; sorted: Int32Array; live: number }

/** A flush made as steps gives way this many times to changes made during its pauses, then finishes at once. */
const SLICED_TRIES = 3;
/** Positions copied or filtered between pause points while a segment is laid out (carrySteps, layout). */
const COPY_STEP = 65_536;

function setDead(seg: Segment, from: number, to: number, dead: boolean): void {
  seg.dead ??= new Uint8Array((seg.sa.tokens.length >> 3) + 1);
  for (let p = from; p < to; p++) {
    if (dead) seg.dead[p >> 3] |= 1 << (p & 7); else seg.dead[p >> 3] &= ~(1 << (p & 7));
  }
}

export class WorkspaceStore {
  private readonly pending = new Map<string, { d: DocIndex; key: string }>();
  private pendingTokens = 0;
  private segments: Segment[] = [];
  private readonly where = new Map<string, Segment>();
  private readonly restoredIn = new Map<string, Segment>();
  /** Segments made or rewritten since the store was created (tests, logs). */
  merges = 0;
  /** Bumped whenever the segments change (what persistence writes). */
  version = 0;
  /** Bumped by every change a segment being built in steps could miss; it is built again then. */
  private mutations = 0;

  constructor(private readonly limits: StoreLimits = DEFAULT_LIMITS) {}

  has(id: string): boolean { return this.pending.has(id) || this.where.has(id); }

  get size(): number { return this.pending.size + this.where.size; }

  ids(): IterableIterator<string> { return [...this.pending.keys(), ...this.where.keys()][Symbol.iterator](); }

  /** Adds or replaces a file; returns the blocks built (a pending file's unchanged blocks are reused). */
  add(id: string, dt: DocTokens, key = ''): number {
    const p = this.pending.get(id);
    if (p) { this.pendingTokens -= p.d.tokens; this.pending.delete(id); }
    const d = p?.d ?? new DocIndex();
    d.update(dt);
    if (this.addBuilt(id, d, key)) this.flush();
    return d.lastBuilt;
  }

  /** Adds or replaces a file with an index built apart (DocIndex.updateSteps). Returns whether a flush is
   * due (the caller runs flushSteps or flush). */
  addBuilt(id: string, d: DocIndex, key = ''): boolean {
    const p = this.pending.get(id);
    if (p) this.pendingTokens -= p.d.tokens;
    else this.remove(id);
    this.dropRestored(id);
    this.pending.set(id, { d, key });
    this.pendingTokens += d.tokens;
    this.mutations++;
    return this.pendingTokens >= this.limits.merge;
  }

  /** The file is indexed with this content key already (live), or was restored with it (now live again). */
  confirm(id: string, key: string): boolean {
    if (!key) return false;
    const live = this.pending.get(id)?.key ?? this.where.get(id)?.files.get(id)?.key;
    if (live !== undefined) return live === key;
    const seg = this.restoredIn.get(id);
    const span = seg?.restored.get(id);
    if (!seg || !span || span.key !== key) return false;
    this.mutations++;
    this.dropRestored(id);
    seg.files.set(id, span);
    this.where.set(id, seg);
    setDead(seg, span.from, span.to, false);
    seg.live += span.to - span.from;
    return true;
  }

  private dropRestored(id: string): void {
    const seg = this.restoredIn.get(id);
    if (seg) { seg.restored.delete(id); this.restoredIn.delete(id); }
  }

  remove(id: string): void {
    this.dropRestored(id);
    const p = this.pending.get(id);
    if (p) { this.pendingTokens -= p.d.tokens; this.pending.delete(id); this.mutations++; return; }
    const seg = this.where.get(id);
    if (!seg) return;
    this.mutations++;
    const span = seg.files.get(id)!;
    seg.files.delete(id);
    this.where.delete(id);
    setDead(seg, span.from, span.to, true);
    seg.live -= span.to - span.from;
    this.compactIfHalfDead(seg);
  }

  /** Rewrites a segment more than half dead with its live files (not while restored files may come back). */
  private compactIfHalfDead(seg: Segment): void {
    if (seg.restored.size > 0 || seg.live * 2 >= seg.sa.tokens.length - seg.files.size) return;
    const i = this.segments.indexOf(seg);
    if (seg.live === 0) this.segments.splice(i, 1);
    else this.segments[i] = this.build(this.carry([seg]));
    this.version++;
    this.mutations++;
  }

  /** Restored files never sent again are dropped (segments more than half dead are rewritten). */
  sweep(): void {
    this.mutations++;
    for (const seg of [...this.segments]) {
      if (seg.restored.size === 0) continue;
      for (const id of seg.restored.keys()) this.restoredIn.delete(id);
      seg.restored.clear();
      this.compactIfHalfDead(seg);
    }
  }

  /** Segments read back from disk: their files wait (dead) for confirm(). */
  restore(segs: Segment[]): void {
    this.mutations++;
    for (const seg of segs) {
      for (const [id, span] of seg.files) { seg.restored.set(id, span); this.restoredIn.set(id, seg); }
      seg.files.clear();
      seg.live = 0;
      seg.dead = new Uint8Array((seg.sa.tokens.length >> 3) + 1).fill(0xff);
      this.segments.push(seg);
    }
  }

  /** The segments as they are now (persistence writes them). */
  get allSegments(): readonly Segment[] { return this.segments; }

  clear(): void {
    this.mutations++;
    this.pending.clear();
    this.pendingTokens = 0;
    this.segments = [];
    this.where.clear();
    this.restoredIn.clear();
    this.version++;
  }

  /** Pending files become one segment; then small segments are merged into the ones before them. */
  flush(): void { drain(this.flushSteps(true)); }

  /** flush as steps (steps.ts), each segment laid out apart and put in place at once; a change made
   * during the pauses has it laid out again (SLICED_TRIES times, then without pauses). all: flush
   * every pending file, else only while a flush is due. */
  *flushSteps(all = false): Steps<void> {
    let tries = 0;                                              // layouts a change during the pauses overtook
    while (this.pending.size > 0 && (all || this.pendingTokens >= this.limits.merge)) {
      const seen = this.mutations;
      const taken = [...this.pending.keys()];
      const placed: Placed[] = [];
      let base = 0;
      for (const [id, { d, key }] of this.pending) {
        const ids = d.ids!;
        placed.push({ id, key, tokens: ids, runs: d.all.map((b) => b.sa.sa.map((p) => base + b.start + p)) });
        base += ids.length + 1;
      }
      const built = tries < SLICED_TRIES ? yield* this.layout(placed) : drain(this.layout(placed));
      if (this.mutations !== seen) { tries++; continue; }
      for (const id of taken) this.pending.delete(id);
      this.pendingTokens = 0;
      this.segments.push(this.install(built));
      this.mutations++;
    }
    for (let n = this.segments.length; n >= 2; n = this.segments.length) {
      const a = this.segments[n - 2], b = this.segments[n - 1];
      if (a.restored.size > 0 || b.live * 2 < a.live || a.live + b.live > this.limits.maxSegment) break;
      const seen = this.mutations;
      const carried = tries < SLICED_TRIES ? yield* this.carrySteps([a, b]) : this.carry([a, b]);
      const built = tries < SLICED_TRIES ? yield* this.layout(carried) : drain(this.layout(carried));
      if (this.mutations !== seen) { tries++; continue; }
      this.segments.splice(n - 2, 2, this.install(built));
      this.mutations++;
    }
  }

  /** The live files of segments, with their arrays filtered of dead starts and moved to new places. */
  private carry(segs: Segment[]): Placed[] { return drain(this.carrySteps(segs)); }

  /** carry as steps: it may pause every COPY_STEP positions (a segment holds up to maxSegment tokens). */
  private *carrySteps(segs: Segment[]): Steps<Placed[]> {
    const placed: Placed[] = [];
    let base = 0, budget = COPY_STEP;
    for (const s of segs) {
      const at = new Int32Array(s.sa.tokens.length).fill(-1);  // old position -> new one (-1: dead)
      const runStart = placed.length;
      for (const [id, { from, to, key }] of s.files) {
        for (let p = from; p < to; p++) at[p] = base + p - from;
        placed.push({ id, key, tokens: s.sa.tokens.subarray(from, to), runs: [] });
        base += to - from + 1;
        if ((budget -= to - from) <= 0) { budget = COPY_STEP; yield; }
      }
      const run = new Int32Array(s.live);
      let o = 0;
      const sa = s.sa.sa;
      for (let i = 0; i < sa.length; i++) {
        if (at[sa[i]] >= 0) run[o++] = at[sa[i]];
        if (--budget === 0) { budget = COPY_STEP; yield; }
      }
      if (placed.length > runStart) placed[runStart].runs.push(run.subarray(0, o));
    }
    return placed;
  }

  private build(placed: Placed[]): Segment { return this.install(drain(this.layout(placed))); }

  /** The files end to end (each followed by SEP) and their runs merged into one suffix array; pure. */
  private *layout(placed: Placed[]): Steps<Built> {
    let n = 0;
    for (const f of placed) n += f.tokens.length + 1;
    const tokens = new Uint16Array(n);
    const files = new Map<string, FileSpan>();
    let at = 0, budget = COPY_STEP;
    for (const f of placed) {
      tokens.set(f.tokens, at);
      files.set(f.id, { from: at, to: at + f.tokens.length, key: f.key });
      at += f.tokens.length;
      tokens[at++] = SEP;
      if ((budget -= f.tokens.length) <= 0) { budget = COPY_STEP; yield; }
    }
    const sorted = yield* mergeSuffixSteps(tokens, placed.flatMap((f) => f.runs), this.limits.mergeStep);
    return { tokens, files, sorted, live: n - placed.length };
  }

  private install(b: Built): Segment {
    const seg: Segment = { sa: new SuffixArray(b.tokens, b.tokens.length, b.sorted), files: b.files, restored: new Map(), live: b.live };
    for (const id of b.files.keys()) this.where.set(id, seg);
    this.merges++;
    this.version++;
    return seg;
  }

  /** What a lookup searches: the pending files' blocks and the segments. */
  parts(): StorePart[] {
    const out: StorePart[] = [];
    for (const { d } of this.pending.values()) for (const block of d.all) out.push({ block });
    for (const s of this.segments) out.push({ block: { sa: s.sa, start: 0 }, dead: s.dead });
    return out;
  }

  stats(): { files: number; tokens: number; bytes: number; segments: number } {
    let tokens = this.pendingTokens, bytes = 0;
    for (const { d } of this.pending.values()) bytes += d.bytes;
    for (const s of this.segments) { tokens += s.live; bytes += s.sa.bytes + (s.dead?.byteLength ?? 0); }
    return { files: this.size, tokens, bytes, segments: this.segments.length };
  }
}
