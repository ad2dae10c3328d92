// Optional on-disk copy of the compressed-chunk store, in <dir>/<modelId>/.
// File format (little endian):
//   magic "CATCHNK1" | u32 formatVersion | u32 dModel | u32 count | 16 bytes modelId (ASCII, 0-padded)
//   | 32 bytes sha256 of the records | count x (16-byte key | dModel float32)
// Writes are atomic (temporary file + rename). Corrupt, truncated or foreign files are
// skipped with a log line, never thrown.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KEY_BYTES, type ChunkStore } from './chunkStore';
import type { Logger } from './types';

const MAGIC = Buffer.from('CATCHNK1', 'ascii');
export const PERSIST_FORMAT_VERSION = 1;
const HEADER = 8 + 4 + 4 + 4 + 16 + 32;
const MAX_FILES = 8;

export class ChunkPersistence {
  readonly dir: string;
  private pending = new Map<string, Float32Array>();
  private timer: NodeJS.Timeout | undefined;
  filesWritten = 0;

  constructor(root: string, private readonly store: ChunkStore, private readonly log?: Logger, private readonly flushDelayMs = 2000) {
    this.dir = path.join(root, store.modelId);
    store.sink = { added: (k, v) => this.added(k, v) };
  }

  private added(key: string, v: Float32Array): void {
    this.pending.set(key, v);
    if (!this.timer && this.flushDelayMs >= 0) {
      this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, this.flushDelayMs);
      this.timer.unref?.();
    }
  }

  private files(): string[] {
    try {
      return fs.readdirSync(this.dir).filter((f) => f.endsWith('.bin')).sort();
    } catch {
      return [];
    }
  }

  /** Loads every valid file (newest first until the store's budget is full). Returns vectors loaded. */
  load(): number {
    let loaded = 0;
    const files = this.files().reverse();
    for (const f of files) {
      const full = path.join(this.dir, f);
      let buf: Buffer;
      try {
        buf = fs.readFileSync(full);
      } catch (e) {
        this.log?.warn(`chunk cache: cannot read ${full} (${(e as Error).message}); ignored`);
        continue;
      }
      const problem = this.check(buf);
      if (problem) {
        this.log?.warn(`chunk cache: ${full} ignored: ${problem}`);
        continue;
      }
      const count = buf.readUInt32LE(16);
      const d = this.store.dModel;
      const rec = KEY_BYTES + 4 * d;
      for (let i = count - 1; i >= 0; i--) {
        const o = HEADER + i * rec;
        const key = buf.subarray(o, o + KEY_BYTES).toString('base64url');
        if (this.store.has(key)) continue;
        const v = new Float32Array(d);
        Buffer.from(v.buffer).set(buf.subarray(o + KEY_BYTES, o + rec));
        this.store.set(key, v, true);
        loaded++;
      }
      if (this.store.bytes >= this.store.budgetBytes) break;
    }
    this.log?.info(`chunk cache: loaded ${loaded} vectors from ${this.dir}`);
    if (files.length > MAX_FILES) this.compact();
    return loaded;
  }

  /** Why a file cannot be used, or undefined when it is valid. */
  check(buf: Buffer): string | undefined {
    if (buf.length < HEADER) return `truncated (${buf.length} bytes, header is ${HEADER})`;
    if (!buf.subarray(0, 8).equals(MAGIC)) return 'not a chunk cache file (bad magic)';
    const version = buf.readUInt32LE(8);
    if (version !== PERSIST_FORMAT_VERSION) return `format version ${version}, expected ${PERSIST_FORMAT_VERSION}`;
    const d = buf.readUInt32LE(12);
    if (d !== this.store.dModel) return `vectors of ${d} floats, this model uses ${this.store.dModel}`;
    const id = buf.subarray(20, 36).toString('ascii').replace(/\0+$/, '');
    if (id !== this.store.modelId.slice(0, 16)) return `written for model ${id}, this is ${this.store.modelId}`;
    const count = buf.readUInt32LE(16);
    const want = HEADER + count * (KEY_BYTES + 4 * d);
    if (buf.length !== want) return `${buf.length < want ? 'truncated' : 'trailing bytes'} (${buf.length} bytes, expected ${want})`;
    const sum = createHash('sha256').update(buf.subarray(HEADER)).digest();
    if (!sum.equals(buf.subarray(36, 68))) return 'corrupt (checksum mismatch)';
    return undefined;
  }

  private encode(entries: [string, Float32Array][]): Buffer {
    const d = this.store.dModel;
    const rec = KEY_BYTES + 4 * d;
    const buf = Buffer.alloc(HEADER + entries.length * rec);
    MAGIC.copy(buf, 0);
    buf.writeUInt32LE(PERSIST_FORMAT_VERSION, 8);
    buf.writeUInt32LE(d, 12);
    buf.writeUInt32LE(entries.length, 16);
    buf.write(this.store.modelId.slice(0, 16), 20, 16, 'ascii');
    entries.forEach(([k, v], i) => {
      const o = HEADER + i * rec;
      Buffer.from(k, 'base64url').copy(buf, o, 0, KEY_BYTES);
      Buffer.from(v.buffer, v.byteOffset, v.byteLength).copy(buf, o + KEY_BYTES);
    });
    createHash('sha256').update(buf.subarray(HEADER)).digest().copy(buf, 36);
    return buf;
  }

  private writeAtomic(name: string, data: Buffer): void {
    fs.mkdirSync(this.dir, { recursive: true });
    const final = path.join(this.dir, name);
    const tmp = path.join(this.dir, `.${name}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, final);
    this.filesWritten++;
  }

  private newName(): string {
    return `chunks-${Date.now().toString().padStart(15, '0')}-${randomBytes(3).toString('hex')}.bin`;
  }

  /** Writes the vectors computed since the last flush into a new file. Never throws. */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (this.pending.size === 0) return;
    const entries = [...this.pending.entries()];
    this.pending.clear();
    try {
      this.writeAtomic(this.newName(), this.encode(entries));
    } catch (e) {
      this.log?.warn(`chunk cache: could not write to ${this.dir} (${(e as Error).message}); continuing in memory`);
      return;
    }
    if (this.files().length > MAX_FILES) this.compact();
  }

  /** Rewrites what the store holds into one file and removes the older files. */
  compact(): void {
    const old = this.files();
    const entries = [...this.store.entriesMru()].reverse(); // oldest first: load() favours later records
    try {
      this.writeAtomic(this.newName(), this.encode(entries));
      for (const f of old) fs.rmSync(path.join(this.dir, f), { force: true });
      this.log?.debug(`chunk cache: compacted ${old.length} files into one (${entries.length} vectors)`);
    } catch (e) {
      this.log?.warn(`chunk cache: compaction in ${this.dir} failed (${(e as Error).message})`);
    }
  }

  /** Removes this model's files (pending vectors included). Never throws. */
  clearFiles(): void {
    this.pending.clear();
    for (const f of this.files()) {
      try {
        fs.rmSync(path.join(this.dir, f), { force: true });
      } catch (e) {
        this.log?.warn(`chunk cache: could not remove ${f} (${(e as Error).message})`);
      }
    }
  }

  dispose(): void {
    this.flush();
    if (this.store.sink) this.store.sink = undefined;
  }
}
