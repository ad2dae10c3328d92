// Teacher-forced scoring of a token sequence from its start (bits per byte, `cat-lm eval`),
// driving the graphs exactly as generation does (CONTRACT.md), so it doubles as the
// from-scratch reference in parity tests.
import { abortError } from './chunkStore';
import { KvBlock } from './kvCache';
import { PREFILL_PIECE, type VectorSource } from './state';
import { entryInput, log2ProbRow, type GraphRunner } from './runner';
import type { SpecialTokens } from './contract';
import { windowBias } from './windowState';

export interface ScoreResult {
  /** Sum of -log2 p over the scored tokens. */
  bits: number;
  /** Tokens scored (the sequence minus its first token). */
  tokens: number;
}

export interface ScoreOptions {
  signal?: AbortSignal;
  /** Receives the full logits row predicting seq[t] for every scored t (tests). */
  onLogits?: (t: number, row: Float32Array) => void;
}

/** CAT: scores seq[1..] with chunk size C. */
export async function scoreCat(run: GraphRunner, sp: SpecialTokens, seq: Int32Array, C: number,
  vectors: VectorSource, keyOf: (C: number, ids: ArrayLike<number>, from: number) => string, o: ScoreOptions = {}): Promise<ScoreResult> {
  const d = run.model.dims;
  const V = d.vocabSize;
  const startId = sp.start[String(C)];
  if (startId === undefined || sp.chunk === undefined) throw new Error(`no start entry for chunk size ${C}`);
  const nComplete = Math.floor(seq.length / C);
  const nSeg = Math.ceil(seq.length / C);
  const a = new KvBlock([d.nLayers, d.nHeads, d.headDim], nSeg + 1);
  // entries 0..nSeg-1 are needed (segment i attends to entries 0..i); entry i>=1 = chunk i-1
  const nEntries = Math.min(nSeg, nComplete + 1);
  const chunks: ArrayLike<number>[] = [];
  const keys: string[] = [];
  for (let i = 0; i < nEntries - 1; i++) { chunks.push(seq.subarray(i * C, (i + 1) * C)); keys.push(keyOf(C, seq, i * C)); }
  const vecs = chunks.length ? await vectors(C, chunks, keys, o.signal) : [];
  for (let j = 0; j < nEntries; j += PREFILL_PIECE) {
    if (o.signal?.aborted) throw abortError();
    const end = Math.min(nEntries, j + PREFILL_PIECE);
    const out = await run.decode(entryInput(j, end, startId, (k) => vecs[k - 1]), a, null);
    a.append(out.newKeys, out.newValues, end - j);
  }
  let bits = 0, tokens = 0;
  for (let i = 0; i < nSeg; i++) {
    if (o.signal?.aborted) throw abortError();
    const from = i * C;
    const end = Math.min(seq.length, from + C);
    const ids = [sp.chunk, ...seq.subarray(from, end - 1)];
    const pos = ids.map((_, k) => i + 1 + k);
    const out = await run.decode({ ids, positions: pos, numLogits: ids.length }, a, null, i + 1);
    for (let r = 0; r < ids.length; r++) {
      const t = from + r;
      if (t === 0) continue;
      bits -= log2ProbRow(out.logits, V, r, seq[t]);
      tokens++;
      o.onLogits?.(t, out.logits.subarray(r * V, (r + 1) * V));
    }
  }
  return { bits, tokens };
}

/** CAT with the window layout (contract "window" W): scores seq[1..] with chunk size C. Input t is
 * [chunk] for t = 0, else seq[t - 1]; it predicts seq[t] (windowState.ts). */
export async function scoreWindow(run: GraphRunner, sp: SpecialTokens, seq: Int32Array, C: number, W: number,
  vectors: VectorSource, keyOf: (C: number, ids: ArrayLike<number>, from: number) => string, o: ScoreOptions = {}): Promise<ScoreResult> {
  const d = run.model.dims;
  const V = d.vocabSize;
  const startId = sp.start[String(C)];
  if (startId === undefined || sp.chunk === undefined) throw new Error(`no start entry for chunk size ${C}`);
  const nEntries = Math.floor((seq.length - 1) / C) + 1;   // the last input, seq.length - 1, sees these
  const chunks: ArrayLike<number>[] = [];
  const keys: string[] = [];
  for (let i = 0; i < nEntries - 1; i++) { chunks.push(seq.subarray(i * C, (i + 1) * C)); keys.push(keyOf(C, seq, i * C)); }
  const vecs = chunks.length ? await vectors(C, chunks, keys, o.signal) : [];
  const a = new KvBlock([d.nLayers, d.nHeads, d.headDim], nEntries);
  for (let j = 0; j < nEntries; j += PREFILL_PIECE) {
    if (o.signal?.aborted) throw abortError();
    const end = Math.min(nEntries, j + PREFILL_PIECE);
    const inp = entryInput(j, end, startId, (k) => vecs[k - 1]);
    inp.positions = Array.from(inp.positions, (k) => k * C);    // entry k sits at position kC
    const T = end - j, S = j + T;
    inp.bias = new Float32Array(T * S);
    for (let q = 0; q < T; q++) for (let k = q + 1; k < T; k++) inp.bias[q * S + j + k] = -Infinity;
    const out = await run.decode(inp, a, null);
    a.append(out.newKeys, out.newValues, T);
  }
  const w = new KvBlock([d.nLayers, d.nHeads, d.headDim], W + PREFILL_PIECE);
  let wFrom = 0, bits = 0, tokens = 0;
  for (let t0 = 0; t0 < seq.length; t0 += PREFILL_PIECE) {
    if (o.signal?.aborted) throw abortError();
    const t1 = Math.min(seq.length, t0 + PREFILL_PIECE);
    const ids = Array.from({ length: t1 - t0 }, (_, i) => (t0 + i === 0 ? sp.chunk as number : seq[t0 + i - 1]));
    const pos = ids.map((_, i) => t0 + i);
    const aRows = Math.floor((t1 - 1) / C) + 1;
    const wPos = Array.from({ length: w.length }, (_, r) => wFrom + r);
    const out = await run.decode({ ids, positions: pos, numLogits: ids.length, bias: windowBias(pos, aRows, wPos, C, W) }, a, w, aRows);
    for (let r = 0; r < ids.length; r++) {
      const t = t0 + r;
      if (t === 0) continue;
      bits -= log2ProbRow(out.logits, V, r, seq[t]);
      tokens++;
      o.onLogits?.(t, out.logits.subarray(r * V, (r + 1) * V));
    }
    w.append(out.newKeys, out.newValues, ids.length);
    const drop = Math.max(0, w.length - (W - 1));            // the next piece sees the last W - 1 inputs
    w.dropFront(drop);
    wFrom += drop;
  }
  return { bits, tokens };
}

/** Dense: scores seq[1..] of [endoftext] + seq. */
export async function scoreDense(run: GraphRunner, sp: SpecialTokens, seq: Int32Array, o: ScoreOptions = {}): Promise<ScoreResult> {
  const d = run.model.dims;
  const V = d.vocabSize;
  const full = new Int32Array(seq.length + 1);
  full[0] = sp.endoftext;
  full.set(seq, 1);
  const a = new KvBlock([d.nLayers, d.nHeads, d.headDim], full.length);
  let bits = 0, tokens = 0;
  for (let j = 0; j < full.length; j += PREFILL_PIECE) {
    if (o.signal?.aborted) throw abortError();
    const end = Math.min(full.length, j + PREFILL_PIECE);
    const ids = full.subarray(j, end);
    const pos = Array.from({ length: end - j }, (_, k) => j + k);
    const out = await run.decode({ ids, positions: pos, numLogits: end - j }, a, null);
    a.append(out.newKeys, out.newValues, end - j);
    for (let r = 0; r < end - j; r++) {
      const target = j + r + 1; // index in full
      if (target >= full.length || target < 2) continue; // seq[0] ([file]) is not scored
      bits -= log2ProbRow(out.logits, V, r, full[target]);
      tokens++;
      o.onLogits?.(target - 1, out.logits.subarray(r * V, (r + 1) * V));
    }
  }
  return { bits, tokens };
}

/** Teacher forcing of [file] + ids with the tail's per-token log2 probabilities (Engine.evaluate). */
export async function scoreWithTail(score: (seq: Int32Array, o: ScoreOptions) => Promise<ScoreResult>, fileId: number, ids: Int32Array, V: number, tailTokens: number, signal?: AbortSignal) {
  const seq = new Int32Array(ids.length + 1);
  seq[0] = fileId;
  seq.set(ids, 1);
  let tailBits = 0;
  const tailLog2Probs: number[] = [];
  const onLogits = tailTokens > 0 ? (t: number, row: Float32Array) => {
    if (t >= seq.length - tailTokens) { const lp = log2ProbRow(row, V, 0, seq[t]); tailBits -= lp; tailLog2Probs.push(lp); }
  } : undefined;
  const r = await score(seq, { signal, onLogits });
  return { ...r, ...(tailTokens > 0 ? { tailBits, tailLog2Probs } : {}) };
}
