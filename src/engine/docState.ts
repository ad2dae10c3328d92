// Per-document reusable state: memoized chunk keys (so unchanged chunks are not re-hashed)
// and a small LRU pool of decoder states (block-a keys/values reused by common prefix).
import type { SeqState } from './state';

interface KeyMemoEntry { seq: Int32Array; keys: string[] }

/** Chunk content keys of a sequence, reusing the keys of chunks equal to the previous sequence's. */
export class KeyMemo {
  private readonly memo = new Map<string, Map<number, KeyMemoEntry>>();
  computed = 0;
  reused = 0;

  constructor(private readonly keyOf: (C: number, ids: ArrayLike<number>, from: number) => string) {}

  keys(docId: string, C: number, seq: Int32Array): string[] {
    const n = Math.floor(seq.length / C);
    let byC = this.memo.get(docId);
    if (!byC) { byC = new Map(); this.memo.set(docId, byC); }
    const prev = byC.get(C);
    const keys: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const from = i * C;
      if (prev && (i + 1) * C <= prev.seq.length && i < prev.keys.length && sameRange(prev.seq, seq, from, C)) {
        keys[i] = prev.keys[i];
        this.reused++;
      } else {
        keys[i] = this.keyOf(C, seq, from);
        this.computed++;
      }
    }
    byC.set(C, { seq, keys });
    return keys;
  }

  forget(docId: string): void { this.memo.delete(docId); }
  clear(): void { this.memo.clear(); }
}

function sameRange(a: Int32Array, b: Int32Array, from: number, len: number): boolean {
  for (let i = from; i < from + len; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Decoder states by document and chunk size, least recently used released beyond `max`. */
export class StatePool {
  private readonly states = new Map<string, SeqState>();

  constructor(private readonly create: () => SeqState, private readonly max = 4) {}

  get(docId: string, chunkSize: number): SeqState {
    const key = `${chunkSize}\u0000${docId}`;
    let s = this.states.get(key);
    if (s) {
      this.states.delete(key);
      this.states.set(key, s);
      return s;
    }
    s = this.create();
    this.states.set(key, s);
    while (this.states.size > this.max) {
      const [oldest, st] = this.states.entries().next().value as [string, SeqState];
      st.release();
      this.states.delete(oldest);
    }
    return s;
  }

  /** Releases every state of the document (all chunk sizes). */
  drop(docId: string): void {
    for (const [k, s] of [...this.states]) {
      if (k.slice(k.indexOf('\u0000') + 1) === docId) { s.release(); this.states.delete(k); }
    }
  }

  clear(): void {
    for (const s of this.states.values()) s.release();
    this.states.clear();
  }

  /** Bytes of context held by all pooled states. */
  bytes(): number {
    let b = 0;
    for (const s of this.states.values()) b += s.contextBytes();
    return b;
  }
}
