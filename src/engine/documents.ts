// Documents as immutable versioned snapshots of their bytes. A request captures one
// snapshot, so it never mixes two versions. Bad input is classified here (DocumentCheck).
import type { DocTokens } from './docTokens';
import type { DocumentCheck } from './types';
import { byteOffsetOfUtf16, byteStats, lineStarts, utf16Length } from './utf8';

export interface DocumentLimits {
  /** Bytes scanned for binary detection. */
  binaryScanBytes: number;
  /** Share of NUL/control/ill-formed bytes above which a file is treated as binary. */
  binaryRatio: number;
  /** Above this size the context is capped (a message says so). */
  largeFileBytes: number;
  /** A line longer than this is reported (minified?). */
  longLineBytes: number;
  /** Snapshots kept per document (older versions asked for are refused). */
  keepVersions: number;
}

export const DEFAULT_DOCUMENT_LIMITS: DocumentLimits = {
  binaryScanBytes: 64 * 1024,
  binaryRatio: 0.1,
  largeFileBytes: 8 * 1024 * 1024,
  longLineBytes: 64 * 1024,
  keepVersions: 3,
};

const mb = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;

/** Classifies document bytes: binary (refused), or accepted with notes about what is special. */
export function checkDocument(bytes: Uint8Array, starts: ArrayLike<number>, lim: DocumentLimits, maxContextTokens: number, maxWholeTokens = maxContextTokens * 4): DocumentCheck {
  const st = byteStats(bytes, lim.binaryScanBytes);
  const odd = st.nul + st.control + st.invalid;
  if (st.scanned > 0 && st.nul > 0 && odd / st.scanned > lim.binaryRatio) {
    return { ok: false, reason: `binary file: ${st.nul} NUL and ${st.invalid} invalid UTF-8 bytes in the first ${st.scanned} bytes; not used as context` };
  }
  const notes: string[] = [];
  if (bytes.length > lim.binaryScanBytes) {
    // counted over at most largeFileBytes, so a keystroke in a huge file stays cheap
    const all = byteStats(bytes, lim.largeFileBytes);
    const where = bytes.length > lim.largeFileBytes ? ` in the first ${mb(lim.largeFileBytes)}` : '';
    if (all.nul || all.invalid) notes.push(`contains ${all.nul} NUL and ${all.invalid} invalid UTF-8 bytes${where}; they are encoded losslessly as byte tokens`);
  } else if (st.nul || st.invalid) {
    notes.push(`contains ${st.nul} NUL and ${st.invalid} invalid UTF-8 bytes; they are encoded losslessly as byte tokens`);
  }
  if (bytes.length > lim.largeFileBytes) {
    notes.push(`large file (${mb(bytes.length)}): context is capped at the ${maxContextTokens} tokens before the cursor; warm-up and summaries cover the first ${maxWholeTokens} tokens`);
  }
  let longest = 0, longestAt = 0;
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? starts[i + 1] : bytes.length;
    if (end - starts[i] > longest) { longest = end - starts[i]; longestAt = i; }
  }
  if (longest > lim.longLineBytes) {
    notes.push(`line ${longestAt + 1} is ${mb(longest)} long (minified?); context is capped at ${maxContextTokens} tokens`);
  }
  return notes.length ? { ok: true, reason: notes.join('; ') } : { ok: true };
}

export interface CursorPos {
  line: number;
  /** Byte offset of the cursor inside the line. */
  byteCol: number;
}

export class DocSnapshot {
  readonly starts: Int32Array;
  private utf16Starts?: Float64Array;
  /** Token ids of the whole snapshot, once computed (docTokens.ts). */
  tokens?: DocTokens;
  /** An earlier snapshot of the same document that has tokens (diff base); dropped once used. */
  base?: DocSnapshot;

  constructor(readonly docId: string, readonly version: number, readonly bytes: Uint8Array, readonly check: DocumentCheck, private readonly text?: string) {
    this.starts = Int32Array.from(lineStarts(bytes));
  }

  get lineCount(): number { return this.starts.length; }

  lineBytes(i: number): Uint8Array {
    if (i < 0 || i >= this.starts.length) return this.bytes.subarray(0, 0);
    const end = i + 1 < this.starts.length ? this.starts[i + 1] : this.bytes.length;
    return this.bytes.subarray(this.starts[i], end);
  }

  /** Line text without its line break (for stop rules and passages). */
  lineText(i: number): string {
    if (i < 0 || i >= this.lineCount) return '';
    return Buffer.from(this.lineBytes(i)).toString('utf8').replace(/\r?\n$/, '');
  }

  private lineUtf16Starts(): Float64Array {
    if (this.utf16Starts) return this.utf16Starts;
    const n = this.lineCount;
    const out = new Float64Array(n + 1);
    if (this.text !== undefined) {
      let line = 1;
      const s = this.text;
      for (let i = s.indexOf('\n'); i >= 0 && line < n; i = s.indexOf('\n', i + 1)) out[line++] = i + 1;
      out[n] = s.length;
    } else {
      let acc = 0;
      for (let i = 0; i < n; i++) {
        out[i] = acc;
        const end = i + 1 < n ? this.starts[i + 1] : this.bytes.length;
        acc += utf16Length(this.bytes, this.starts[i], end);
      }
      out[n] = acc;
    }
    this.utf16Starts = out;
    return out;
  }

  /** UTF-16 length of the document (invalid bytes count one unit each). */
  get utf16Length(): number { return this.lineCount === 0 ? 0 : this.lineUtf16Starts()[this.lineCount]; }

  /** Cursor (line, byte column) of a UTF-16 offset, clamped to the document. */
  position(offset: number): CursorPos {
    const n = this.lineCount;
    if (n === 0) return { line: 0, byteCol: 0 };
    const u = this.lineUtf16Starts();
    const off = Math.max(0, Math.min(offset, u[n]));
    let lo = 0, hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (u[mid] <= off) lo = mid; else hi = mid - 1;
    }
    const line = lo;
    const col = off - u[line];
    const lb = this.lineBytes(line);
    // an offset at the very end of a line that ends with \n belongs to the next line
    if (lb.length > 0 && lb[lb.length - 1] === 0x0a && col >= u[line + 1] - u[line]) return { line: line + 1, byteCol: 0 };
    return { line, byteCol: byteOffsetOfUtf16(this.lineBytes(line), col) };
  }

  /** Cursor from a 1-based line and UTF-16 column (CLI). */
  positionOfLineCol(line1: number, col1: number): CursorPos {
    const n = this.lineCount;
    if (n === 0) return { line: 0, byteCol: 0 };
    let line = Math.max(0, Math.min(n - 1, line1 - 1));
    if (line1 - 1 >= n) {
      // past the last line: the end of the document
      const lb = this.lineBytes(n - 1);
      if (lb[lb.length - 1] === 0x0a) return { line: n, byteCol: 0 };
      line = n - 1;
      return { line, byteCol: lb.length };
    }
    const lb = this.lineBytes(line);
    const body = lb[lb.length - 1] === 0x0a ? lb.subarray(0, lb.length - (lb[lb.length - 2] === 0x0d ? 2 : 1)) : lb;
    return { line, byteCol: byteOffsetOfUtf16(body, Math.max(0, col1 - 1)) };
  }
}

export class DocumentStore {
  private readonly docs = new Map<string, DocSnapshot[]>();

  constructor(private readonly lim: DocumentLimits, private readonly maxContextTokens: number, private readonly maxWholeTokens = maxContextTokens * 4) {}

  update(docId: string, version: number, text: string | Uint8Array): { snap?: DocSnapshot; check: DocumentCheck } {
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const starts = lineStarts(bytes);
    const check = checkDocument(bytes, starts, this.lim, this.maxContextTokens, this.maxWholeTokens);
    if (!check.ok) {
      this.docs.delete(docId);
      return { check };
    }
    const snap = new DocSnapshot(docId, version, bytes, check, typeof text === 'string' ? text : undefined);
    const prev = this.latest(docId);
    // diff base for token reuse: the latest snapshot with tokens (never a chain of untokenized ones)
    snap.base = prev?.tokens ? prev : prev?.base;
    const list = (this.docs.get(docId) ?? []).filter((s) => s.version !== version);
    list.push(snap);
    while (list.length > this.lim.keepVersions) list.shift();
    this.docs.set(docId, list);
    return { snap, check };
  }

  latest(docId: string): DocSnapshot | undefined {
    const l = this.docs.get(docId);
    return l?.[l.length - 1];
  }

  /** The exact version asked for; throws a clear error when it is unknown. */
  get(docId: string, version: number): DocSnapshot {
    const l = this.docs.get(docId);
    if (!l || l.length === 0) throw new Error(`document ${docId} is not open in the engine (call updateDocument first)`);
    const s = l.find((x) => x.version === version);
    if (!s) throw new Error(`document ${docId}: version ${version} is not available (known: ${l.map((x) => x.version).join(', ')})`);
    return s;
  }

  close(docId: string): void { this.docs.delete(docId); }
  ids(): string[] { return [...this.docs.keys()]; }
}
