// Mutable generation state (onnxruntime-genai style: the Model is immutable, this is not): the
// SeqState interface, and DenseState (every token in block a, reused by the longest common
// prefix of tokens). CatState is in catState.ts.
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
  /** Complete chunks of `seq` that are document text before the cursor (cat). Entries after
   * them (a fill-in-the-middle suffix) are held in block b, apart from the document's entries
   * in block a, so the next request at another place or keystroke keeps block a. Default: all. */
  stableChunks?: number;
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
  /** Most tokens decodeMany may append now (cat: without completing the current chunk). */
  draftRoom(): number;
  /** Appends several tokens in one decoder call (lookup drafting); returns the logits after each. */
  decodeMany(ids: number[]): Promise<Float32Array[]>;
  /** Drops the last n tokens appended (drafted tokens that were not accepted). */
  rollback(n: number): void;
  /** Entries of `keys` (start entry first) whose decoder keys/values are held (cat). */
  heldEntries?(keys: string[]): number;
  /** Computes entries of `seq` after those held, leaving the current sequence as it is (cat). */
  readAhead?(seq: Int32Array, opts: PrefillOptions): Promise<number>;
  /** Bytes of the context: keys/values in use plus compressed vectors. */
  contextBytes(): number;
  /** Rows reused from the previous prefill / rows computed, for the last prefill (cat: entries;
   * segmentReused: rows of the current segment kept; grewA: block a was extended). */
  readonly lastPrefill: { reused: number; computed: number; segmentReused?: number; grewA?: boolean };
  /** Rows currently cached (entries + segment, or tokens). */
  readonly rows: number;
  release(): void;
}

/** Most inputs per decoder call during prefill (bounds the attention scratch memory). */
export const PREFILL_PIECE = 256;

export interface CatSpecials { chunk: number; start: Record<string, number> }

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

  draftRoom(): number { return this.a.maxRows - this.a.length; }

  async decodeMany(ids: number[]): Promise<Float32Array[]> {
    if (this.tokens.length === 0) throw new Error('decodeMany before prefill');
    const pos = ids.map((_, i) => this.tokens.length + i);
    const out = await this.run.decode({ ids, positions: pos, numLogits: ids.length }, this.a, null);
    this.a.append(out.newKeys, out.newValues, ids.length);
    this.tokens.push(...ids);
    return splitRows(out.logits, ids.length);
  }

  rollback(n: number): void {
    if (n <= 0) return;
    this.a.truncate(this.a.length - n);
    this.tokens.length -= n;
  }

  release(): void {
    this.a.clear();
    this.a.shrinkTo(1);
    this.tokens = [];
  }
}

/** The rows of a [rows, V] logits array, as views. */
export function splitRows(logits: Float32Array, rows: number): Float32Array[] {
  const V = logits.length / rows;
  return Array.from({ length: rows }, (_, r) => logits.subarray(r * V, (r + 1) * V));
}
