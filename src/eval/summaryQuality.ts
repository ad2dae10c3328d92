// Summary quality on held-out documents that carry their own summary (module docstrings,
// README abstracts, file header comments). The summary is removed from the input; the
// engine's key passages are scored against it with ROUGE-1 / ROUGE-L recall, next to two
// baselines of the same length: the document's first lines (lead) and random passages, and
// an ablation: the ranking from the compressed vectors alone.
//
//   npx tsx src/eval/summaryQuality.ts [--model DIR] [--chunk-size N] [--passages K]
//       [--max-docs N] [--min-lines N] [--max-lines N] [--seeds N] [--json FILE] FOLDER
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index';
import { MODEL_ONLY } from '../engine/summarize';
import type { Logger, SummaryResult } from '../engine/types';
import { listFiles, rng } from './heldout';
import { extractHeldOut, type HeldOutDoc, type ReferenceKind } from './summaryReferences';
import { rouge1Recall, rougeLRecall, words } from './rouge';

interface Scores {
  r1: number;
  rl: number;
}
interface DocResult {
  file: string;
  kind: ReferenceKind;
  lines: number;
  selectedLines: number;
  cat: Scores;
  lead: Scores;
  random: Scores;
  /** The vectors-only ranking and its own same-length lead. */
  vectorsOnly: Scores;
  /** Score spread: over all candidate passages, and over the k picked. */
  spread: number;
  spreadTopK: number;
}

export interface QualityOptions { chunkSize: number; passages: number; maxDocs: number; minLines: number; maxLines: number; seeds: number }
export const QUALITY_DEFAULTS: QualityOptions = { chunkSize: 16, passages: 3, maxDocs: 90, minLines: 60, maxLines: 3000, seeds: 10 };

export interface QualityRow {
  kind: string; docs: number; meanLines: number; meanSelectedLines: number;
  cat: Scores; lead: Scores; random: Scores; vectorsOnly: Scores;
  winsVsLead: number; winsVsRandom: number; meanSpread: number; meanSpreadTopK: number;
}

const usage = 'usage: summaryQuality [--model DIR] [--chunk-size N] [--passages K] [--max-docs N] [--min-lines N] [--max-lines N] [--seeds N] [--json FILE] FOLDER';

/** Deterministic spread: every k-th item so that at most n remain. */
function spread<T>(items: T[], n: number): T[] {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, i) => items[Math.floor(i * step)]);
}

function score(reference: string[], text: string): Scores {
  const cand = words(text);
  return { r1: rouge1Recall(reference, cand), rl: rougeLRecall(reference, cand) };
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0;
}

function linesText(lines: string[], ranges: { start: number; end: number }[]): string {
  return ranges.map((r) => lines.slice(r.start, r.end + 1).join('\n')).join('\n');
}

/** Held-out documents with their own summary, capped per reference kind so one kind does not drown the others. */
export function qualityDocs(folder: string, o: QualityOptions): { file: string; doc: HeldOutDoc }[] {
  const byKind = new Map<ReferenceKind, { file: string; doc: HeldOutDoc }[]>();
  const exts = ['.py', '.md', '.rst', '.txt', '.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts'];
  for (const file of listFiles(folder, exts)) {
    if (statSync(file).size > 1024 * 1024) continue;
    const text = readFileSync(file, 'utf8');
    if (text.includes('\u0000')) continue;
    const doc = extractHeldOut(file, text);
    if (!doc) continue;
    const n = doc.input.split('\n').length;
    if (n < o.minLines || n > o.maxLines) continue;
    const list = byKind.get(doc.kind) ?? [];
    list.push({ file, doc });
    byKind.set(doc.kind, list);
  }
  const perKind = Math.max(1, Math.floor(o.maxDocs / Math.max(1, byKind.size)));
  return [...byKind.values()].flatMap((list) => spread(list, perKind));
}

const rangesOf = (r: SummaryResult) => r.passages.map((p) => ({ start: p.startLine - 1, end: p.endLine - 1 }));
const lineTotal = (rs: { start: number; end: number }[]) => rs.reduce((s, r) => s + r.end - r.start + 1, 0);

/** Scores the engine's passages on each document against the document's own summary. */
export async function summaryQuality(engine: Engine, folder: string, o: QualityOptions = QUALITY_DEFAULTS): Promise<{ rows: QualityRow[]; documents: DocResult[] }> {
  const chosen = qualityDocs(folder, o);
  if (chosen.length === 0) throw new Error(`no held-out document with its own summary found in ${folder}`);
  const results: DocResult[] = [];
  for (const [n, { file, doc }] of chosen.entries()) {
    const id = `heldout:${n}`;
    const check = engine.updateDocument(id, 1, doc.input);
    if (!check.ok) continue;
    const req = { docId: id, version: 1, chunkSize: o.chunkSize, maxPassages: o.passages, fileName: file };
    const res = await engine.summarize(req);
    const alone = await engine.summarize({ ...req, rankWeights: MODEL_ONLY });
    engine.closeDocument(id);
    const lines = doc.input.split('\n');
    const ranges = rangesOf(res);
    const selected = lineTotal(ranges);
    if (selected === 0) continue;
    const ref = words(doc.reference);
    const cat = score(ref, linesText(lines, ranges));
    const lead = score(ref, lines.slice(0, selected).join('\n'));
    const rand: Scores[] = [];
    for (let s = 0; s < o.seeds; s++) {
      const r = rng(1000 + s * 7919 + n);
      const windows = ranges.map((x) => {
        const len = x.end - x.start + 1;
        const start = Math.floor(r() * Math.max(1, lines.length - len + 1));
        return { start, end: start + len - 1 };
      });
      rand.push(score(ref, linesText(lines, windows)));
    }
    const random = { r1: mean(rand.map((x) => x.r1)), rl: mean(rand.map((x) => x.rl)) };
    const topK = res.passages.map((p) => p.score);
    results.push({
      file: path.relative(folder, file), kind: doc.kind, lines: lines.length, selectedLines: selected, cat, lead, random,
      vectorsOnly: score(ref, linesText(lines, rangesOf(alone))),
      spread: res.scoreRange ? res.scoreRange.max - res.scoreRange.min : 0, spreadTopK: topK.length ? Math.max(...topK) - Math.min(...topK) : 0,
    });
    if (process.stderr.isTTY) process.stderr.write(`\r${results.length}/${chosen.length} documents`);
  }
  if (process.stderr.isTTY) process.stderr.write('\n');
  const groups = new Map<string, DocResult[]>([['all', results]]);
  for (const r of results) groups.set(r.kind, [...(groups.get(r.kind) ?? []), r]);
  const avg = (rs: DocResult[], f: (r: DocResult) => Scores) => ({ r1: mean(rs.map((r) => f(r).r1)), rl: mean(rs.map((r) => f(r).rl)) });
  const rows = [...groups.entries()].map(([kind, rs]) => ({
    kind,
    docs: rs.length,
    meanLines: Math.round(mean(rs.map((r) => r.lines))),
    meanSelectedLines: Math.round(mean(rs.map((r) => r.selectedLines))),
    cat: avg(rs, (r) => r.cat), lead: avg(rs, (r) => r.lead), random: avg(rs, (r) => r.random), vectorsOnly: avg(rs, (r) => r.vectorsOnly),
    winsVsLead: rs.filter((r) => r.cat.r1 > r.lead.r1).length,
    winsVsRandom: rs.filter((r) => r.cat.r1 > r.random.r1).length,
    meanSpread: mean(rs.map((r) => r.spread)), meanSpreadTopK: mean(rs.map((r) => r.spreadTopK)),
  }));
  return { rows, documents: results };
}

/** The rows as a Markdown table. */
export function qualityTable(rows: QualityRow[]): string {
  const f = (x: number) => x.toFixed(3);
  const out = [
    '| reference | docs | lines (mean) | selected lines | ROUGE-1 R: CAT | lead | random | vectors only | ROUGE-L R: CAT | lead | random | CAT > lead | CAT > random | score spread (all / top k) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    out.push(`| ${r.kind} | ${r.docs} | ${r.meanLines} | ${r.meanSelectedLines} | ${f(r.cat.r1)} | ${f(r.lead.r1)} | ${f(r.random.r1)} | ${f(r.vectorsOnly.r1)} | ${f(r.cat.rl)} | ${f(r.lead.rl)} | ${f(r.random.rl)} | ${r.winsVsLead}/${r.docs} | ${r.winsVsRandom}/${r.docs} | ${f(r.meanSpread)} / ${f(r.meanSpreadTopK)} |`);
  }
  return out.join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      model: { type: 'string', default: path.join(__dirname, '..', '..', 'models', 'cat-code-small') },
      'chunk-size': { type: 'string', default: '16' },
      passages: { type: 'string', default: '3' },
      'max-docs': { type: 'string', default: '90' },
      'min-lines': { type: 'string', default: '60' },
      'max-lines': { type: 'string', default: '3000' },
      seeds: { type: 'string', default: '10' },
      json: { type: 'string' },
    },
  });
  const folder = positionals[0];
  if (!folder) throw Object.assign(new Error(usage), { exitCode: 2 });
  const o: QualityOptions = {
    chunkSize: Number(values['chunk-size']), passages: Number(values.passages), maxDocs: Number(values['max-docs']),
    minLines: Number(values['min-lines']), maxLines: Number(values['max-lines']), seeds: Number(values.seeds),
  };
  const quiet: Logger = { trace() {}, debug() {}, info() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) };
  const engine = await Engine.load({ modelDir: values.model, provider: 'cpu', logger: quiet });
  const t0 = Date.now();
  let res;
  try {
    res = await summaryQuality(engine, folder, o);
  } finally {
    await engine.dispose();
  }
  console.log(`Summary quality on ${res.documents.length} held-out documents from ${folder}`);
  console.log(`model ${values.model}, C=${o.chunkSize}, ${o.passages} passages per document; baselines use the same number of lines; ${o.seeds} random seeds; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  console.log(qualityTable(res.rows));
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ folder, model: values.model, ...o, summary: res.rows, documents: res.documents }, null, 2) + '\n');
    console.log(`\nper-document results: ${values.json}`);
  }
}

if (require.main === module) {
  main().catch((e: Error & { exitCode?: number }) => {
    process.stderr.write(`summaryQuality: ${e.message}\n`);
    process.exit(e.exitCode ?? 1);
  });
}
