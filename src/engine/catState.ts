// CatState: the mutable generation state of a CAT model (onnxruntime-genai style: the Model is
// immutable, this is not).
//   block a: entry rows (start, cross-file entries, compressed chunks), kept across requests and
//            reused by the longest common prefix of entry keys; only its first `aUsed` rows are
//            the current sequence's.
//   block b: the rows after them: entries this request does not share with block a (a
//            "branch": fill-in-the-middle suffix chunks, or a cursor earlier in the document),
//            then [chunk] and the tokens of the incomplete chunk (prefilled or generated).
// Branching leaves block a's later rows in place, so moving the cursor around a warm document,
// or adding a suffix, costs only the rows that differ. Rows of block b are reused by common
// prefix too, while block a's used rows are unchanged.
import { abortError } from './chunkStore';
import { KvBlock } from './kvCache';
import { entryInput, type GraphRunner } from './runner';
import { PREFILL_PIECE, splitRows, type CatSpecials, type KeySource, type PrefillOptions, type SeqState, type VectorSource } from './state';

/** Most entries a request may add after a divergence while keeping block a's later rows (a branch). */
export const BRANCH_MAX_ENTRIES = 64;

/** A row of block b: an entry's content key, or a token id ([chunk] or a segment token). */
type BRow = string | number;

export class CatState implements SeqState {
  readonly kind = 'cat';
  readonly a: KvBlock;
  readonly b: KvBlock;
  private entryKeys: string[] = [];
  /** Rows of block a the current sequence uses. */
  private aUsed = 0;
  /** Bumped whenever rows of block a are dropped (rows computed against them are stale). */
  private aGen = 0;
  private bRows: BRow[] = [];
  /** Block a (used rows, generation) that block b was computed against. */
  private bBase = { aUsed: -1, aGen: -1 };
  private seg: number[] = [];
  private C = 0;
  private dModel: number;
  lastPrefill = { reused: 0, computed: 0, segmentReused: 0, grewA: false };

  constructor(private readonly run: GraphRunner, private readonly sp: CatSpecials,
    private readonly vectors: VectorSource, private readonly keyOf: KeySource) {
    const d = run.model.dims;
    this.dModel = d.dModel;
    this.a = new KvBlock([d.nLayers, d.nHeads, d.headDim], 256);
    this.b = new KvBlock([d.nLayers, d.nHeads, d.headDim], 80);
  }

  get rows(): number { return this.aUsed + this.b.length; }
  /** Entries of the current sequence (block a's used rows + block b's entry rows). */
  get entries(): number { return this.aUsed + this.bEntries(); }

  /** How many of `keys` (from the start entry on) block a holds keys/values for. */
  heldEntries(keys: string[]): number {
    let n = 0;
    const held = Math.min(this.entryKeys.length, this.a.length);
    while (n < held && n < keys.length && this.entryKeys[n] === keys[n]) n++;
    return n;
  }

  contextBytes(): number {
    const vectors = Math.max(0, this.a.length - 1) * this.dModel * 4;
    return this.a.bytesUsed + this.b.bytesUsed + vectors;
  }

  private bEntries(): number {
    let n = 0;
    while (n < this.bRows.length && typeof this.bRows[n] === 'string') n++;
    return n;
  }

  private truncateA(rows: number): void {
    if (rows < this.a.length) this.aGen++;
    this.a.truncate(rows);
    this.entryKeys.length = Math.min(this.entryKeys.length, rows);
  }

  async prefill(seq: Int32Array, opts: PrefillOptions): Promise<Float32Array> {
    const { C, n, ctx, keys, idsOf } = this.entriesOf(seq, opts);
    const startId = this.startIdOf(C);
    this.C = C;

    const held = Math.min(this.entryKeys.length, this.a.length);
    const lcp = this.heldEntries(keys);
    // extend block a when the request continues it; branch when only a few entries differ;
    // otherwise drop block a's rows from the divergence on and recompute them there
    const branch = lcp < held && keys.length - lcp <= BRANCH_MAX_ENTRIES;
    if (!branch) this.truncateA(lcp);
    if (opts.signal?.aborted) throw abortError();

    // new entries into block a (one batched vector call, decoder calls of PREFILL_PIECE rows);
    // a fill-in-the-middle suffix's entries never go there (see PrefillOptions.stableChunks)
    const stableEnd = opts.stableChunks === undefined ? keys.length : Math.min(keys.length, 1 + ctx.length + opts.stableChunks);
    const aEnd = branch ? lcp : Math.max(lcp, stableEnd);
    let computed = await this.growA(C, keys, idsOf, lcp, aEnd, opts);
    this.aUsed = aEnd;

    // block b: [entries aEnd..] + [chunk] + the tail tokens, reusing its rows by common prefix
    const tail = seq.subarray(n * C);
    const rows: BRow[] = [...keys.slice(aEnd), this.sp.chunk, ...tail];
    const sameBase = this.bBase.aUsed === this.aUsed && this.bBase.aGen === this.aGen;
    let keep = 0;
    if (sameBase) {
      const limit = Math.min(this.b.length, this.bRows.length, rows.length - 1); // at least one input runs
      while (keep < limit && this.bRows[keep] === rows[keep]) keep++;
    }
    this.b.truncate(keep);
    const nbEntries = keys.length - aEnd;
    const vecs = keep < nbEntries ? await this.vectorsFor(C, keys, idsOf, aEnd + keep, keys.length, opts.signal) : new Map<number, Float32Array>();
    const ids: number[] = [];
    const embeds: Float32Array[] = [];
    const pos: number[] = [];
    for (let r = keep; r < rows.length; r++) {
      const row = rows[r];
      pos.push(this.aUsed + r);
      if (typeof row === 'string') {
        const j = aEnd + r;
        if (j === 0) ids.push(startId); else { ids.push(-1); embeds.push(vecs.get(j) as Float32Array); }
      } else ids.push(row);
    }
    if (opts.signal?.aborted) throw abortError();
    const out = await this.run.decode({ ids, embeds, positions: pos, numLogits: 1 }, this.a, this.b, this.aUsed);
    this.b.append(out.newKeys, out.newValues, ids.length);
    this.bRows = rows;
    this.bBase = { aUsed: this.aUsed, aGen: this.aGen };
    this.seg = Array.from(tail);
    const bEntriesKept = Math.min(keep, nbEntries);
    computed += nbEntries - bEntriesKept;
    this.lastPrefill = { reused: keys.length - computed, computed, segmentReused: Math.max(0, keep - nbEntries), grewA: aEnd > lcp };
    return out.logits;
  }

  /**
   * Read-ahead: extends block a along `seq`'s entries (the same window as the last request, further
   * on) when block a's rows are a prefix of them, so that a later request further down reuses them.
   * The current sequence (its used rows of block a, block b) stays as it is. Returns the rows
   * computed (0 when block a diverges from `seq`, is empty, or already holds its entries).
   */
  async readAhead(seq: Int32Array, opts: PrefillOptions): Promise<number> {
    const { C, keys, idsOf } = this.entriesOf(seq, opts);
    const held = Math.min(this.entryKeys.length, this.a.length);
    if (held === 0 || this.heldEntries(keys) < held || held >= keys.length) return 0;
    return this.growA(C, keys, idsOf, held, keys.length, opts);
  }

  private startIdOf(C: number): number {
    const id = this.sp.start[String(C)];
    if (id === undefined) throw new Error(`no start entry for chunk size ${C}`);
    return id;
  }

  /** Entry keys of [start] + context entries + the complete chunks of seq, and their token ids. */
  private entriesOf(seq: Int32Array, opts: PrefillOptions) {
    const C = opts.chunkSize;
    const n = Math.floor(seq.length / C);
    const ctx = opts.contextEntries ?? [];
    const docKeys = opts.chunkKeys ?? [];
    for (let i = docKeys.length; i < n; i++) docKeys.push(this.keyOf(C, seq, i * C));
    const keys = [`start:${C}`, ...ctx.map((e) => e.key), ...docKeys.slice(0, n)];
    const idsOf = (j: number) => (j <= ctx.length ? ctx[j - 1].ids : seq.subarray((j - 1 - ctx.length) * C, (j - ctx.length) * C));
    return { C, n, ctx, keys, idsOf };
  }

  /** Appends entries [from, to) to block a (one batched vector call, decoder calls of pieceSize rows). */
  private async growA(C: number, keys: string[], idsOf: (j: number) => ArrayLike<number>, from: number, to: number, opts: PrefillOptions): Promise<number> {
    if (to <= from) return 0;
    const startId = this.startIdOf(C);
    const vecs = await this.vectorsFor(C, keys, idsOf, Math.max(1, from), to, opts.signal);
    const piece = opts.pieceSize ?? PREFILL_PIECE;
    let computed = 0;
    for (let j = from; j < to; j += piece) {
      if (opts.signal?.aborted) throw abortError();
      const end = Math.min(to, j + piece);
      const out = await this.run.decode(entryInput(j, end, startId, (k) => vecs.get(k) as Float32Array), this.a, null);
      this.a.append(out.newKeys, out.newValues, end - j);
      for (let k = j; k < end; k++) this.entryKeys.push(keys[k]);
      computed += end - j;
      opts.onProgress?.(end, keys.length);
    }
    return computed;
  }

  /** Vectors of entries [from, to) (entry 0, the start entry, has none), by entry index. */
  private async vectorsFor(C: number, keys: string[], idsOf: (j: number) => ArrayLike<number>, from: number, to: number, signal?: AbortSignal): Promise<Map<number, Float32Array>> {
    const idx: number[] = [];
    for (let j = Math.max(1, from); j < to; j++) idx.push(j);
    const m = new Map<number, Float32Array>();
    if (idx.length === 0) return m;
    const vecs = await this.vectors(C, idx.map(idsOf), idx.map((j) => keys[j]), signal);
    idx.forEach((j, i) => m.set(j, vecs[i]));
    return m;
  }

  async decodeOne(id: number): Promise<Float32Array> {
    if (this.C === 0) throw new Error('decodeOne before prefill');
    const C = this.C;
    this.seg.push(id);
    if (this.seg.length < C) {
      this.bRows.push(id);
      const out = await this.run.decode({ ids: [id], positions: [this.aUsed + this.bRows.length - 1], numLogits: 1 }, this.a, this.b, this.aUsed);
      this.b.append(out.newKeys, out.newValues, 1);
      return out.logits;
    }
    // the chunk is complete: compress it and add its entry, then start a new segment. The
    // completed chunk's last token needs no decoder step: its keys/values would be dropped.
    const key = this.keyOf(C, this.seg, 0);
    const [vec] = await this.vectors(C, [this.seg], [key]);
    const nbe = this.bEntries();
    const base = this.aUsed + nbe;
    const extendA = nbe === 0 && this.aUsed === this.a.length;
    this.b.truncate(nbe);
    const out = await this.run.decode({ ids: [-1, this.sp.chunk], embeds: [vec], positions: [base, base + 1], numLogits: 1 },
      this.a, extendA ? null : this.b, this.aUsed);
    if (extendA) {
      this.a.append(out.newKeys, out.newValues, 1, 0);
      this.entryKeys.push(key);
      this.aUsed++;
      this.b.clear();
      this.b.append(out.newKeys, out.newValues, 1, 1);
      this.bRows = [this.sp.chunk];
      this.bBase = { aUsed: this.aUsed, aGen: this.aGen };
    } else {
      this.b.append(out.newKeys, out.newValues, 2);
      this.bRows = [...this.bRows.slice(0, nbe), key, this.sp.chunk];
    }
    this.seg = [];
    return out.logits;
  }

  /** Tokens that fit in the current segment without completing its chunk (decodeMany stays in it). */
  draftRoom(): number { return this.C === 0 ? 0 : Math.max(0, this.C - 1 - this.seg.length); }

  async decodeMany(ids: number[]): Promise<Float32Array[]> {
    if (this.C === 0) throw new Error('decodeMany before prefill');
    if (ids.length > this.draftRoom()) throw new Error(`decodeMany: ${ids.length} tokens do not fit in the chunk (room ${this.draftRoom()})`);
    const first = this.aUsed + this.bRows.length;
    this.seg.push(...ids);
    this.bRows.push(...ids);
    const out = await this.run.decode({ ids, positions: ids.map((_, i) => first + i), numLogits: ids.length }, this.a, this.b, this.aUsed);
    this.b.append(out.newKeys, out.newValues, ids.length);
    return splitRows(out.logits, ids.length);
  }

  rollback(n: number): void {
    if (n <= 0) return;
    if (n > this.seg.length) throw new Error(`rollback of ${n} tokens past the segment start`);
    this.seg.length -= n;
    this.bRows.length -= n;
    this.b.truncate(this.b.length - n);
  }

  release(): void {
    this.truncateA(0);
    this.b.clear();
    this.a.shrinkTo(1);
    this.b.shrinkTo(1);
    this.aUsed = 0;
    this.bRows = [];
    this.bBase = { aUsed: -1, aGen: -1 };
    this.seg = [];
  }
}
