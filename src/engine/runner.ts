// Thin wrappers that feed the decoder and compressor graphs with tensors shaped as
// CONTRACT.md says. No state here: callers own the KV blocks.
import * as ort from 'onnxruntime-node';
import { ATTN_BIAS } from './contract';
import type { KvBlock } from './kvCache';
import type { Model } from './model';

export interface DecoderInput {
  /** Token id per input, or -1 where `embeds` supplies the row (compressed entries). */
  ids: ArrayLike<number>;
  /** Row vectors for the -1 inputs, in order of appearance (each dModel floats). */
  embeds?: Float32Array[];
  positions: ArrayLike<number>;
  numLogits: number;
  /** Window layout only: [T, aRows + bRows + T] row-major, 0 or -Infinity, added to the attention
   * scores of every head (which entries, window rows and inputs each input sees). */
  bias?: Float32Array;
}

export interface DecoderOutput {
  /** [numLogits, vocab] row-major. */
  logits: Float32Array;
  /** [T, L, H, hd] keys/values of the inputs. */
  newKeys: Float32Array;
  newValues: Float32Array;
}

/** Decoder input for entries [from, to) at positions from..to-1 (CONTRACT.md): entry 0 is the
 * start token, entry k >= 1 the compressed vector vecOf(k) (input id -1). */
export function entryInput(from: number, to: number, startId: number, vecOf: (k: number) => Float32Array): DecoderInput {
  const ids: number[] = [];
  const positions: number[] = [];
  const embeds: Float32Array[] = [];
  for (let k = from; k < to; k++) {
    positions.push(k);
    if (k === 0) ids.push(startId);
    else { ids.push(-1); embeds.push(vecOf(k)); }
  }
  return { ids, embeds, positions, numLogits: 1 };
}

/** Decoder calls with at most this many inputs use the model's one-thread step session, if any. */
export const STEP_MAX_INPUTS = 16;

export class GraphRunner {
  decoderCalls = 0;
  compressorCalls = 0;
  /** Past input names per block, layer-major (index l * nHeads + h), from the contract. */
  private readonly past: { keysA: string[]; valuesA: string[]; keysB: string[]; valuesB: string[] };
  private readonly emptyKv: ort.Tensor;
  /** The decoder takes an attention bias (window layout). */
  readonly biased: boolean;

  constructor(readonly model: Model) {
    this.biased = model.contract.graphs.decoder.inputs.includes(ATTN_BIAS);
    const p = model.contract.graphs.decoder.past;
    this.past = { keysA: p.keys_a.flat(), valuesA: p.values_a.flat(), keysB: p.keys_b.flat(), valuesB: p.values_b.flat() };
    this.emptyKv = new ort.Tensor('float32', new Float32Array(0), [1, 0, model.dims.headDim]);
  }

  /** Runs the decoder over T inputs that attend to block a (first aRows rows), block b (first bRows rows) and each other. */
  async decode(inp: DecoderInput, a: KvBlock | null, b: KvBlock | null, aRows?: number, bRows?: number): Promise<DecoderOutput> {
    const T = inp.ids.length;
    if (T === 0) throw new Error('decoder call with no inputs');
    if (inp.positions.length !== T) throw new Error('decoder call: positions and ids differ in length');
    const dModel = this.model.dims.dModel;
    const ids = new BigInt64Array(T);
    const pos = new BigInt64Array(T);
    const emb = new Float32Array(T * dModel);
    let e = 0;
    for (let t = 0; t < T; t++) {
      ids[t] = BigInt(inp.ids[t]);
      pos[t] = BigInt(inp.positions[t]);
      if (inp.ids[t] === -1) {
        const v = inp.embeds?.[e++];
        if (!v || v.length !== dModel) throw new Error(`decoder call: missing embedding row for input ${t}`);
        emb.set(v, t * dModel);
      }
    }
    const n = Math.max(1, Math.min(T, inp.numLogits));
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', ids, [1, T]),
      inputs_embeds: new ort.Tensor('float32', emb, [1, T, dModel]),
      position_ids: new ort.Tensor('int64', pos, [1, T]),
      num_logits: new ort.Tensor('int64', BigInt64Array.from([BigInt(n)]), [1]),
    };
    const va = a ? a.view(aRows ?? a.length) : undefined;
    const vb = b ? b.view(bRows ?? b.length) : undefined;
    if (this.biased !== (inp.bias !== undefined)) {
      throw new Error(this.biased ? `decoder call without the "${ATTN_BIAS}" input this model's graph takes` : `decoder call with an attention bias this model's graph does not take`);
    }
    if (inp.bias) {
      const S = (a ? aRows ?? a.length : 0) + (b ? bRows ?? b.length : 0) + T;
      if (inp.bias.length !== T * S) throw new Error(`decoder call: attention bias of ${inp.bias.length} values, expected ${T} x ${S}`);
      feeds[ATTN_BIAS] = new ort.Tensor('float32', inp.bias, [T, S]);
    }
    const p = this.past;
    for (let i = 0; i < p.keysA.length; i++) {
      feeds[p.keysA[i]] = va?.keys[i] ?? this.emptyKv;
      feeds[p.valuesA[i]] = va?.values[i] ?? this.emptyKv;
      feeds[p.keysB[i]] = vb?.keys[i] ?? this.emptyKv;
      feeds[p.valuesB[i]] = vb?.values[i] ?? this.emptyKv;
    }
    this.decoderCalls++;
    const session = T <= STEP_MAX_INPUTS && this.model.decoderStep ? this.model.decoderStep : this.model.decoder;
    const out = await session.run(feeds);
    const logits = out.logits.data as Float32Array;
    const newKeys = out.new_keys.data as Float32Array;
    const newValues = out.new_values.data as Float32Array;
    return { logits, newKeys, newValues };
  }

  /** Compresses B chunks of C tokens each in one call; returns one dModel vector per chunk. */
  async compress(chunks: ArrayLike<number>[], C: number): Promise<Float32Array[]> {
    const comp = this.model.compressor;
    if (!comp) throw new Error(`model ${this.model.contract.name} has no compressor (kind ${this.model.kind})`);
    const B = chunks.length;
    if (B === 0) return [];
    const ids = new BigInt64Array(B * C);
    for (let b = 0; b < B; b++) {
      const ch = chunks[b];
      if (ch.length !== C) throw new Error(`compress: chunk ${b} has ${ch.length} tokens, expected ${C}`);
      for (let i = 0; i < C; i++) ids[b * C + i] = BigInt(ch[i]);
    }
    this.compressorCalls++;
    const out = await comp.run({ token_ids: new ort.Tensor('int64', ids, [B, C]) });
    const v = out.vectors.data as Float32Array;
    const d = this.model.dims.dModel;
    if (v.length !== B * d) throw new Error(`compressor returned ${v.length} floats, expected ${B}x${d}`);
    const res: Float32Array[] = [];
    for (let b = 0; b < B; b++) res.push(v.slice(b * d, (b + 1) * d));
    return res;
  }
}

/** Index of the largest value in row r of a [rows, V] array. */
export function argmaxRow(logits: Float32Array, V: number, r = 0): number {
  let best = -Infinity, bi = 0;
  const o = r * V;
  for (let i = 0; i < V; i++) { const x = logits[o + i]; if (x > best) { best = x; bi = i; } }
  return bi;
}

/** log2 of softmax(row r)[id]. */
export function log2ProbRow(logits: Float32Array, V: number, r: number, id: number): number {
  const o = r * V;
  let m = -Infinity;
  for (let i = 0; i < V; i++) if (logits[o + i] > m) m = logits[o + i];
  let s = 0;
  for (let i = 0; i < V; i++) s += Math.exp(logits[o + i] - m);
  return (logits[o + id] - m - Math.log(s)) / Math.LN2;
}
