// Model evaluation for the model card, run on the SHIPPED ONNX files through the engine:
// bits per byte on held-out packages (CAT at every chunk size, dense), bits per byte by position
// up to 32k tokens, next-line completion (exact match, edit similarity; with and without the
// suffix) and in-context recall by distance; summaries (src/eval/summaryEval.ts).
//
//   npm run eval -- [--quick] [--heldout corpus/heldout] [--out models/eval] [--only completion|summary|recall|nextline]
// (--only recall / --only nextline replace those rows of the last results.json and keep the rest)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index';
import { DocTokenizer } from '../engine/tokenizer';
import { listFiles, sampleFiles } from './heldout';
import { editSimilarity, mean } from './metrics';
import { lineCases, lineRow, type LineOutcome, type LineRow } from './nextLine';
import { gainTexts, recallCases } from './recall';
import { completionEval } from './completionEval';
import { summaryEval } from './summaryEval';

interface Sizes { bpbFiles: number; bpbMaxBytes: number; lineFiles: number; lineCases: number; recallPer: number; distances: number[]; posTokens: number }
const FULL: Sizes = { bpbFiles: 30, bpbMaxBytes: 8_000, lineFiles: 1000, lineCases: 2000, recallPer: 12, distances: [512, 1024, 2048, 4096, 8192], posTokens: 32768 };
const QUICK: Sizes = { bpbFiles: 4, bpbMaxBytes: 4_000, lineFiles: 10, lineCases: 10, recallPer: 2, distances: [512, 1024], posTokens: 2048 };

const quiet = { trace() {}, debug() {}, info() {}, warn: (m: string) => console.error(m), error: (m: string) => console.error(m) };

async function load(dir: string): Promise<Engine> {
  return Engine.load({ modelDir: dir, provider: 'cpu', logger: quiet });
}

/** Configurations: CAT at each chunk size, then dense (chunk size 0). */
function configs(cat: Engine, dense: Engine): { name: string; eng: Engine; C: number }[] {
  return [...cat.info.chunkSizes.map((C) => ({ name: `cat C=${C}`, eng: cat, C })), { name: 'dense', eng: dense, C: 0 }];
}

async function bitsPerByte(eng: Engine, C: number, files: string[], maxBytes: number) {
  let bits = 0, bytes = 0, tokens = 0;
  for (const f of files) {
    const b = fs.readFileSync(f).subarray(0, maxBytes);
    const r = await eng.evaluate(b, C || undefined);
    bits += r.bitsPerByte * r.bytes;
    bytes += r.bytes;
    tokens += r.tokens;
  }
  return { bitsPerByte: bits / bytes, bytes, tokens };
}

/** Bits per byte in position buckets, from evaluations of growing prefixes (scoring is causal). */
async function byPosition(eng: Engine, C: number, text: Buffer, edges: number[], tok: DocTokenizer) {
  const cuts: number[] = [];
  let tokens = 0, off = 0;
  for (const line of text.toString('utf8').split('\n')) {
    const b = Buffer.byteLength(line) + 1;
    tokens += tok.encodeBytes(Buffer.from(line + '\n')).length;
    off += b;
    while (cuts.length < edges.length && tokens >= edges[cuts.length]) cuts.push(off);
  }
  const out: { fromTokens: number; toTokens: number; bitsPerByte: number }[] = [];
  let prevBits = 0, prevBytes = 0;
  for (let i = 0; i < cuts.length; i++) {
    const r = await eng.evaluate(text.subarray(0, cuts[i]), C || undefined);
    const bits = r.bitsPerByte * r.bytes;
    out.push({ fromTokens: i ? edges[i - 1] : 0, toTokens: edges[i], bitsPerByte: (bits - prevBits) / (r.bytes - prevBytes) });
    prevBits = bits;
    prevBytes = r.bytes;
  }
  return out;
}

async function completeCase(eng: Engine, C: number, id: string, text: string, offset: number, useSuffix: boolean, useIndex = false) {
  eng.updateDocument(id, 1, text);
  try {
    // the model alone unless useIndex (the document's own index, as the extension completes); no gate
    // (the index rows of line completions, with the gate, are in completionEval.ts)
    const r = await eng.complete({ docId: id, version: 1, offset, chunkSize: C, mode: 'line', maxTokens: 48, useSuffix, useIndex, minConfidence: 0 });
    return r;
  } finally {
    eng.closeDocument(id);
  }
}

/** Next-line rows: the default CAT size and dense, each with and without the suffix (model alone). */
async function nextLineRows(cat: Engine, dense: Engine, code: string[], sz: Sizes, heldout: string, log: (m: string) => void) {
  const lineFiles = sampleFiles(code, sz.lineFiles, 17, 500, 5_000);
  const cases = lineCases(lineFiles, sz.lineCases, 19);
  const packageOf = (f: string) => path.relative(heldout, f).split(path.sep)[0];
  const rows: Record<string, LineRow & { files: number }> = {};
  const fileCount = new Set(cases.map((k) => k.file)).size;
  const lineConfigs = [{ name: `cat C=${cat.info.defaultChunkSize}`, eng: cat, C: cat.info.defaultChunkSize }, { name: 'dense', eng: dense, C: 0 }];
  for (const c of lineConfigs) {
    for (const useSuffix of [false, true]) {
      const outcomes: LineOutcome[] = [];
      for (const [i, k] of cases.entries()) {
        const r = await completeCase(c.eng, c.C, `line-${i}`, k.text, k.offset, useSuffix);
        const pred = r.text.split('\n')[0].trimEnd();
        outcomes.push({ file: k.file, exact: pred === k.expected ? 1 : 0, edit: editSimilarity(pred, k.expected), ms: r.ms });
      }
      const name = `${c.name}${useSuffix ? ' +suffix' : ''}`;
      rows[name] = { ...lineRow(outcomes, packageOf), files: fileCount };
      log(`next-line ${name}: ${JSON.stringify(rows[name])}`);
    }
  }
  return rows;
}

/** --only recall / nextline: those rows of the last full run's file are replaced in place, the rest is kept. */
function writeMerged(file: string, rows: Record<string, unknown>): void {
  const last = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> : {};
  fs.writeFileSync(file, JSON.stringify({ ...last, ...rows }, null, 1) + '\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    quick: { type: 'boolean' }, heldout: { type: 'string' }, out: { type: 'string' },
    cat: { type: 'string' }, dense: { type: 'string' }, only: { type: 'string' }, cases: { type: 'string' },
  } });
  const sz = values.quick ? QUICK : FULL;
  const root = path.resolve(__dirname, '..', '..');
  const heldout = path.resolve(values.heldout ?? path.join(root, 'corpus', 'heldout'));
  const outDir = path.resolve(values.out ?? path.join(root, 'models', 'eval'));
  const catDir = path.resolve(values.cat ?? path.join(root, 'models', 'cat-code-small'));
  const cat = await load(catDir);
  const dense = await load(path.resolve(values.dense ?? path.join(root, 'models', 'dense-code-small')));
  const tok = DocTokenizer.fromFile(path.join(catDir, 'tokenizer.json'), JSON.parse(fs.readFileSync(path.join(catDir, 'contract.json'), 'utf8')).dims.vocabSize);
  const files = listFiles(heldout);
  const t0 = Date.now();
  const log = (m: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);
  const results: Record<string, unknown> = { quick: !!values.quick, heldoutFiles: files.length, models: { cat: cat.info.modelName, dense: dense.info.modelName } };
  fs.mkdirSync(outDir, { recursive: true });
  if (values.only === 'completion' || !values.only) {
    // the index evaluation (0 and 3 files open): its own file, so it can be re-run alone
    const completion = await completionEval(cat, dense, heldout, files, Number(values.cases ?? (values.quick ? 20 : 500)), log);
    results.completion = completion;
    fs.writeFileSync(path.join(outDir, values.quick ? 'completion-quick.json' : 'completion.json'), JSON.stringify({ ...completion, wallSeconds: Math.round((Date.now() - t0) / 1000) }, null, 1) + '\n');
    if (values.only) { await cat.dispose(); await dense.dispose(); return; }
  }
  if (values.only === 'summary' || !values.only) {
    // summaries (passage ROUGE at k=3 and 5, exports named, a 10,000-line file's time): its own file, re-run alone with --only summary
    const summary = await summaryEval({ heldout, catDir, log });
    results.summary = summary;
    fs.writeFileSync(path.join(outDir, 'summary.json'), JSON.stringify({ ...summary, wallSeconds: Math.round((Date.now() - t0) / 1000) }, null, 1) + '\n');
    if (values.only) { await cat.dispose(); await dense.dispose(); return; }
  }

  const code = files.filter((f) => /\.(js|ts|mjs|cjs|py)$/.test(f));
  if (!values.only) {
    const bpbFiles = sampleFiles(files, sz.bpbFiles, 11);
    const bpb: Record<string, unknown> = {};
    for (const c of configs(cat, dense)) {
      bpb[c.name] = await bitsPerByte(c.eng, c.C, bpbFiles, sz.bpbMaxBytes);
      log(`bpb ${c.name}: ${JSON.stringify(bpb[c.name])}`);
    }
    results.bitsPerByte = { files: bpbFiles.length, maxBytesPerFile: sz.bpbMaxBytes, byConfig: bpb };

    const longText = Buffer.from(sampleFiles(code, 400, 13, 2000, 60_000).map((f) => fs.readFileSync(f, 'utf8')).join('\n'));
    const edges = [1024, 2048, 4096, 8192, 16384, 32768].filter((e) => e <= sz.posTokens);
    const pos: Record<string, unknown> = {};
    for (const c of configs(cat, dense).filter((x) => x.C === 0 || x.C === 8 || x.C === 16 || x.C === 64)) {
      pos[c.name] = await byPosition(c.eng, c.C, longText, edges, tok);
      log(`position ${c.name}: ${JSON.stringify(pos[c.name])}`);
    }
    results.bitsPerByteByPosition = pos;
  }

  if (values.only === 'nextline' || !values.only) {
    results.nextLine = await nextLineRows(cat, dense, code, sz, heldout, log);
  }
  const file = path.join(outDir, values.quick ? 'results-quick.json' : 'results.json');
  if (values.only === 'nextline') {
    writeMerged(file, { nextLine: results.nextLine, nextLineWallSeconds: Math.round((Date.now() - t0) / 1000) });
    log(`wrote ${file}`);
    await cat.dispose();
    await dense.dispose();
    return;
  }

  const filler = sampleFiles(code, 300, 23, 2000, 60_000).map((f) => fs.readFileSync(f, 'utf8')).join('\n');
  const recall: Record<string, Record<string, number>> = {};
  // the model alone at every size, then what a user gets: the same model with the exact index of
  // the document (the mixture the extension runs; the gate is off, as in the model rows)
  const recallConfigs = [...configs(cat, dense).map((c) => ({ ...c, index: false })),
    ...configs(cat, dense).filter((c) => c.C === 4 || c.C === 8 || c.C === 0).map((c) => ({ ...c, index: true }))];
  for (const d of sz.distances) {
    const rc = recallCases(filler, d, sz.recallPer, 29 + d, (s) => tok.encodeText(s).length);
    for (const c of recallConfigs) {
      let ok = 0;
      for (const [i, k] of rc.entries()) {
        const r = await completeCase(c.eng, c.C, `recall-${i}`, k.text, k.text.length, false, c.index);
        if (r.text.startsWith(k.expected)) ok++;
      }
      (recall[`${c.name}${c.index ? ' + index' : ''}`] ??= {})[String(d)] = ok / rc.length;
    }
    log(`recall @${d}: ${JSON.stringify(Object.fromEntries(Object.entries(recall).map(([k, v]) => [k, v[String(d)]])))}`);
  }
  results.recall = { casesPerDistance: sz.recallPer, byConfig: recall };

  // recall gain: bits the matching distant definition saves on the use line (vs another name)
  const gain: Record<string, Record<string, number>> = {};
  const gainConfigs = configs(cat, dense).filter((x) => x.C === 0 || x.C === 8 || x.C === 32);
  for (const d of sz.distances) {
    const rc = recallCases(filler, d, sz.recallPer, 29 + d, (s) => tok.encodeText(s).length);
    for (const c of gainConfigs) {
      const gains: number[] = [];
      for (const [i, k] of rc.entries()) {
        const g = gainTexts(k, 31 + i + d, (t) => tok.encodeText(t).length);
        const n = tok.encodeText(g.useLine).length;
        const w = await c.eng.evaluate(Buffer.from(g.withDef), c.C || undefined, undefined, n);
        const o = await c.eng.evaluate(Buffer.from(g.control), c.C || undefined, undefined, n);
        gains.push((o.tailBits ?? 0) - (w.tailBits ?? 0));
      }
      (gain[c.name] ??= {})[String(d)] = mean(gains);
    }
    log(`recall gain @${d}: ${JSON.stringify(Object.fromEntries(Object.entries(gain).map(([k, v]) => [k, v[String(d)]])))}`);
  }
  results.recallGainBits = { casesPerDistance: sz.recallPer, byConfig: gain };
  results.wallSeconds = Math.round((Date.now() - t0) / 1000);
  if (values.only === 'recall') writeMerged(file, { recall: results.recall, recallGainBits: results.recallGainBits, recallWallSeconds: results.wallSeconds });
  else fs.writeFileSync(file, JSON.stringify(results, null, 1) + '\n');
  log(`wrote ${outDir}`);
  await cat.dispose();
  await dense.dispose();
}

main().catch((e) => {
  console.error(`eval: ${(e as Error).message}`);
  process.exit(1);
});
