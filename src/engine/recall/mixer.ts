// One completion's use of the index: at every decoding step the model's distribution is mixed
// with the index's estimate, P = lambda * P_index + (1 - lambda) * P_model, lambda from the match
// length and sparsity (params.ts). Returns log-probabilities the sampler picks from (greedy or
// top-p) and records what the gate needs.
import type { StepRecord } from './gate';
import { lambdaFor, type RecallParams } from './params';
import { EMPTY_ESTIMATE, type Estimate, type Lookup } from './tokenIndex';

/** Shortest index match that drafts tokens (shorter ones predict too little to pay for a wider call). */
export const DRAFT_MIN_K = 4;

export class Mixer {
  readonly steps: StepRecord[] = [];
  private ctx: number[];
  private est: Estimate = EMPTY_ESTIMATE;
  private probs: Float32Array;
  /** log-sum-exp of the last row when mix() returned the logits unchanged (0 when it returned log P). */
  private lse = 0;
  /** Match length at the first step. */
  firstK = 0;
  /** Tokens of the query after its last line break (set by the caller that knows the tokenizer). */
  linePrefixTokens = 0;
  /** The last draft's tokens with the estimate after each: advance() takes them instead of looking up again. */
  private drafted: { id: number; est: Estimate }[] = [];

  /** ctx: the document tokens before the cursor (the index's query); params undefined: model only. */
  constructor(private readonly lookup: Lookup | undefined, private readonly params: RecallParams | undefined, ctx: ArrayLike<number>, private readonly vocab: number) {
    this.ctx = Array.from(ctx);
    this.probs = new Float32Array(vocab);
    this.estimateNext(true);
  }

  private estimateNext(first = false): void {
    if (!this.lookup || !this.params) return;
    this.est = this.lookup.estimate(this.ctx, this.ctx.length, first ? undefined : this.est.k + 1);
    if (first) this.firstK = this.est.k;
  }

  /** The estimate for the next token (tests, index-only decoding). */
  get estimate(): Estimate { return this.est; }

  /** log P_mix over the vocabulary from the model's logits (a new row; the logits are not changed),
   * or the logits themselves when lambda is 0 (the same choice; advance() normalizes what it records). */
  mix(logits: Float32Array): Float32Array {
    const V = this.vocab, p = this.probs;
    let m = -Infinity;
    for (let i = 0; i < V; i++) if (logits[i] > m) m = logits[i];
    let s = 0;
    for (let i = 0; i < V; i++) { const e = Math.exp(logits[i] - m); p[i] = e; s += e; }
    const lam = this.params ? lambdaFor(this.params, this.est.k, this.est.sparse) : 0;
    if (lam === 0) {                                     // the model's own distribution: the logits as they are
      this.lse = m + Math.log(s);
      return logits;
    }
    this.lse = 0;
    const out = new Float32Array(V);
    for (let i = 0; i < V; i++) p[i] = (1 - lam) * (p[i] / s);
    if (lam > 0) for (const [id, c] of this.est.counts) if (id < V) p[id] += lam * (c / this.est.total);
    for (let i = 0; i < V; i++) out[i] = Math.log(p[i]);
    return out;
  }

  /**
   * Lookup drafting: the tokens the index predicts next (its most frequent next token while the
   * match is at least `minK` long and that token has a majority), at most `max`. The decoder
   * checks them in one call; the sampler still picks every token, so the output is unchanged.
   */
  draft(max: number, minK = DRAFT_MIN_K): number[] {
    const out: number[] = [];
    this.drafted = [];
    if (!this.lookup || !this.params || max <= 0) return out;
    let est = this.est;
    while (out.length < max && est.k >= minK) {
      const [top, topC] = topOf(est);
      if (top < 0 || 2 * topC <= est.total) break;
      out.push(top);
      this.ctx.push(top);
      est = this.lookup.estimate(this.ctx, this.ctx.length, est.k + 1);
      this.drafted.push({ id: top, est });
    }
    this.ctx.length -= out.length;                       // the context is as it was
    return out;
  }

  /** The chosen token: recorded with its probability, appended to the context, next estimate made. */
  advance(id: number, mixedRow: Float32Array): void {
    const [top] = topOf(this.est);
    this.steps.push({ logP: mixedRow[id] - this.lse, k: this.est.k, total: this.est.total, sparse: this.est.sparse, agree: top === id });
    this.ctx.push(id);
    const d = this.drafted.shift();
    if (d && d.id === id) this.est = d.est;              // looked up already while drafting (the same query)
    else { this.drafted = []; this.estimateNext(); }
  }
}

/** The estimate's most frequent next token and its count ([-1, 0] when it has none). */
function topOf(est: Estimate): [number, number] {
  let top = -1, topC = 0;
  for (const [t, c] of est.counts) if (c > topC) { top = t; topC = c; }
  return [top, topC];
}
