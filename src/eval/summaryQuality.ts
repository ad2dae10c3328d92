// Summary quality on held-out documents that carry their own summary (module docstrings,
// README abstracts, file header comments). The summary is removed from the input; the
// engine's key passages are scored against it with ROUGE-1 / ROUGE-L recall, next to two
// baselines of the same length: the document's first lines (lead) and random passages.
//
//   npx tsx src/eval/summaryQuality.ts [--model DIR] [--chunk-size N] [--passages K]
//       [--max-docs N] [--min-lines N] [--max-lines N] [--seeds N] [--json FILE] FOLDER
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index';
import type { Logger } from '../engine/types';
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
  const C = Number(values['chunk-size']);
  const k = Number(values.passages);
  const maxDocs = Number(values['max-docs']);
  const minLines = Number(values['min-lines']);
  const maxLines = Number(values['max-lines']);
  const seeds = Number(values.seeds);

  // Candidate documents, capped per reference kind so one kind does not drown the others.
  const byKind = new Map<ReferenceKind, { file: string; doc: HeldOutDoc }[]>();
  const exts = ['.py', '.md', '.rst', '.txt', '.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts'];
  for (const file of listFiles(folder, exts)) {
    if (statSync(file).size > 1024 * 1024) continue;
    const text = readFileSync(file, 'utf8');
    if (text.includes('\u0000')) continue;
    const doc = extractHeldOut(file, text);
    if (!doc) continue;
    const n = doc.input.split('\n').length;
    if (n < minLines || n > maxLines) continue;
    const list = byKind.get(doc.kind) ?? [];
    list.push({ file, doc });
    byKind.set(doc.kind, list);
  }
  const perKind = Math.max(1, Math.floor(maxDocs / Math.max(1, byKind.size)));
  const chosen = [...byKind.values()].flatMap((list) => spread(list, perKind));
  if (chosen.length === 0) throw new Error(`no held-out document with its own summary found in ${folder}`);

  const quiet: Logger = { trace() {}, debug() {}, info() {}, warn: (m) => process.stderr.write(`warn: ${m}\n`), error: (m) => process.stderr.write(`error: ${m}\n`) };
  const engine = await Engine.load({ modelDir: values.model, provider: 'cpu', logger: quiet });
  const results: DocResult[] = [];
  const t0 = Date.now();
  try {
    for (const [n, { file, doc }] of chosen.entries()) {
      const id = `heldout:${n}`;
      const check = engine.updateDocument(id, 1, doc.input);
      if (!check.ok) continue;
      const res = await engine.summarize({ docId: id, version: 1, chunkSize: C, maxPassages: k });
      engine.closeDocument(id);
      const lines = doc.input.split('\n');
      const ranges = res.passages.map((p) => ({ start: p.startLine - 1, end: p.endLine - 1 }));
      const selected = ranges.reduce((s, r) => s + r.end - r.start + 1, 0);
      if (selected === 0) continue;
      const ref = words(doc.reference);
      const cat = score(ref, linesText(lines, ranges));
      const lead = score(ref, lines.slice(0, selected).join('\n'));
      const rand: Scores[] = [];
      for (let s = 0; s < seeds; s++) {
        const r = rng(1000 + s * 7919 + n);
        const windows = ranges.map((x) => {
          const len = x.end - x.start + 1;
          const start = Math.floor(r() * Math.max(1, lines.length - len + 1));
          return { start, end: start + len - 1 };
        });
        rand.push(score(ref, linesText(lines, windows)));
      }
      const random = { r1: mean(rand.map((x) => x.r1)), rl: mean(rand.map((x) => x.rl)) };
      results.push({ file: path.relative(folder, file), kind: doc.kind, lines: lines.length, selectedLines: selected, cat, lead, random });
      if (process.stderr.isTTY) process.stderr.write(`\r${results.length}/${chosen.length} documents`);
    }
  } finally {
    await engine.dispose();
  }
  if (process.stderr.isTTY) process.stderr.write('\n');

  const groups = new Map<string, DocResult[]>([['all', results]]);
  for (const r of results) groups.set(r.kind, [...(groups.get(r.kind) ?? []), r]);
  const rows = [...groups.entries()].map(([kind, rs]) => ({
    kind,
    docs: rs.length,
    meanLines: Math.round(mean(rs.map((r) => r.lines))),
    meanSelectedLines: Math.round(mean(rs.map((r) => r.selectedLines))),
    cat: { r1: mean(rs.map((r) => r.cat.r1)), rl: mean(rs.map((r) => r.cat.rl)) },
    lead: { r1: mean(rs.map((r) => r.lead.r1)), rl: mean(rs.map((r) => r.lead.rl)) },
    random: { r1: mean(rs.map((r) => r.random.r1)), rl: mean(rs.map((r) => r.random.rl)) },
    winsVsLead: rs.filter((r) => r.cat.r1 > r.lead.r1).length,
    winsVsRandom: rs.filter((r) => r.cat.r1 > r.random.r1).length,
  }));
  const f = (x: number) => x.toFixed(3);
  console.log(`Summary quality on ${results.length} held-out documents from ${folder}`);
  console.log(`model ${values.model}, C=${C}, ${k} passages per document; baselines use the same number of lines; ${seeds} random seeds; ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
  console.log('| reference | docs | lines (mean) | selected lines | ROUGE-1 R: CAT | lead | random | ROUGE-L R: CAT | lead | random | CAT > lead | CAT > random |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(
      `| ${r.kind} | ${r.docs} | ${r.meanLines} | ${r.meanSelectedLines} | ${f(r.cat.r1)} | ${f(r.lead.r1)} | ${f(r.random.r1)} | ${f(r.cat.rl)} | ${f(r.lead.rl)} | ${f(r.random.rl)} | ${r.winsVsLead}/${r.docs} | ${r.winsVsRandom}/${r.docs} |`,
    );
  }
  if (values.json) {
    writeFileSync(values.json, JSON.stringify({ folder, model: values.model, chunkSize: C, passages: k, seeds, summary: rows, documents: results }, null, 2) + '\n');
    console.log(`\nper-document results: ${values.json}`);
  }
}

main().catch((e: Error & { exitCode?: number }) => {
  process.stderr.write(`summaryQuality: ${e.message}\n`);
  process.exit(e.exitCode ?? 1);
});
