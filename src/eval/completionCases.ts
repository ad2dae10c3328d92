// Line-completion cases for the index evaluation (the protocol of the workspace-index design
// note): files of a corpus split, the cursor at the first non-blank character of a line or at a
// random point inside it, the truth the rest of that line (trailing blanks ignored). The model
// sees the file cut at the cursor; "open files" are other files of the same package.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rng } from './heldout';

export interface CompletionCase {
  file: string;
  /** The file cut at the cursor (what the engine gets). */
  before: string;
  expected: string;
  midLine: boolean;
  /** Other files of the same package (open in the "3 files" setting): path and text. */
  others: { file: string; text: string }[];
}

const CODE = /\.(js|ts|mjs|cjs|py)$/;

/** Files of a split grouped by package (the first folder under the split's root). */
export function packageFiles(root: string, files: string[], minBytes: number, maxBytes: number): Map<string, string[]> {
  const by = new Map<string, string[]>();
  for (const f of files) {
    if (!CODE.test(f)) continue;
    const s = fs.statSync(f).size;
    if (s < minBytes || s > maxBytes) continue;
    const pkg = path.relative(root, f).split(path.sep)[0];
    (by.get(pkg) ?? by.set(pkg, []).get(pkg) as string[]).push(f);
  }
  return by;
}

export function completionCases(root: string, files: string[], n: number, seed: number, opts = { minBytes: 1500, maxBytes: 30_000, others: 3 }): CompletionCase[] {
  const r = rng(seed);
  const by = packageFiles(root, files, opts.minBytes, opts.maxBytes);
  const pkgs = [...by.keys()].filter((p) => (by.get(p) as string[]).length > opts.others).sort();
  if (pkgs.length === 0) throw new Error(`no package under ${root} has ${opts.others + 1} code files of ${opts.minBytes}-${opts.maxBytes} bytes`);
  const texts = new Map<string, string>();
  const text = (f: string) => texts.get(f) ?? texts.set(f, fs.readFileSync(f, 'utf8')).get(f) as string;
  const out: CompletionCase[] = [];
  for (let guard = 0; out.length < n && guard < n * 50; guard++) {
    const pkgFiles = by.get(pkgs[Math.floor(r() * pkgs.length)]) as string[];
    const file = pkgFiles[Math.floor(r() * pkgFiles.length)];
    const lines = text(file).split('\n');
    const li = 1 + Math.floor(r() * (lines.length - 1));
    const line = (lines[li] ?? '').replace(/\r$/, '');
    const body = line.trimEnd();
    const indent = line.length - line.trimStart().length;
    if (body.trim().length < 4 || body.length > 160) continue;
    const midLine = r() < 0.5;
    const col = midLine ? indent + 1 + Math.floor(r() * (body.length - indent - 2)) : indent;
    const others: { file: string; text: string }[] = [];
    const pool = pkgFiles.filter((f) => f !== file);
    while (others.length < opts.others && pool.length) {
      const f = pool.splice(Math.floor(r() * pool.length), 1)[0];
      others.push({ file: f, text: text(f) });
    }
    out.push({ file, before: lines.slice(0, li).join('\n') + '\n' + line.slice(0, col), expected: body.slice(col), midLine, others });
  }
  return out;
}

/**
 * The copy heuristic (no model): the longest suffix of the text before the cursor that occurred
 * earlier (in the file first, then in the open files), continued to the end of that line from its
 * most recent occurrence. Empty when nothing repeats.
 */
export function copyHeuristic(before: string, others: string[], maxLen = 200): string {
  const sources = [before.slice(0, before.length - 1), ...others];
  for (const src of sources) {
    let lo = 0, hi = Math.min(maxLen, before.length - 1), at = -1;
    while (lo < hi) {                                            // longest suffix found in src
      const mid = (lo + hi + 1) >>> 1;
      const i = src.lastIndexOf(before.slice(before.length - mid));
      if (i >= 0 && (src !== sources[0] || i + mid < before.length)) { lo = mid; at = i; } else hi = mid - 1;
    }
    if (lo >= 2 && at >= 0) {                                    // at: where the suffix of length lo last occurs
      const rest = src.slice(at + lo);
      const nl = rest.indexOf('\n');
      const cont = (nl >= 0 ? rest.slice(0, nl) : rest).replace(/\r$/, '').trimEnd();
      if (cont) return cont;
    }
  }
  return '';
}

/**
 * Whether the case's completed line (the cursor line's text before the cursor + the truth) is a
 * whole line of the file before the cursor or of one of the texts: the cases a copy can get right.
 */
export function lineIsCopyable(c: CompletionCase, texts: string[]): boolean {
  const cut = c.before.lastIndexOf('\n');
  const full = c.before.slice(cut + 1) + c.expected;
  if (!full.trim()) return false;
  const hit = (s: string) => s.split('\n').some((l) => l.replace(/\r$/, '').trimEnd() === full);
  return hit(c.before.slice(0, Math.max(0, cut))) || texts.some(hit);
}
