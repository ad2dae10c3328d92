// The summary section of `npm run eval` (and runnable alone): passage ROUGE against the held-out
// documents' own summaries at k=3 and k=5 (the engine's ranking, the vectors alone, random, lead),
// the share of exported top-level declarations that the summary of each long held-out module
// names, and the time to summarize a 10,000-line file on the CPU (cold and with the chunk cache,
// progress reports, and how soon a cancel takes effect).
//
//   npx tsx src/eval/summaryEval.ts [--heldout corpus/heldout] [--out models/eval] [--cat DIR]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index';
import { renderSummaryText } from '../engine/summaryText';
import type { Logger } from '../engine/types';
import { longModules, namedIn } from './summaryExports';
import { QUALITY_DEFAULTS, qualityTable, summaryQuality } from './summaryQuality';

const quiet: Logger = { trace() {}, debug() {}, info() {}, warn: (m) => console.error(m), error: (m) => console.error(m) };

/** Names of each long held-out module's exports found in its summary's text. */
async function exportsNamed(engine: Engine, heldout: string, log: (m: string) => void) {
  const all = longModules(heldout);
  // at most 16: every TypeScript/JavaScript module (the held-out split has few), then Python ones evenly over the path-sorted list
  const scripts = all.filter((m) => !m.file.endsWith('.py')).slice(0, 16);
  const py = all.filter((m) => m.file.endsWith('.py'));
  const n = Math.min(py.length, 16 - scripts.length);
  const modules = [...scripts, ...Array.from({ length: n }, (_, i) => py[Math.floor((i * py.length) / n)])];
  const out: { file: string; lines: number; exports: number; named: number; share: number; missing: string[]; ms: number; overview: string; overviewShown: boolean }[] = [];
  for (const [i, m] of modules.entries()) {
    const bytes = fs.readFileSync(m.file);
    const id = `exports:${i}`;
    if (!engine.updateDocument(id, 1, bytes).ok) continue;
    const r = await engine.summarize({ docId: id, version: 1, chunkSize: 16, maxPassages: 5, fileName: m.file, overview: true });
    engine.closeDocument(id);
    const text = renderSummaryText(r, { title: path.basename(m.file), lineCount: m.lines, chunkSize: 16, model: engine.info.modelName, provider: 'cpu' });
    const named = namedIn(text, m.exports);
    const missing = m.exports.filter((n) => !named.includes(n));
    out.push({ file: path.relative(heldout, m.file), lines: m.lines, exports: m.exports.length, named: named.length, share: named.length / m.exports.length, missing: missing.slice(0, 20), ms: Math.round(r.ms),
      overview: r.overview ?? `left out (${r.overviewRejected?.reason}): ${r.overviewRejected?.text ?? ''}`, overviewShown: r.overview !== undefined });
    log(`exports named: ${out[out.length - 1].file} ${named.length}/${m.exports.length}`);
  }
  return out;
}

/** 10,000 lines of real code (the TypeScript compiler's own source, as the integration suite uses). */
function tenThousandLines(): string {
  const file = path.join(path.dirname(require.resolve('typescript')), 'typescript.js');
  return fs.readFileSync(file, 'utf8').split('\n').slice(2000, 12_000).join('\n') + '\n';
}

async function timeTenThousand(catDir: string) {
  const text = tenThousandLines();
  const engine = await Engine.load({ modelDir: catDir, provider: 'cpu', logger: quiet });
  try {
    engine.updateDocument('ten', 1, text);
    let reports = 0;
    const t0 = performance.now();
    const cold = await engine.summarize({ docId: 'ten', version: 1, chunkSize: 16, maxPassages: 8, fileName: 'ten-thousand.js', onProgress: () => { reports++; } });
    const coldMs = performance.now() - t0;
    const t1 = performance.now();
    const warm = await engine.summarize({ docId: 'ten', version: 1, chunkSize: 16, maxPassages: 8, fileName: 'ten-thousand.js' });
    const warmMs = performance.now() - t1;
    // cancel: a fresh document (nothing cached for it at C=8), aborted at the first compress progress
    engine.updateDocument('ten8', 1, text);
    const ac = new AbortController();
    let abortedAt = 0;
    const t2 = performance.now();
    const cancel = await engine.summarize({ docId: 'ten8', version: 1, chunkSize: 8, fileName: 'ten-thousand.js', signal: ac.signal, onProgress: (p) => { if (p.phase === 'compress' && !abortedAt) { abortedAt = performance.now(); ac.abort(); } } })
      .then(() => 'completed', (e: Error) => e.name);
    const cancelMs = abortedAt ? performance.now() - abortedAt : NaN;
    return {
      lines: 10_000, chunks: cold.chunks, coldMs: Math.round(coldMs), warmMs: Math.round(warmMs), coldTiming: cold.timing, warmTiming: warm.timing,
      progressReports: reports, cancel: { result: cancel, msFromAbortToRejection: Math.round(cancelMs), totalMs: Math.round(performance.now() - t2) }, targetMs: 10_000,
    };
  } finally {
    await engine.dispose();
  }
}

export async function summaryEval(o: { heldout: string; catDir: string; log: (m: string) => void }): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const engine = await Engine.load({ modelDir: o.catDir, provider: 'cpu', logger: quiet });
  try {
    for (const k of [3, 5]) {
      const t = Date.now();
      const q = await summaryQuality(engine, o.heldout, { ...QUALITY_DEFAULTS, passages: k });
      out[`passagesK${k}`] = { rows: q.rows, seconds: Math.round((Date.now() - t) / 1000), documents: q.documents };
      o.log(`summary quality k=${k}:\n${qualityTable(q.rows)}`);
    }
    const ex = await exportsNamed(engine, o.heldout, o.log);
    const shares = ex.map((e) => e.share);
    out.exportsNamed = { modules: ex, meanShare: shares.reduce((a, b) => a + b, 0) / Math.max(1, shares.length), minShare: Math.min(...shares), target: 0.9 };
    out.overviews = { generated: ex.length, shown: ex.filter((e) => e.overviewShown).length };
  } finally {
    await engine.dispose();
  }
  out.tenThousandLines = await timeTenThousand(o.catDir);
  o.log(`10,000 lines: ${JSON.stringify(out.tenThousandLines)}`);
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { heldout: { type: 'string' }, out: { type: 'string' }, cat: { type: 'string' } } });
  const root = path.resolve(__dirname, '..', '..');
  const heldout = path.resolve(values.heldout ?? path.join(root, 'corpus', 'heldout'));
  const outDir = path.resolve(values.out ?? path.join(root, 'models', 'eval'));
  const t0 = Date.now();
  const res = await summaryEval({ heldout, catDir: path.resolve(values.cat ?? path.join(root, 'models', 'cat-code-small')), log: (m) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`) });
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify({ ...res, wallSeconds: Math.round((Date.now() - t0) / 1000) }, null, 1) + '\n');
  console.error(`wrote ${path.join(outDir, 'summary.json')}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`summaryEval: ${(e as Error).message}`);
    process.exit(1);
  });
}
