// WindowState: the generation state of a CAT model with the window layout (contract "layout":
// "window"; models/pipeline/model.py forward_window, reference.py WindowRunner). The decoder reads
// the token stream: input t is [chunk] for t = 0, else token t - 1, at position t; it predicts token
// t and sees the entries j <= t / C (entry 0 the start vector, entry j the compressed chunk j - 1,
// at position jC) and the inputs of the last W positions (itself included).
//   block a: the entries, reused by the longest common prefix of entry keys (as CatState's); only
//            the first `aUsed` rows are the current sequence's, read-ahead may hold more.
//   block w: the rows of recent inputs, positions wFrom.. (rows older than the window are masked by
//            the attention bias and dropped now and then).
// An input's keys/values depend on the W inputs before it at every layer, so a row is exact only
// when the nLayers * (W - 1) inputs before it were computed too: a prefill that cannot extend the
// held rows recomputes that span before the cursor (one biased decoder call), never the whole text.
import { abortError } from './chunkStore';
import { KvBlock } from './kvCache';
import type { GraphRunner } from './runner';
import { PREFILL_PIECE, splitRows, type CatSpecials, type KeySource, type PrefillOptions, type SeqState, type VectorSource } from './state';

/** Rows of block w kept beyond the window before the oldest are dropped (amortizes the copy). */
const W_SLACK = 64;

/**
 * The attention bias of one decoder call: [T, aRows + wPos.length + T], 0 where input q (at position
 * pos[q]) sees the column and -Infinity where not. Entries: j <= pos[q] / C; window rows and the
 * call's inputs: 0 <= pos[q] - position < W.
 */
export function windowBias(pos: ArrayLike<number>, aRows: number, wPos: ArrayLike<number>, C: number, W: number): Float32Array {
  const T = pos.length, S = aRows + wPos.length + T;
  const bias = new Float32Array(T * S);
  for (let q = 0; q < T; q++) {
    const t = pos[q], row = q * S;
    const last = Math.floor(t / C);
    for (let j = last + 1; j < aRows; j++) bias[row + j] = -Infinity;
    for (let r = 0; r < wPos.length; r++) {
      const d = t - wPos[r];
      if (d < 0 || d >= W) bias[row + aRows + r] = -Infinity;
    }
    for (let k = 0; k < T; k++) {
      const d = t - pos[k];
      if (d < 0 || d >= W) bias[row + aRows + wPos.length + k] = -Infinity;
    }
  }
  return bias;
}

export class WindowState implements SeqState {
  readonly kind = 'cat';
  readonly a: KvBlock;
  readonly w: KvBlock;
  private entryKeys: string[] = [];
  private aUsed = 0;
  /** Position of block w's first row. */
  private wFrom = 0;
  /** First position whose row is exact at every layer (rows after a recomputed span's start are not, for a while). */
  private exactFrom = 0;
  /** Tokens of the current sequence (context chunks first); the last input is at position full.length. */
  private full: number[] = [];
  private C = 0;
  lastPrefill = { reused: 0, computed: 0, segmentReused: 0, grewA: false };

  constructor(private readonly run: GraphRunner, private readonly sp: CatSpecials, readonly window: number,
    private readonly vectors: VectorSource, private readonly keyOf: KeySource) {
    const d = run.model.dims;
    this.a = new KvBlock([d.nLayers, d.nHeads, d.headDim], 256);
    this.w = new KvBlock([d.nLayers, d.nHeads, d.headDim], 2 * window + W_SLACK);
  }

  /** Inputs before a row that must be computed for the row to be exact. */
  private get span(): number { return this.run.model.dims.nLayers * (this.window - 1); }

  get rows(): number { return this.aUsed + this.w.length; }
  get entries(): number { return this.aUsed; }

  heldEntries(keys: string[]): number {
    let n = 0;
    const held = Math.min(this.entryKeys.length, this.a.length);
    while (n < held && n < keys.length && this.entryKeys[n] === keys[n]) n++;
    return n;
  }

  contextBytes(): number {
    return this.a.bytesUsed + this.w.bytesUsed + Math.max(0, this.a.length - 1) * this.run.model.dims.dModel * 4;
  }

  async prefill(seq: Int32Array, opts: PrefillOptions): Promise<Float32Array> {
    const { C, keys, idsOf, full } = this.entriesOf(seq, opts);
    if (C !== this.C) this.release();
    this.C = C;
    const lcp = this.heldEntries(keys);
    if (lcp < keys.length && lcp < this.a.length) { this.a.truncate(lcp); this.entryKeys.length = lcp; }   // read-ahead rows past keys stay
    const computed = await this.growA(C, keys, idsOf, lcp, keys.length, opts);
    this.aUsed = keys.length;

    // inputs: reuse the held rows up to the first input that differs (or saw a changed entry)
    const N = full.length;                                   // the last input's position
    let same = 0;
    while (same < N && same < this.full.length && this.full[same] === full[same]) same++;
    const validEnd = Math.min(same, lcp * C - 1, this.wFrom + this.w.length - 1);   // last reusable input
    let from = Math.max(validEnd + 1, 0);
    const need = Math.max(0, Math.min(from, N) - (this.window - 1));               // rows the first new input sees
    from = Math.min(from, N);                                // the last input runs for its logits
    if (this.w.length === 0 || need < Math.max(this.wFrom, this.exactFrom) || N - from > this.span) {
      from = Math.max(0, N - this.span - this.window);       // the span before the cursor, and W more: an edit
                                                             // up to W tokens back then reuses the rows
      this.w.clear();
      this.wFrom = from;
      this.exactFrom = from === 0 ? 0 : from + this.span - (this.window - 1);
    } else {
      this.w.truncate(from - this.wFrom);
    }
    const reusedRows = from - this.wFrom;
    this.full = Array.from(full);
    if (opts.signal?.aborted) throw abortError();
    let logits: Float32Array | undefined;
    const piece = opts.pieceSize ?? PREFILL_PIECE;
    for (let t0 = from; t0 <= N; t0 += piece) {
      if (opts.signal?.aborted) throw abortError();
      const t1 = Math.min(N + 1, t0 + piece);
      const ids = Array.from({ length: t1 - t0 }, (_, i) => (t0 + i === 0 ? this.sp.chunk : full[t0 + i - 1]));
      logits = await this.runInputs(ids, t0, 1);
    }
    this.lastPrefill = { reused: lcp, computed, segmentReused: reusedRows, grewA: keys.length > lcp };
    return logits as Float32Array;
  }

  /** Runs inputs at positions first.. (all in one chunk's entries' reach: entries are added before) and keeps their rows. */
  private async runInputs(ids: number[], first: number, numLogits: number): Promise<Float32Array> {
    const pos = ids.map((_, i) => first + i);
    const aRows = Math.min(this.aUsed, Math.floor((first + ids.length - 1) / this.C) + 1);
    const wPos = Array.from({ length: this.w.length }, (_, r) => this.wFrom + r);
    const bias = windowBias(pos, aRows, wPos, this.C, this.window);
    const out = await this.run.decode({ ids, positions: pos, numLogits, bias }, this.a, this.w, aRows);
    this.w.append(out.newKeys, out.newValues, ids.length);
    const old = this.w.length - (this.window - 1) - W_SLACK;  // rows no later input can see, dropped in bulk
    if (old > W_SLACK) {
      this.w.dropFront(old);
      this.wFrom += old;
    }
    return out.logits;
  }

  async readAhead(seq: Int32Array, opts: PrefillOptions): Promise<number> {
    const { C, keys, idsOf } = this.entriesOf(seq, opts);
    const held = Math.min(this.entryKeys.length, this.a.length);
    if (C !== this.C || held === 0 || this.heldEntries(keys) < held || held >= keys.length) return 0;
    return this.growA(C, keys, idsOf, held, keys.length, opts);
  }

  /** Entry keys of [start] + context entries + the complete chunks of seq, their ids, and the token stream. */
  private entriesOf(seq: Int32Array, opts: PrefillOptions) {
    const C = opts.chunkSize;
    const ctx = opts.contextEntries ?? [];
    const n = Math.floor(seq.length / C);
    const docKeys = opts.chunkKeys ?? [];
    for (let i = docKeys.length; i < n; i++) docKeys.push(this.keyOf(C, seq, i * C));
    const keys = [`start:${C}`, ...ctx.map((e) => e.key), ...docKeys.slice(0, n)];
    const idsOf = (j: number) => (j <= ctx.length ? ctx[j - 1].ids : seq.subarray((j - 1 - ctx.length) * C, (j - ctx.length) * C));
    const full = new Int32Array(ctx.length * C + seq.length);
    ctx.forEach((e, i) => full.set(Array.from(e.ids), i * C));
    full.set(seq, ctx.length * C);
    return { C, keys, idsOf, full };
  }

  /** Appends entries [from, to) to block a: one batched vector call, biased decoder calls of PREFILL_PIECE rows. */
  private async growA(C: number, keys: string[], idsOf: (j: number) => ArrayLike<number>, from: number, to: number, opts: PrefillOptions): Promise<number> {
    if (to <= from) return 0;
    const start = this.sp.start[String(C)];
    if (start === undefined) throw new Error(`no start entry for chunk size ${C}`);
    const idx = Array.from({ length: to - Math.max(1, from) }, (_, i) => Math.max(1, from) + i);
    const vecs = idx.length ? await this.vectors(C, idx.map(idsOf), idx.map((j) => keys[j]), opts.signal) : [];
    const piece = opts.pieceSize ?? PREFILL_PIECE;
    for (let j = from; j < to; j += piece) {
      if (opts.signal?.aborted) throw abortError();
      const end = Math.min(to, j + piece);
      const ids: number[] = [], embeds: Float32Array[] = [], pos: number[] = [];
      for (let k = j; k < end; k++) {
        pos.push(k * C);
        if (k === 0) ids.push(start); else { ids.push(-1); embeds.push(vecs[k - Math.max(1, from)]); }
      }
      const T = end - j, S = this.a.length + T;              // entries see every earlier entry, and each other causally
      const bias = new Float32Array(T * S);
      for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) bias[q * S + this.a.length + k] = -Infinity;
      const out = await this.run.decode({ ids, embeds, positions: pos, numLogits: 1, bias }, this.a, null);
      this.a.append(out.newKeys, out.newValues, T);
      for (let k = j; k < end; k++) this.entryKeys.push(keys[k]);
      opts.onProgress?.(end, keys.length);
    }
    return to - from;
  }

  async decodeOne(id: number): Promise<Float32Array> {
    if (this.C === 0) throw new Error('decodeOne before prefill');
    const C = this.C;
    this.full.push(id);
    const t = this.full.length;
    if (t % C === 0) {                                       // id ends a chunk: its entry first
      const chunk = this.full.slice(t - C);
      const key = this.keyOf(C, chunk, 0);
      if (this.entryKeys[this.aUsed] !== key || this.a.length <= this.aUsed) {
        this.a.truncate(this.aUsed);
        this.entryKeys.length = this.aUsed;
        const [vec] = await this.vectors(C, [chunk], [key]);
        const bias = new Float32Array(this.aUsed + 1);
        const out = await this.run.decode({ ids: [-1], embeds: [vec], positions: [this.aUsed * C], numLogits: 1, bias }, this.a, null);
        this.a.append(out.newKeys, out.newValues, 1);
        this.entryKeys.push(key);
      }
      this.aUsed++;
    }
    return this.runInputs([id], t, 1);
  }

  /** Tokens that fit before the current chunk completes (decodeMany adds no entry). */
  draftRoom(): number { return this.C === 0 ? 0 : this.C - 1 - (this.full.length % this.C); }

  async decodeMany(ids: number[]): Promise<Float32Array[]> {
    if (this.C === 0) throw new Error('decodeMany before prefill');
    if (ids.length > this.draftRoom()) throw new Error(`decodeMany: ${ids.length} tokens do not fit in the chunk (room ${this.draftRoom()})`);
    const first = this.full.length + 1;
    this.full.push(...ids);
    return splitRows(await this.runInputs(ids, first, ids.length), ids.length);
  }

  rollback(n: number): void {
    if (n <= 0) return;
    if (n > this.full.length % this.C) throw new Error(`rollback of ${n} tokens past the chunk start`);
    this.full.length -= n;
    this.w.truncate(this.w.length - n);
  }

  release(): void {
    this.a.truncate(0);
    this.entryKeys = [];
    this.w.clear();
    this.a.shrinkTo(1);
    this.w.shrinkTo(1);
    this.aUsed = 0;
    this.wFrom = 0;
    this.exactFrom = 0;
    this.full = [];
    this.C = 0;
  }
}
