// Byte-level helpers: well-formed UTF-8 runs (Unicode Table 3-7), line splitting, and
// UTF-16 <-> byte offset mapping. An ill-formed byte is always consumed alone.

/** Length (1-4) of the well-formed UTF-8 sequence starting at i, or 0 if the byte at i starts none. */
export function wellFormedLength(b: Uint8Array, i: number): number {
  const n = b.length;
  const b0 = b[i];
  if (b0 < 0x80) return 1;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    return i + 1 < n && (b[i + 1] & 0xc0) === 0x80 ? 2 : 0;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (i + 2 >= n) return 0;
    const b1 = b[i + 1];
    const lo = b0 === 0xe0 ? 0xa0 : 0x80;
    const hi = b0 === 0xed ? 0x9f : 0xbf;
    if (b1 < lo || b1 > hi) return 0;
    return (b[i + 2] & 0xc0) === 0x80 ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (i + 3 >= n) return 0;
    const b1 = b[i + 1];
    const lo = b0 === 0xf0 ? 0x90 : 0x80;
    const hi = b0 === 0xf4 ? 0x8f : 0xbf;
    if (b1 < lo || b1 > hi) return 0;
    return (b[i + 2] & 0xc0) === 0x80 && (b[i + 3] & 0xc0) === 0x80 ? 4 : 0;
  }
  return 0;
}

export type Run = { valid: true; start: number; end: number } | { valid: false; byte: number };

/** Splits bytes into maximal well-formed runs and single ill-formed bytes, in order. */
export function utf8Runs(b: Uint8Array): Run[] {
  const out: Run[] = [];
  let i = 0;
  let runStart = -1;
  while (i < b.length) {
    const len = wellFormedLength(b, i);
    if (len > 0) {
      if (runStart < 0) runStart = i;
      i += len;
    } else {
      if (runStart >= 0) { out.push({ valid: true, start: runStart, end: i }); runStart = -1; }
      out.push({ valid: false, byte: b[i] });
      i += 1;
    }
  }
  if (runStart >= 0) out.push({ valid: true, start: runStart, end: i });
  return out;
}

/** Start offsets of the pieces obtained by splitting after every 0x0A (the last piece may lack it). */
export function lineStarts(b: Uint8Array): number[] {
  const starts = [0];
  let i = b.indexOf(0x0a);
  while (i >= 0) {
    if (i + 1 < b.length) starts.push(i + 1);
    i = b.indexOf(0x0a, i + 1);
  }
  if (b.length === 0) return [];
  return starts;
}

/** UTF-16 code units the bytes stand for: a 4-byte sequence is 2 units, others 1, an ill-formed byte 1. */
export function utf16Length(b: Uint8Array, start = 0, end = b.length): number {
  let units = 0;
  let i = start;
  const view = start === 0 && end === b.length ? b : b.subarray(0, end);
  while (i < end) {
    if (view[i] < 0x80) { units++; i++; continue; }
    const len = wellFormedLength(view, i);
    if (len === 0) { units++; i++; } else { units += len === 4 ? 2 : 1; i += len; }
  }
  return units;
}

/** Byte offset inside `b` of the UTF-16 column `col` (clamped to the end; never splits a sequence). */
export function byteOffsetOfUtf16(b: Uint8Array, col: number): number {
  let units = 0;
  let i = 0;
  while (i < b.length && units < col) {
    if (b[i] < 0x80) { units++; i++; continue; }
    const len = wellFormedLength(b, i);
    if (len === 0) { units++; i++; } else { units += len === 4 ? 2 : 1; i += len; }
  }
  return i;
}

/** Counts for bad-input reporting: NUL bytes, ill-formed bytes, other control bytes. */
export function byteStats(b: Uint8Array, limit = b.length): { nul: number; invalid: number; control: number; scanned: number } {
  const end = Math.min(limit, b.length);
  let nul = 0, invalid = 0, control = 0;
  let i = 0;
  while (i < end) {
    const c = b[i];
    if (c < 0x80) {
      if (c === 0) nul++;
      else if (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) control++;
      i++;
      continue;
    }
    const len = wellFormedLength(b, i);
    if (len === 0) { invalid++; i++; } else i += len;
  }
  return { nul, invalid, control, scanned: end };
}
