// On-disk copy of the workspace index's segments, so that a restart does not tokenize and sort
// the workspace again: <root>/index-<tokenizer id>/segments.bin. A file the extension sends again
// with the same content key is confirmed from it (workspaceStore.ts). Format (little endian):
//   magic "CATINDX1" | u32 formatVersion | u32 segments | 32 bytes sha256 of the body | body
//   body, per segment: u32 tokens | u32 suffixes | u32 files | files x (u16 id bytes | id |
//   u16 key bytes | key | u32 from | u32 to) | tokens (u16, padded to 4 bytes) | suffixes (i32)
// Writes are atomic (temporary file + rename); a corrupt, truncated or foreign file is ignored
// with a log line, never thrown.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Logger } from '../types';
import { SuffixArray } from './suffixArray';
import type { FileSpan, Segment } from './workspaceStore';

const MAGIC = Buffer.from('CATINDX1', 'ascii');
export const INDEX_FORMAT_VERSION = 1;
const HEADER = 8 + 4 + 4 + 32;

export function encodeSegments(segs: readonly Segment[]): Buffer {
  const parts: Buffer[] = [];
  for (const s of segs) {
    const files = [...s.files, ...s.restored];
    const head = Buffer.alloc(12);
    head.writeUInt32LE(s.sa.tokens.length, 0);
    head.writeUInt32LE(s.sa.sa.length, 4);
    head.writeUInt32LE(files.length, 8);
    parts.push(head);
    for (const [id, span] of files) {
      const idB = Buffer.from(id, 'utf8'), keyB = Buffer.from(span.key, 'utf8');
      const f = Buffer.alloc(2 + idB.length + 2 + keyB.length + 8);
      let o = f.writeUInt16LE(idB.length, 0);
      o += idB.copy(f, o);
      o = f.writeUInt16LE(keyB.length, o);
      o += keyB.copy(f, o);
      o = f.writeUInt32LE(span.from, o);
      f.writeUInt32LE(span.to, o);
      parts.push(f);
    }
    const tok = Buffer.alloc((s.sa.tokens.byteLength + 3) & ~3);
    Buffer.from(s.sa.tokens.buffer, s.sa.tokens.byteOffset, s.sa.tokens.byteLength).copy(tok);
    parts.push(tok, Buffer.from(s.sa.sa.buffer, s.sa.sa.byteOffset, s.sa.sa.byteLength));
  }
  const body = Buffer.concat(parts);
  const header = Buffer.alloc(HEADER);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(INDEX_FORMAT_VERSION, 8);
  header.writeUInt32LE(segs.length, 12);
  createHash('sha256').update(body).digest().copy(header, 16);
  return Buffer.concat([header, body]);
}

/** The segments of a file written by encodeSegments (files as live spans), or why it is unusable. */
export function decodeSegments(buf: Buffer): Segment[] | string {
  if (buf.length < HEADER || !buf.subarray(0, 8).equals(MAGIC)) return 'not an index file';
  if (buf.readUInt32LE(8) !== INDEX_FORMAT_VERSION) return `format ${buf.readUInt32LE(8)}, expected ${INDEX_FORMAT_VERSION}`;
  const body = buf.subarray(HEADER);
  if (!createHash('sha256').update(body).digest().equals(buf.subarray(16, 48))) return 'checksum mismatch (truncated or corrupt)';
  const out: Segment[] = [];
  let o = 0;
  try {
    for (let n = buf.readUInt32LE(12); n > 0; n--) {
      const tokens = body.readUInt32LE(o), sufs = body.readUInt32LE(o + 4), count = body.readUInt32LE(o + 8);
      o += 12;
      const files = new Map<string, FileSpan>();
      for (let i = 0; i < count; i++) {
        const idLen = body.readUInt16LE(o);
        const id = body.toString('utf8', o + 2, o + 2 + idLen);
        o += 2 + idLen;
        const keyLen = body.readUInt16LE(o);
        const key = body.toString('utf8', o + 2, o + 2 + keyLen);
        o += 2 + keyLen;
        const from = body.readUInt32LE(o), to = body.readUInt32LE(o + 4);
        o += 8;
        if (!(from <= to && to <= tokens)) return `file span ${from}-${to} outside ${tokens} tokens`;
        files.set(id, { from, to, key });
      }
      const t = new Uint16Array(tokens);
      Buffer.from(t.buffer).set(body.subarray(o, o + tokens * 2));
      o += (tokens * 2 + 3) & ~3;
      const sa = new Int32Array(sufs);
      Buffer.from(sa.buffer).set(body.subarray(o, o + sufs * 4));
      o += sufs * 4;
      if (o > body.length) return 'truncated segment';
      for (const p of sa) if (p < 0 || p >= tokens) return 'suffix outside its segment';
      out.push({ sa: new SuffixArray(t, tokens, sa), files, restored: new Map(), live: 0 });
    }
  } catch (e) {
    return `unreadable (${(e as Error).message})`;
  }
  return o === body.length ? out : 'trailing bytes';
}

export class IndexPersistence {
  readonly file: string;

  constructor(root: string, tokenizerId: string, private readonly log?: Logger) {
    this.file = path.join(root, `index-${tokenizerId}`, 'segments.bin');
  }

  load(): Segment[] {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.file);
    } catch {
      return [];                                           // none written yet
    }
    const segs = decodeSegments(buf);
    if (typeof segs === 'string') { this.log?.warn(`workspace index: ${this.file} ignored: ${segs}`); return []; }
    return segs;
  }

  write(segs: readonly Segment[]): void {
    const tmp = `${this.file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.writeFileSync(tmp, encodeSegments(segs));
      fs.renameSync(tmp, this.file);
    } catch (e) {
      this.log?.warn(`workspace index: cannot write ${this.file} (${(e as Error).message})`);
      try { fs.rmSync(tmp, { force: true }); } catch { /* nothing to remove */ }
    }
  }

  clear(): void {
    try { fs.rmSync(this.file, { force: true }); } catch (e) { this.log?.warn(`workspace index: cannot remove ${this.file} (${(e as Error).message})`); }
  }
}
