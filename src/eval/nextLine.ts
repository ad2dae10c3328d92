// Next-line completion cases from held-out files: the cursor at the start of a line (after its
// indentation) or mid-line; the reference is the rest of the line.
import * as fs from 'node:fs';
import { rng } from './heldout';

export interface LineCase {
  file: string;
  text: string;
  /** UTF-16 offset of the cursor. */
  offset: number;
  expected: string;
  midLine: boolean;
}

export function lineCases(files: string[], n: number, seed: number): LineCase[] {
  const r = rng(seed);
  const out: LineCase[] = [];
  const texts = files.map((f) => fs.readFileSync(f, 'utf8'));
  for (let guard = 0; out.length < n && guard < n * 50; guard++) {
    const k = Math.floor(r() * files.length);
    const text = texts[k];
    const lines = text.split('\n');
    const li = 1 + Math.floor(r() * (lines.length - 1));
    const line = (lines[li] ?? '').replace(/\r$/, '');
    const indent = line.length - line.trimStart().length;
    const body = line.trimEnd();
    if (body.trim().length < 4 || body.length > 160) continue;
    const midLine = r() < 0.5;
    const col = midLine ? indent + 1 + Math.floor(r() * (body.length - indent - 2)) : indent;
    let offset = 0;
    for (let i = 0; i < li; i++) offset += lines[i].length + 1;
    out.push({ file: files[k], text, offset: offset + col, expected: body.slice(col), midLine });
  }
  return out;
}
