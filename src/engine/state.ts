// Mutable generation state (onnxruntime-genai style: the Model is immutable, this is not).
// CatState: block a = entries (start, cross-file entries, compressed chunks), block b = the
// current segment ([chunk] + tokens of the incomplete chunk). DenseState: everything in block a.
// Both reuse the longest common prefix of what they ran last (entry keys / tokens).
import { abortError } from './chunkStore';
import { KvBlock } from './kvCache';
import type { GraphRunner } from './runner';

/** A compressed entry of another document (cross-file context). */
export interface ContextEntry {
  key: string;
  /** The chunk's C token ids (compressed on demand). */
  ids: ArrayLike<number>;
}

export interface PrefillOptions {
  /** Chunk size (cat); ignored by dense. */
  chunkSize: number;
  /** Content keys of the complete chunks of `seq` (cat), if the caller memoized them. */
  chunkKeys?: string[];
  contextEntries?: ContextEntry[];
  signal?: AbortSignal;
  onProgress?: (done: number, total: number) => void;
  /** Inputs per decoder call while prefilling (default PREFILL_PIECE). */
  pieceSize?: number;
}

export type VectorSource = (C: number, chunks: ArrayLike<number>[], keys: string[], signal?: AbortSignal) => Promise<Float32Array[]>;
export type KeySource = (C: number, ids: ArrayLike<number>, from: number) => string;

export interface SeqState {
  readonly kind: 'cat' | 'dense';
  /** Runs the context; returns the logits predicting the token after `seq`. */
  prefill(seq: Int32Array, opts: PrefillOptions): Promise<Float32Array>;
  /** Appends one token; returns the logits predicting the next one. */
  decodeOne(id: number): Promise<Float32Array>;
  /** Bytes of the context: keys/values in use plus compressed vectors. */
  contextBytes(): number;
  /** Rows reused from the previous prefill / rows computed, for the last prefill (cat: entries;
   * segmentReused: rows of the current segment kept). */
  readonly lastPrefill: { reused: number; computed: number; segmentReused?: number };
  /** Rows currently cached (entries + segment, or tokens). */
  readonly rows: number;
  release(): void;
}

/** Most inputs per decoder call during prefill (bounds the attention scratch memory). */
export const PREFILL_PIECE = 256;

export interface CatSpecials { chunk: number; start: Record<string, number> }

export class CatState implements SeqState {
  readonly kind = 'cat';
  readonly a: KvBlock;
  readonly b: KvBlock;
  private entryKeys: string[] = [];
  private seg: number[] = [];
  private C = 0;
  private dModel: number;
  lastPrefill = { reused: 0, computed: 0, segmentReused: 0 };

  constructor(private readonly run: GraphRunner, private readonly sp: CatSpecials,
    private readonly vectors: VectorSource, private readonly keyOf: KeySource) {
    const d = run.model.dims;
    this.dModel = d.dModel;
    this.a = new KvBlock([d.nLayers, d.nHeads, d.headDim], 256);
    this.b = new KvBlock([d.nLayers, d.nHeads, d.headDim], 80);
  }

  get rows(): number { return this.a.length + this.b.length; }
  get entries(): number { return this.a.length; }

  contextBytes(): number {
    const vectors = Math.max(0, this.a.length - 1) * this.dModel * 4;
    return this.a.bytesUsed + this.b.bytesUsed + vectors;
  }

  async prefill(seq: Int32Array, opts: PrefillOptions): Promise<Float32Array> {
    const C = opts.chunkSize;
    const startId = this.sp.start[String(C)];
    if (startId === undefined) throw new Error(`no start entry for chunk size ${C}`);
    this.C = C;
    const n = Math.floor(seq.length / C);
    const ctx = opts.contextEntries ?? [];
    const docKeys = opts.chunkKeys ?? [];
    for (let i = docKeys.length; i < n; i++) docKeys.push(this.keyOf(C, seq, i * C));
    const keys = [`start:${C}`, ...ctx.map((e) => e.key), ...docKeys.slice(0, n)];
    let lcp = 0;
    const held = Math.min(this.entryKeys.length, this.a.length);
    while (lcp < held && lcp < keys.length && this.entryKeys[lcp] === keys[lcp]) lcp++;
    // the segment's rows stay valid only over exactly the same entries
    const sameEntries = lcp === keys.length && held === keys.length;
    this.a.truncate(lcp);
    this.entryKeys.length = lcp;
    if (!sameEntries) {
      this.b.clear();
      this.seg = [];
    }

    // vectors of the entries after the common prefix (one batched source call)
    const need: { ids: ArrayLike<number>; key: string }[] = [];
    for (let j = Math.max(1, lcp); j < keys.length; j++) {
      const ids = j <= ctx.length ? ctx[j - 1].ids : seq.subarray((j - 1 - ctx.length) * C, (j - ctx.length) * C);
      need.push({ ids, key: keys[j] });
    }
    const vecs = need.length ? await this.vectors(C, need.map((x) => x.ids), need.map((x) => x.key), opts.signal) : [];
    let v = 0;
    const piece = opts.pieceSize ?? PREFILL_PIECE;
    for (let j = lcp; j < keys.length; j += piece) {
      if (opts.signal?.aborted) throw abortError();
      const end = Math.min(keys.length, j + piece);
      const ids: number[] = [];
      const pos: number[] = [];
      const embeds: Float32Array[] = [];
      for (let k = j; k < end; k++) {
        pos.push(k);
        if (k === 0) ids.push(startId);
        else { ids.push(-1); embeds.push(vecs[v++]); }
      }
      const out = await this.run.decode({ ids, embeds, positions: pos, numLogits: 1 }, this.a, null);
      this.a.append(out.newKeys, out.newValues, end - j);
      for (let k = j; k < end; k++) this.entryKeys.push(keys[k]);
      opts.onProgress?.(end, keys.length);
    }
    // current segment: [chunk] + tail tokens; rows of the previous segment (prefilled or
    // generated) are kept up to the first differing token, as long as the entries are the same
    const tail = seq.subarray(n * C);
    const keep = sameEntries ? this.segmentPrefix(tail) : 0;
    this.b.truncate(keep);
    const base = this.a.length;
    const ids = [this.sp.chunk, ...tail].slice(keep);
    const pos = ids.map((_, i) => base + keep + i);
    const out = await this.run.decode({ ids, positions: pos, numLogits: 1 }, this.a, this.b);
    this.b.append(out.newKeys, out.newValues, ids.length);
    this.seg = Array.from(tail);
    this.lastPrefill = { reused: lcp, computed: keys.length - lcp, segmentReused: keep };
    return out.logits;
  }

  /** Rows of block b that the new segment [chunk] + tail shares with the held one (always
   * leaving at least one input to run, for the logits). */
  private segmentPrefix(tail: ArrayLike<number>): number {
    const held = Math.min(this.b.length, 1 + this.seg.length);
    if (held === 0) return 0;
    let k = 1; // row 0 is [chunk] at the same position
    while (k < held && k - 1 < tail.length && this.seg[k - 1] === tail[k - 1]) k++;
    return Math.min(k, tail.length);
  }

  async decodeOne(id: number): Promise<Float32Array> {
    if (this.C === 0) throw new Error('decodeOne before prefill');
    const C = this.C;
    this.seg.push(id);
    const base = this.a.length;
    if (this.seg.length < C) {
      const out = await this.run.decode({ ids: [id], positions: [base + this.seg.length], numLogits: 1 }, this.a, this.b);
      this.b.append(out.newKeys, out.newValues, 1);
      return out.logits;
    }
    // the chunk is complete: compress it, add its entry to block a, start a new segment.
    // The completed chunk's last token needs no decoder step: its keys/values would be dropped.
    const key = this.keyOf(C, this.seg, 0);
    const [vec] = await this.vectors(C, [this.seg], [key]);
    const out = await this.run.decode({ ids: [-1, this.sp.chunk], embeds: [vec], positions: [base, base + 1], numLogits: 1 }, this.a, null);
    this.a.append(out.newKeys, out.newValues, 1, 0);
    this.entryKeys.push(key);
    this.b.clear();
    this.b.append(out.newKeys, out.newValues, 1, 1);
    this.seg = [];
    return out.logits;
  }

  release(): void {
    this.a.clear();
    this.b.clear();
    this.a.shrinkTo(1);
    this.b.shrinkTo(1);
    this.entryKeys = [];
    this.seg = [];
  }
}

export class DenseState implements SeqState {
  readonly kind = 'dense';
  readonly a: KvBlock;
  private tokens: number[] = [];
  lastPrefill = { reused: 0, computed: 0 };

  constructor(private readonly run: GraphRunner, private readonly endoftext: number, maxRows?: number) {
    const d = run.model.dims;
    this.a = new KvBlock([d.nLayers, d.nHeads, d.headDim], 256, maxRows);
  }

  get rows(): number { return this.a.length; }
  contextBytes(): number { return this.a.bytesUsed; }

  async prefill(seq: Int32Array, opts: PrefillOptions): Promise<Float32Array> {
    const full = new Int32Array(seq.length + 1);
    full[0] = this.endoftext;
    full.set(seq, 1);
    if (full.length > this.a.maxRows) {
      throw new Error(`dense context of ${full.length} tokens exceeds the memory limit of ${this.a.maxRows} tokens`);
    }
    let lcp = 0;
    const held = Math.min(this.tokens.length, this.a.length);
    while (lcp < held && lcp < full.length && this.tokens[lcp] === full[lcp]) lcp++;
    if (lcp === full.length) lcp--; // the last token is rerun for its logits
    this.a.truncate(lcp);
    this.tokens.length = lcp;
    this.lastPrefill = { reused: lcp, computed: full.length - lcp };
    let logits: Float32Array | undefined;
    const piece = opts.pieceSize ?? PREFILL_PIECE;
    for (let j = lcp; j < full.length; j += piece) {
      if (opts.signal?.aborted) throw abortError();
      const end = Math.min(full.length, j + piece);
      const ids = full.subarray(j, end);
      const pos = Array.from({ length: end - j }, (_, i) => j + i);
      const out = await this.run.decode({ ids, positions: pos, numLogits: 1 }, this.a, null);
      this.a.append(out.newKeys, out.newValues, end - j);
      for (let k = j; k < end; k++) this.tokens.push(full[k]);
      logits = out.logits;
      opts.onProgress?.(end, full.length);
    }
    return logits as Float32Array;
  }

  async decodeOne(id: number): Promise<Float32Array> {
    if (this.tokens.length === 0) throw new Error('decodeOne before prefill');
    const out = await this.run.decode({ ids: [id], positions: [this.tokens.length], numLogits: 1 }, this.a, null);
    this.a.append(out.newKeys, out.newValues, 1);
    this.tokens.push(id);
    return out.logits;
  }

  release(): void {
    this.a.clear();
    this.a.shrinkTo(1);
    this.tokens = [];
  }
}
