// Token healing: a cursor inside a line leaves the context ending in tokens of an unfinished
// word ("fo" of "foo"), which neither the model (trained on whole lines) nor the index (which holds
// whole lines) has seen. The last tokens are taken back; the first generated tokens must spell their
// bytes again (a token starting with them, or a prefix of them), and those bytes are not shown.
import type { DocTokenizer } from '../tokenizer';

/** Most tokens taken back. */
export const MAX_HEAL_TOKENS = 6;

/**
 * How many tokens at the end of seq to take back (0 when seq holds only [file] at index 0): the
 * last one, and the ones before it while together they still begin some token. A word cut short
 * is often several short tokens (" b" "re" "a" for " brea"); taking back only "a" leaves " b" "re",
 * which the index never saw (its text says " break") and the model rarely did.
 */
export function healCount(seq: ArrayLike<number>, tok: DocTokenizer, max = MAX_HEAL_TOKENS): number {
  if (seq.length < 2) return 0;
  let n = 1;
  let bytes = tok.tokenBytes(seq[seq.length - 1]);
  while (n < max && seq.length - n - 1 >= 1) {
    const id = seq[seq.length - n - 1];
    if (tok.isSpecial(id)) break;
    const b = tok.tokenBytes(id);
    if (b.includes(0x0a)) break;                           // the line before: never taken back
    const more = new Uint8Array(b.length + bytes.length);
    more.set(b);
    more.set(bytes, b.length);
    if (!tok.startsSomeToken(more)) break;
    bytes = more;
    n++;
  }
  return n;
}

export class Healer {
  private rest: Uint8Array;

  /** bytes: what the removed token stood for. */
  constructor(private readonly tok: DocTokenizer, readonly bytes: Uint8Array, private readonly vocab: number) {
    this.rest = bytes;
  }

  get active(): boolean { return this.rest.length > 0; }

  /** Sets every token that cannot continue the healed bytes to -Infinity (in place). */
  mask(row: Float32Array): void {
    if (!this.active) return;
    const r = this.rest;
    for (let id = 0; id < this.vocab; id++) {
      if (!(row[id] > -Infinity)) continue;
      const b = this.tok.isSpecial(id) ? undefined : this.tok.tokenBytes(id);
      if (!b || b.length === 0 || !compatible(b, r)) row[id] = -Infinity;
    }
  }

  /** Consumes a chosen token's bytes. */
  advance(id: number): void {
    if (!this.active) return;
    const b = this.tok.tokenBytes(id);
    this.rest = b.length >= this.rest.length ? new Uint8Array(0) : this.rest.subarray(b.length);
  }
}

/** a starts with b, or b starts with a. */
function compatible(a: Uint8Array, b: Uint8Array): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}
