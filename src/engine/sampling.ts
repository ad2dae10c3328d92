// Token choice: greedy, or temperature + top-p (nucleus) with a seeded RNG.
import { argmaxRow } from './runner';

/** mulberry32: small, fast, seedable; uniform in [0, 1). */
export function seededRng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SamplerOptions {
  temperature?: number;
  topP?: number;
  seed?: number;
  /** Ids that may never be chosen (e.g. structural special tokens). */
  banned?: number[];
}

export class Sampler {
  private readonly rng: () => number;
  private readonly temperature: number;
  private readonly topP: number;
  private readonly banned: Set<number>;

  constructor(readonly vocab: number, opts: SamplerOptions = {}) {
    this.temperature = opts.temperature ?? 0;
    this.topP = opts.topP ?? 1;
    this.rng = seededRng(opts.seed ?? Date.now());
    this.banned = new Set(opts.banned ?? []);
    if (!(this.temperature >= 0)) throw new Error(`temperature must be >= 0 (got ${opts.temperature})`);
    if (!(this.topP > 0 && this.topP <= 1)) throw new Error(`topP must be in (0, 1] (got ${opts.topP})`);
  }

  get greedy(): boolean { return this.temperature === 0; }

  /** Picks the next id from one row of logits (length >= vocab). */
  pick(logits: Float32Array): number {
    const V = this.vocab;
    let row = logits.length === V ? logits : logits.subarray(0, V);
    if (this.banned.size) {
      row = row.slice();
      for (const b of this.banned) if (b < V) row[b] = -Infinity;
    }
    if (this.greedy) return argmaxRow(row, V);
    let m = -Infinity;
    for (let i = 0; i < V; i++) if (row[i] > m) m = row[i];
    const p = new Float64Array(V);
    let s = 0;
    for (let i = 0; i < V; i++) { const e = Math.exp((row[i] - m) / this.temperature); p[i] = e; s += e; }
    let ids: number[];
    if (this.topP < 1) {
      ids = Array.from({ length: V }, (_, i) => i).filter((i) => p[i] > 0).sort((x, y) => p[y] - p[x]);
      let acc = 0, cut = ids.length;
      for (let k = 0; k < ids.length; k++) { acc += p[ids[k]] / s; if (acc >= this.topP) { cut = k + 1; break; } }
      ids = ids.slice(0, cut);
    } else {
      ids = Array.from({ length: V }, (_, i) => i);
    }
    let total = 0;
    for (const i of ids) total += p[i];
    let r = this.rng() * total;
    for (const i of ids) { r -= p[i]; if (r <= 0) return i; }
    return ids[ids.length - 1];
  }
}
