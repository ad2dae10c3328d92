// One block of cached decoder keys/values in the [P, L, H, hd] row layout (batch 1).
// Buffers are preallocated and grow geometrically; the first P rows are always contiguous,
// so the decoder gets views (ort.Tensor over a subarray), never copies.
import * as ort from 'onnxruntime-node';

export class KvBlock {
  private keys: Float32Array;
  private values: Float32Array;
  private rows = 0;

  /**
   * @param rowShape [L, H, hd]
   * @param initialRows capacity to preallocate (rows)
   * @param maxRows hard limit; append beyond it throws (protects memory)
   */
  constructor(readonly rowShape: [number, number, number], initialRows = 64, readonly maxRows = Number.MAX_SAFE_INTEGER) {
    const cap = Math.max(1, Math.min(initialRows, maxRows));
    this.keys = new Float32Array(cap * this.rowSize);
    this.values = new Float32Array(cap * this.rowSize);
  }

  get rowSize(): number { return this.rowShape[0] * this.rowShape[1] * this.rowShape[2]; }
  /** Rows held. */
  get length(): number { return this.rows; }
  /** Rows the buffers can hold without growing. */
  get capacity(): number { return this.keys.length / this.rowSize; }
  /** Bytes of keys + values in use (what the context costs). */
  get bytesUsed(): number { return this.rows * this.rowSize * 4 * 2; }
  /** Bytes allocated (capacity). */
  get bytesAllocated(): number { return (this.keys.byteLength + this.values.byteLength); }

  private ensure(rows: number): void {
    if (rows <= this.capacity) return;
    if (rows > this.maxRows) throw new Error(`kv cache limit reached (${rows} rows > ${this.maxRows})`);
    let cap = this.capacity;
    while (cap < rows) cap = Math.min(this.maxRows, Math.max(cap * 2, 16));
    const k = new Float32Array(cap * this.rowSize);
    const v = new Float32Array(cap * this.rowSize);
    k.set(this.keys.subarray(0, this.rows * this.rowSize));
    v.set(this.values.subarray(0, this.rows * this.rowSize));
    this.keys = k;
    this.values = v;
  }

  /**
   * Appends `count` rows from `newKeys`/`newValues` (layout [T, L, H, hd]), starting at row `from`
   * of those arrays.
   */
  append(newKeys: Float32Array, newValues: Float32Array, count: number, from = 0): void {
    if (count <= 0) return;
    const rs = this.rowSize;
    if ((from + count) * rs > newKeys.length || (from + count) * rs > newValues.length) {
      throw new Error(`kv append: ${count} rows from ${from} exceed the given arrays`);
    }
    this.ensure(this.rows + count);
    this.keys.set(newKeys.subarray(from * rs, (from + count) * rs), this.rows * rs);
    this.values.set(newValues.subarray(from * rs, (from + count) * rs), this.rows * rs);
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

  /** Views of the first P rows as [1, P, L, H, hd] tensors (no copy). */
  view(P = this.rows): { keys: ort.Tensor; values: ort.Tensor } {
    if (P > this.rows) throw new Error(`kv view of ${P} rows, only ${this.rows} held`);
    const n = P * this.rowSize;
    const dims = [1, P, ...this.rowShape];
    return {
      keys: new ort.Tensor('float32', this.keys.subarray(0, n), dims),
      values: new ort.Tensor('float32', this.values.subarray(0, n), dims),
    };
  }

  /** Copy of row r's keys (tests and parity checks). */
  rowKeys(r: number): Float32Array { return this.keys.slice(r * this.rowSize, (r + 1) * this.rowSize); }
  rowValues(r: number): Float32Array { return this.values.slice(r * this.rowSize, (r + 1) * this.rowSize); }

  /** Releases memory beyond `rows` (used when a state is parked). */
  shrinkTo(rows = this.rows): void {
    const cap = Math.max(1, rows);
    if (cap >= this.capacity) return;
    this.keys = this.keys.slice(0, cap * this.rowSize);
    this.values = this.values.slice(0, cap * this.rowSize);
  }
}
