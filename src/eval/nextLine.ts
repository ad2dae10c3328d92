// Next-line completion cases from held-out files: the cursor at the start of a line (after its
// indentation) or mid-line; the reference is the rest of the line.
import * as fs from 'node:fs';
import { rng } from './heldout';
import { mean } from './metrics';

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

/** The per-case outcome the scorer needs (exact match computed on the first line, trailing space dropped). */
export interface LineOutcome { file: string; exact: number; edit: number; ms: number }

export interface LineRow {
  cases: number;
  exactMatch: number;
  editSimilarity: number;
  meanMs: number;
  /** 95% interval of exactMatch from resampling whole files (cases of one file are not independent). */
  exactMatch95: [number, number];
  /** Exact match by held-out package, and their unweighted mean. */
  byPackage: Record<string, { cases: number; exactMatch: number }>;
  packageMeanExactMatch: number;
}

/** The exact-match outcomes grouped by a key (file or package). */
function exactBy(outcomes: LineOutcome[], key: (o: LineOutcome) => string): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const o of outcomes) {
    const k = key(o);
    const xs = out.get(k);
    if (xs) xs.push(o.exact);
    else out.set(k, [o.exact]);
  }
  return out;
}

/** Percentile-bootstrap interval of the pooled exact match, resampling files with replacement. */
export function fileBootstrap(outcomes: LineOutcome[], rounds: number, seed: number): [number, number] {
  const groups = [...exactBy(outcomes, (o) => o.file).values()].map((xs) => [xs.reduce((a, b) => a + b, 0), xs.length]);
  if (!groups.length) return [NaN, NaN];
  const r = rng(seed);
  const stats: number[] = [];
  for (let b = 0; b < rounds; b++) {
    let hits = 0, n = 0;
    for (let i = 0; i < groups.length; i++) {
      const [h, c] = groups[Math.floor(r() * groups.length)];
      hits += h;
      n += c;
    }
    stats.push(hits / n);
  }
  stats.sort((a, b) => a - b);
  return [stats[Math.floor(0.025 * (rounds - 1))], stats[Math.ceil(0.975 * (rounds - 1))]];
}

/** One table row from per-case outcomes; packageOf names a file's held-out package. */
export function lineRow(outcomes: LineOutcome[], packageOf: (file: string) => string): LineRow {
  const pk = exactBy(outcomes, (o) => packageOf(o.file));
  const byPackage = Object.fromEntries([...pk.entries()].sort().map(([p, xs]) => [p, { cases: xs.length, exactMatch: mean(xs) }]));
  return {
    cases: outcomes.length,
    exactMatch: mean(outcomes.map((o) => o.exact)),
    editSimilarity: mean(outcomes.map((o) => o.edit)),
    meanMs: mean(outcomes.map((o) => o.ms)),
    exactMatch95: fileBootstrap(outcomes, 2000, 7),
    byPackage,
    packageMeanExactMatch: mean(Object.values(byPackage).map((v) => v.exactMatch)),
  };
}
