// Content-addressed store of compressed chunk vectors, shared by all documents.
// key = sha256(modelId, chunk size, chunk token ids) (first 128 bits, base64url).
// Memory budget in bytes with LRU eviction (lru-cache maxSize + sizeCalculation).
// Accounting (exact, tested): an entry costs vector.byteLength + 2 * key.length bytes.
import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Logger } from './types';

export const KEY_BYTES = 16;

export function chunkKey(modelId: string, C: number, ids: ArrayLike<number>, from = 0): string {
  const buf = Buffer.allocUnsafe(C * 4);
  for (let i = 0; i < C; i++) buf.writeInt32LE(ids[from + i], i * 4);
  return createHash('sha256').update(modelId).update('|').update(String(C)).update('|').update(buf)
    .digest().subarray(0, KEY_BYTES).toString('base64url');
}

export function entryBytes(key: string, v: Float32Array): number {
  return v.byteLength + 2 * key.length;
}

export interface ChunkPersistenceSink {
  /** Called for every vector computed (not for ones loaded from disk). */
  added(key: string, v: Float32Array): void;
}

export class ChunkStore {
  private readonly lru: LRUCache<string, Float32Array>;
  hits = 0;
  misses = 0;
  evictions = 0;
  sink?: ChunkPersistenceSink;

  constructor(readonly modelId: string, readonly dModel: number, readonly budgetBytes: number, private readonly log?: Logger) {
    const max = Math.max(1, Math.floor(budgetBytes));
    this.lru = new LRUCache<string, Float32Array>({
      maxSize: max,
      maxEntrySize: max,
      sizeCalculation: (v, k) => entryBytes(k, v),
      dispose: (_v, _k, reason) => { if (reason === 'evict') this.evictions++; },
    });
  }

  key(C: number, ids: ArrayLike<number>, from = 0): string {
    return chunkKey(this.modelId, C, ids, from);
  }

  get entries(): number { return this.lru.size; }
  get bytes(): number { return this.lru.calculatedSize; }

  /** Lookup that counts a hit or a miss and refreshes recency. */
  get(key: string): Float32Array | undefined {
    const v = this.lru.get(key);
    if (v) this.hits++; else this.misses++;
    return v;
  }

  /** Lookup without statistics or recency change. */
  peek(key: string): Float32Array | undefined { return this.lru.peek(key); }
  has(key: string): boolean { return this.lru.has(key); }

  set(key: string, v: Float32Array, fromDisk = false): void {
    if (v.length !== this.dModel) {
      this.log?.warn(`chunk store: vector of ${v.length} floats for key ${key} ignored (expected ${this.dModel})`);
      return;
    }
    this.lru.set(key, v);
    if (!fromDisk) this.sink?.added(key, v);
  }

  /** Entries from most to least recently used (for persistence). */
  *entriesMru(): Generator<[string, Float32Array]> {
    for (const [k, v] of this.lru.entries()) yield [k, v];
  }

  clear(): void {
    this.lru.clear();
    this.hits = 0;
    this.misses = 0;
    this.evictions = 0;
  }
}

/**
 * Returns the vectors of `chunks` (C tokens each, keys given), compressing the missing ones
 * in batched compressor calls (at most `batch` chunks per call). `compress` runs one call.
 */
export async function ensureVectors(
  store: ChunkStore,
  C: number,
  chunks: ArrayLike<number>[],
  keys: string[],
  compress: (chunks: ArrayLike<number>[], C: number) => Promise<Float32Array[]>,
  opts: { batch?: number; signal?: AbortSignal; onBatch?: (done: number, total: number) => void } = {},
): Promise<Float32Array[]> {
  const out: Float32Array[] = new Array(chunks.length);
  const missIdx: number[] = [];
  const firstOf = new Map<string, number>();
  for (let i = 0; i < chunks.length; i++) {
    const v = store.get(keys[i]);
    if (v) { out[i] = v; continue; }
    // identical chunks inside one request are compressed once
    if (!firstOf.has(keys[i])) { firstOf.set(keys[i], i); missIdx.push(i); }
  }
  const batch = Math.max(1, opts.batch ?? 64);
  let done = 0;
  for (let s = 0; s < missIdx.length; s += batch) {
    if (opts.signal?.aborted) throw abortError();
    const idx = missIdx.slice(s, s + batch);
    const vecs = await compress(idx.map((i) => chunks[i]), C);
    idx.forEach((i, j) => { out[i] = vecs[j]; store.set(keys[i], vecs[j]); });
    done += idx.length;
    opts.onBatch?.(done, missIdx.length);
  }
  for (let i = 0; i < chunks.length; i++) {
    if (!out[i]) out[i] = out[firstOf.get(keys[i]) as number];
  }
  return out;
}

export function abortError(): Error {
  const e = new Error('aborted');
  e.name = 'AbortError';
  return e;
}
