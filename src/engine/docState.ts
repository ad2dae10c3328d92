// Per-document reusable state: memoized chunk keys (so unchanged chunks are not re-hashed)
// and a small LRU pool of decoder states (block-a keys/values reused by common prefix).
import type { SeqState } from './state';

interface KeyMemoEntry { seq: Int32Array; keys: string[]; offset: number }

/** Which sequence of a document: its whole sequence (warm-up, summaries, context, coverage) or a cursor window. */
export type KeySlot = 'whole' | 'window';

/**
 * Chunk content keys of a document's sequences. A chunk whose tokens equal those at the same
 * document position in the last sequence of either slot reuses that key (no hashing). `offset` is
 * the index of seq[0] in the document sequence [file] + tokens (0 for sequences from the start,
 * the window start for windows); it only says where to look, keys are always checked by content.
 */
export class KeyMemo {
  private readonly memo = new Map<string, Map<string, KeyMemoEntry>>();
  computed = 0;
  reused = 0;

  constructor(private readonly keyOf: (C: number, ids: ArrayLike<number>, from: number) => string) {}

  keys(docId: string, C: number, seq: Int32Array, slot: KeySlot = 'window', offset = 0): string[] {
    const n = Math.floor(seq.length / C);
    let bySlot = this.memo.get(docId);
    if (!bySlot) { bySlot = new Map(); this.memo.set(docId, bySlot); }
    const other: KeySlot = slot === 'whole' ? 'window' : 'whole';
    const prevs = [bySlot.get(`${C}:${slot}`), bySlot.get(`${C}:${other}`)].filter((p): p is KeyMemoEntry => p !== undefined);
    const keys: string[] = new Array(n);
    for (let i = 0; i < n; i++) {
      let k: string | undefined;
      for (const p of prevs) if ((k = keyAt(p, C, seq, offset, i))) break;
      if (k) { keys[i] = k; this.reused++; } else { keys[i] = this.keyOf(C, seq, i * C); this.computed++; }
    }
    bySlot.set(`${C}:${slot}`, { seq, keys, offset });
    return keys;
  }

  forget(docId: string): void { this.memo.delete(docId); }
  clear(): void { this.memo.clear(); }
}

/** The key of chunk i of seq (starting at document index offset) if prev holds the same tokens there. */
function keyAt(prev: KeyMemoEntry, C: number, seq: Int32Array, offset: number, i: number): string | undefined {
  const d = offset + i * C - prev.offset;
  if (d < 0 || d % C !== 0) return undefined;
  const j = d / C;
  if (j >= prev.keys.length || (j + 1) * C > prev.seq.length) return undefined;
  for (let t = 0; t < C; t++) if (prev.seq[d + t] !== seq[i * C + t]) return undefined;
  return prev.keys[j];
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

  /** The state of the document at this chunk size, if pooled (not created, not reordered). */
  peek(docId: string, chunkSize: number): SeqState | undefined {
    return this.states.get(`${chunkSize}\u0000${docId}`);
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
