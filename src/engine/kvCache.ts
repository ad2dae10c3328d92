// One block of cached decoder keys/values (batch 1), stored as one buffer per (layer, head):
// rows [P, hd], the graph's past inputs (models/CONTRACT.md, format 2). Buffers are preallocated
// and grow geometrically; the first P rows of every buffer are contiguous, so the decoder gets
// views (ort.Tensor over a subarray) and nothing (here or in the graph) copies the cache per call.
import * as ort from 'onnxruntime-node';

export interface KvView {
  /** nLayers * nHeads tensors [1, P, hd], layer-major (index l * nHeads + h). */
  keys: ort.Tensor[];
  values: ort.Tensor[];
}

export class KvBlock {
  private keys: Float32Array[];
  private values: Float32Array[];
  private rows = 0;
  private cap: number;

  /**
   * @param rowShape [L, H, hd]
   * @param initialRows capacity to preallocate (rows)
   * @param maxRows hard limit; append beyond it throws (protects memory)
   */
  constructor(readonly rowShape: [number, number, number], initialRows = 64, readonly maxRows = Number.MAX_SAFE_INTEGER) {
    this.cap = Math.max(1, Math.min(initialRows, maxRows));
    const n = rowShape[0] * rowShape[1];
    this.keys = Array.from({ length: n }, () => new Float32Array(this.cap * rowShape[2]));
    this.values = Array.from({ length: n }, () => new Float32Array(this.cap * rowShape[2]));
  }

  /** Floats per row (all layers and heads), the layout of the graph's new_keys rows [L, H, hd]. */
  get rowSize(): number { return this.rowShape[0] * this.rowShape[1] * this.rowShape[2]; }
  /** Rows held. */
  get length(): number { return this.rows; }
  /** Rows the buffers can hold without growing. */
  get capacity(): number { return this.cap; }
  /** Bytes of keys + values in use (what the context costs). */
  get bytesUsed(): number { return this.rows * this.rowSize * 4 * 2; }
  /** Bytes allocated (capacity). */
  get bytesAllocated(): number { return this.cap * this.rowSize * 4 * 2; }

  private ensure(rows: number): void {
    if (rows <= this.cap) return;
    if (rows > this.maxRows) throw new Error(`kv cache limit reached (${rows} rows > ${this.maxRows})`);
    let cap = this.cap;
    while (cap < rows) cap = Math.min(this.maxRows, Math.max(cap * 2, 16));
    this.resize(cap);
  }

  private resize(cap: number): void {
    const hd = this.rowShape[2];
    const keep = Math.min(this.rows, cap) * hd;
    const grow = (bufs: Float32Array[]) => bufs.map((b) => {
      const nb = new Float32Array(cap * hd);
      nb.set(b.subarray(0, keep));
      return nb;
    });
    this.keys = grow(this.keys);
    this.values = grow(this.values);
    this.cap = cap;
  }

  /**
   * Appends `count` rows from `newKeys`/`newValues` (the graph's layout [T, L, H, hd]), starting
   * at row `from` of those arrays.
   */
  append(newKeys: Float32Array, newValues: Float32Array, count: number, from = 0): void {
    if (count <= 0) return;
    const rs = this.rowSize;
    if ((from + count) * rs > newKeys.length || (from + count) * rs > newValues.length) {
      throw new Error(`kv append: ${count} rows from ${from} exceed the given arrays`);
    }
    this.ensure(this.rows + count);
    const hd = this.rowShape[2];
    const n = this.keys.length;
    for (let t = 0; t < count; t++) {
      const src = (from + t) * rs;
      const dst = (this.rows + t) * hd;
      for (let i = 0; i < n; i++) {
        const o = src + i * hd;
        this.keys[i].set(newKeys.subarray(o, o + hd), dst);
        this.values[i].set(newValues.subarray(o, o + hd), dst);
      }
    }
    this.rows += count;
  }

  /** Drops the last n rows (n larger than length clears). */
  rewind(n: number): void {
    this.rows = Math.max(0, this.rows - Math.max(0, n));
  }

  /** Keeps the first `rows` rows. */
  truncate(rows: number): void {
    this.rows = Math.max(0, Math.min(this.rows, rows));
  }

  clear(): void { this.rows = 0; }

  /** Drops the first n rows; the rest move to the front (a sliding window's oldest rows). */
  dropFront(n: number): void {
    const k = Math.min(Math.max(0, n), this.rows);
    if (k === 0) return;
    const hd = this.rowShape[2];
    for (const b of [...this.keys, ...this.values]) b.copyWithin(0, k * hd, this.rows * hd);
    this.rows -= k;
  }

  /** Views of the first P rows, one [1, P, hd] tensor per layer and head (no copy). */
  view(P = this.rows): KvView {
    if (P > this.rows) throw new Error(`kv view of ${P} rows, only ${this.rows} held`);
    const n = P * this.rowShape[2];
    const dims = [1, P, this.rowShape[2]];
    return {
      keys: this.keys.map((b) => new ort.Tensor('float32', b.subarray(0, n), dims)),
      values: this.values.map((b) => new ort.Tensor('float32', b.subarray(0, n), dims)),
    };
  }

  /** Copy of row r's keys in the [L, H, hd] row layout (tests and parity checks). */
  rowKeys(r: number): Float32Array { return this.gather(this.keys, r); }
  rowValues(r: number): Float32Array { return this.gather(this.values, r); }

  private gather(bufs: Float32Array[], r: number): Float32Array {
    const hd = this.rowShape[2];
    const out = new Float32Array(this.rowSize);
    bufs.forEach((b, i) => out.set(b.subarray(r * hd, (r + 1) * hd), i * hd));
    return out;
  }

  /** Releases memory beyond `rows` (used when a state is parked). */
  shrinkTo(rows = this.rows): void {
    const cap = Math.max(1, rows);
    if (cap >= this.cap) return;
    this.rows = Math.min(this.rows, cap);
    this.resize(cap);
  }
}
