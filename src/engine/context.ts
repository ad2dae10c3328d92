// Builds the token sequences the model sees, from a snapshot and a cursor:
//   plain:  [file] + prefix
//   FIM:    [file] + prefix + [fim_suffix] + suffix + [fim_middle]
// Lines come from the tokenizer's per-line cache, so an edit re-encodes only changed lines.
// Long documents are windowed to at most maxTokens. With the snapshot's token array the window
// starts at a token offset that is a multiple of WINDOW_TOKEN_STRIDE (chunks stay aligned to the
// document start); without it (very large files) on a line that is a multiple of WINDOW_STRIDE.
// Either way the window start only moves every stride, so caches stay valid while typing.
import type { DocTokens } from './docTokens';
import type { CursorPos, DocSnapshot } from './documents';
import type { DocTokenizer } from './tokenizer';

export const WINDOW_STRIDE = 256;
/** Token stride of window starts (a multiple of every chunk size, which are powers of two <= 64). */
export const WINDOW_TOKEN_STRIDE = 4096;
/** Longest part of the cursor line (before/after the cursor) that is encoded, bytes. */
export const MAX_PARTIAL_BYTES = 256 * 1024;

export interface PrefixTokens {
  /** [file] + tokens of lines startLine.. plus the cursor line's part before the cursor. */
  seq: Int32Array;
  startLine: number;
  capped: boolean;
  /** Index of seq[0] in the document sequence [file] + tokens, when seq is a slice of it (chunk keys
   * of windows are then looked up at the same document positions); undefined otherwise. */
  offset?: number;
}

/** Window start: a multiple of WINDOW_STRIDE at or after `first` when that stays before the cursor line. */
function strideStart(first: number, cursorLine: number): number {
  if (first === 0) return 0;
  const rounded = Math.ceil(first / WINDOW_STRIDE) * WINDOW_STRIDE;
  return rounded < cursorLine ? rounded : first;
}

function partialBefore(snap: DocSnapshot, tok: DocTokenizer, cur: CursorPos, maxTokens: number): { ids: ArrayLike<number>; capped: boolean } {
  let bytes = snap.lineBytes(cur.line).subarray(0, cur.byteCol);
  let capped = false;
  if (bytes.length > MAX_PARTIAL_BYTES) {
    // keep the tail, starting at a byte that cannot be inside a UTF-8 sequence
    let s = bytes.length - MAX_PARTIAL_BYTES;
    while (s < bytes.length && (bytes[s] & 0xc0) === 0x80) s++;
    bytes = bytes.subarray(s);
    capped = true;
  }
  const ids = tok.encodePiece(bytes);
  if (ids.length > maxTokens) return { ids: ids.slice(ids.length - maxTokens), capped: true };
  return { ids, capped };
}

function concat(head: number[], parts: ArrayLike<number>[], total: number): Int32Array {
  const out = new Int32Array(head.length + total);
  out.set(head, 0);
  let o = head.length;
  for (const p of parts) { out.set(p as ArrayLike<number>, o); o += p.length; }
  return out;
}

/** [file] + the document before the cursor, windowed to maxTokens. Uses the snapshot's
 * token array when given (fast path), else the per-line cache (very large documents). */
export function prefixTokens(snap: DocSnapshot, tok: DocTokenizer, cur: CursorPos, fileId: number, maxTokens: number, dt?: DocTokens): PrefixTokens {
  const partial = partialBefore(snap, tok, cur, maxTokens);
  const budget = maxTokens - partial.ids.length;
  if (dt) {
    // D = [file] + dt.ids; the window is D[s:] with s a multiple of WINDOW_TOKEN_STRIDE, so its
    // chunks are the document-aligned chunks (shared with warm-up and summaries) at every C.
    const L = Math.min(cur.line, snap.lineCount);
    const before = 1 + dt.lineStarts[L];
    if (before + partial.ids.length <= maxTokens) {
      const body = dt.ids.subarray(0, dt.lineStarts[L]);
      return { seq: concat([fileId], [body, partial.ids], body.length + partial.ids.length), startLine: 0, capped: partial.capped, offset: 0 };
    }
    const s0 = Math.ceil((before + partial.ids.length - maxTokens) / WINDOW_TOKEN_STRIDE) * WINDOW_TOKEN_STRIDE;
    const from = Math.min(s0 - 1, dt.lineStarts[L]);
    const body = dt.ids.subarray(from, dt.lineStarts[L]);
    return { seq: concat([], [body, partial.ids], body.length + partial.ids.length), startLine: firstLineAfter(dt.lineStarts, from) - 1, capped: true, offset: from + 1 };
  }
  const lines: Int32Array[] = [];
  let total = 0;
  let first = cur.line;
  let capped = partial.capped;
  for (let i = Math.min(cur.line, snap.lineCount) - 1; i >= 0; i--) {
    const ids = tok.encodeLine(snap.lineBytes(i));
    if (total + ids.length > budget) { capped = true; break; }
    lines.push(ids);
    total += ids.length;
    first = i;
  }
  lines.reverse();
  const startLine = capped ? strideStart(first, cur.line) : first;
  for (let i = first; i < startLine; i++) total -= lines[i - first].length;
  lines.splice(0, startLine - first);
  return { seq: concat([fileId], [...lines, partial.ids], total + partial.ids.length), startLine, capped, offset: startLine === 0 ? 0 : undefined };
}

/** The window of at most maxTokens starting at index `offset` of the document sequence
 * [file] + tokens (0: from the start, with [file]); offsets come from earlier windows. */
export function windowAt(dt: DocTokens, fileId: number, maxTokens: number, offset: number): PrefixTokens {
  if (offset <= 0) {
    const body = dt.ids.subarray(0, Math.max(0, maxTokens - 1));
    return { seq: concat([fileId], [body], body.length), startLine: 0, capped: body.length < dt.ids.length, offset: 0 };
  }
  const from = Math.min(offset - 1, dt.ids.length);
  const body = dt.ids.subarray(from, from + maxTokens);
  return { seq: concat([], [body], body.length), startLine: firstLineAfter(dt.lineStarts, from) - 1, capped: true, offset: from + 1 };
}

/** Tokens after the cursor (rest of the cursor line, then following lines), at most maxTokens. */
export function suffixTokens(snap: DocSnapshot, tok: DocTokenizer, cur: CursorPos, maxTokens: number, dt?: DocTokens): Int32Array {
  const parts: ArrayLike<number>[] = [];
  let total = 0;
  let rest = snap.lineBytes(cur.line).subarray(cur.byteCol);
  if (rest.length > MAX_PARTIAL_BYTES) rest = rest.subarray(0, MAX_PARTIAL_BYTES);
  const first = tok.encodePiece(rest);
  parts.push(first);
  total += first.length;
  if (dt && cur.line + 1 <= snap.lineCount) {
    const from = dt.lineStarts[Math.min(cur.line + 1, snap.lineCount)];
    const tail = dt.ids.subarray(from, Math.min(dt.ids.length, from + Math.max(0, maxTokens - total)));
    parts.push(tail);
    total += tail.length;
  }
  for (let i = cur.line + 1; !dt && i < snap.lineCount && total < maxTokens; i++) {
    const ids = tok.encodeLine(snap.lineBytes(i));
    parts.push(ids);
    total += ids.length;
  }
  return concat([], parts, total).subarray(0, Math.min(total, maxTokens));
}

/** [file] + prefix + [fim_suffix] + suffix + [fim_middle]. */
export function fimSequence(prefix: Int32Array, suffix: Int32Array, sp: { fim_suffix: number; fim_middle: number }): Int32Array {
  const out = new Int32Array(prefix.length + suffix.length + 2);
  out.set(prefix, 0);
  out[prefix.length] = sp.fim_suffix;
  out.set(suffix, prefix.length + 1);
  out[out.length - 1] = sp.fim_middle;
  return out;
}

export interface WholeTokens {
  seq: Int32Array;
  /** Token offset in seq where line i starts (i = 0..lines), with a final entry = seq.length. */
  lineTokenStarts: number[];
  /** Lines covered; when capped the last one may be covered only in part. */
  lines: number;
  capped: boolean;
}

/** [file] + the document from its start, capped at maxTokens (warm-up, summaries, eval): the
 * complete lines that fit, then as much of the next line as fits (a huge single line still counts). */
export function wholeTokens(snap: DocSnapshot, tok: DocTokenizer, fileId: number, maxTokens: number, dt?: DocTokens): WholeTokens {
  if (dt) {
    const n = snap.lineCount;
    const k = dt.lineStarts[n] <= maxTokens ? n : firstLineAfter(dt.lineStarts, maxTokens) - 1;
    const end = k < n ? maxTokens : dt.lineStarts[n];
    const body = dt.ids.subarray(0, end);
    const lineTokenStarts = Array.from(dt.lineStarts.subarray(0, k + 1), (x) => x + 1);
    if (end > dt.lineStarts[k]) lineTokenStarts.push(1 + end);
    return { seq: concat([fileId], [body], body.length), lineTokenStarts, lines: lineTokenStarts.length - 1, capped: k < n };
  }
  const parts: Int32Array[] = [];
  const lineTokenStarts: number[] = [];
  let total = 0;
  let capped = false;
  let i = 0;
  for (; i < snap.lineCount; i++) {
    const ids = tok.encodeLine(snap.lineBytes(i));
    if (total + ids.length > maxTokens) {
      capped = true;
      if (total < maxTokens) { lineTokenStarts.push(1 + total); parts.push(ids.subarray(0, maxTokens - total)); total = maxTokens; i++; }
      break;
    }
    lineTokenStarts.push(1 + total);
    parts.push(ids);
    total += ids.length;
  }
  lineTokenStarts.push(1 + total);
  return { seq: concat([fileId], parts, total), lineTokenStarts, lines: i, capped };
}

/** Smallest index i with starts[i] > limit (starts.length if none). */
function firstLineAfter(starts: Int32Array, limit: number): number {
  let lo = 0, hi = starts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid] > limit) hi = mid; else lo = mid + 1;
  }
  return lo;
}
