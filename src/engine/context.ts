// Builds the token sequences the model sees, from a snapshot and a cursor:
//   plain:  [file] + prefix
//   FIM:    [file] + prefix + [fim_suffix] + suffix + [fim_middle]
// Lines come from the tokenizer's per-line cache, so an edit re-encodes only changed lines.
// Long documents are windowed: the window starts on a line that is a multiple of
// WINDOW_STRIDE (so its chunk alignment is stable while the cursor moves) and holds at most
// maxTokens tokens.
import type { CursorPos, DocSnapshot } from './documents';
import type { DocTokenizer } from './tokenizer';

export const WINDOW_STRIDE = 256;
/** Longest part of the cursor line (before/after the cursor) that is encoded, bytes. */
export const MAX_PARTIAL_BYTES = 256 * 1024;

export interface PrefixTokens {
  /** [file] + tokens of lines startLine.. plus the cursor line's part before the cursor. */
  seq: Int32Array;
  startLine: number;
  /** Token offset (in seq) where each included full line starts; last entry = where the cursor line starts. */
  lineTokenStarts: number[];
  capped: boolean;
}

function concat(head: number[], parts: ArrayLike<number>[], total: number): Int32Array {
  const out = new Int32Array(head.length + total);
  out.set(head, 0);
  let o = head.length;
  for (const p of parts) { out.set(p as ArrayLike<number>, o); o += p.length; }
  return out;
}

/** Tokens of the document before the cursor, windowed to maxTokens (excluding [file]). */
export function prefixTokens(snap: DocSnapshot, tok: DocTokenizer, cur: CursorPos, fileId: number, maxTokens: number): PrefixTokens {
  const lineBytes = snap.lineBytes(cur.line);
  let partialBytes = lineBytes.subarray(0, cur.byteCol);
  let capped = false;
  if (partialBytes.length > MAX_PARTIAL_BYTES) {
    // keep the tail, starting after a byte that cannot be inside a UTF-8 sequence
    let s = partialBytes.length - MAX_PARTIAL_BYTES;
    while (s < partialBytes.length && (partialBytes[s] & 0xc0) === 0x80) s++;
    partialBytes = partialBytes.subarray(s);
    capped = true;
  }
  let partial: ArrayLike<number> = tok.encodePiece(partialBytes);
  if (partial.length > maxTokens) { partial = Array.from(partial).slice(partial.length - maxTokens); capped = true; }
  const lines: Int32Array[] = [];
  let total = partial.length;
  let first = cur.line;
  for (let i = cur.line - 1; i >= 0; i--) {
    const ids = tok.encodeLine(snap.lineBytes(i));
    if (total + ids.length > maxTokens) { capped = true; break; }
    lines.push(ids);
    total += ids.length;
    first = i;
  }
  lines.reverse();
  let startLine = first;
  if (capped && first > 0) {
    const rounded = Math.ceil(first / WINDOW_STRIDE) * WINDOW_STRIDE;
    if (rounded < cur.line) {
      for (let i = first; i < rounded; i++) total -= lines[i - first].length;
      lines.splice(0, rounded - first);
      startLine = rounded;
    }
  }
  const lineTokenStarts: number[] = [];
  let o = 1;
  for (const l of lines) { lineTokenStarts.push(o); o += l.length; }
  lineTokenStarts.push(o);
  return { seq: concat([fileId], [...lines, partial], total), startLine, lineTokenStarts, capped };
}

/** Tokens after the cursor (rest of the cursor line, then following lines), at most maxTokens. */
export function suffixTokens(snap: DocSnapshot, tok: DocTokenizer, cur: CursorPos, maxTokens: number): Int32Array {
  const parts: ArrayLike<number>[] = [];
  let total = 0;
  let rest = snap.lineBytes(cur.line).subarray(cur.byteCol);
  if (rest.length > MAX_PARTIAL_BYTES) rest = rest.subarray(0, MAX_PARTIAL_BYTES);
  const first = tok.encodePiece(rest);
  parts.push(first);
  total += first.length;
  for (let i = cur.line + 1; i < snap.lineCount && total < maxTokens; i++) {
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
  lines: number;
  capped: boolean;
}

/** [file] + the document from its start, capped at maxTokens (warm-up, summaries, eval). */
export function wholeTokens(snap: DocSnapshot, tok: DocTokenizer, fileId: number, maxTokens: number): WholeTokens {
  const parts: Int32Array[] = [];
  const lineTokenStarts: number[] = [];
  let total = 0;
  let capped = false;
  let i = 0;
  for (; i < snap.lineCount; i++) {
    const ids = tok.encodeLine(snap.lineBytes(i));
    if (total + ids.length > maxTokens) { capped = true; break; }
    lineTokenStarts.push(1 + total);
    parts.push(ids);
    total += ids.length;
  }
  lineTokenStarts.push(1 + total);
  return { seq: concat([fileId], parts, total), lineTokenStarts, lines: i, capped };
}
