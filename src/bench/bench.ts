// `npm run bench` / `cat-lm bench`: CAT at every chunk size and the dense baseline, side by
// side in one run, on real source text. Writes bench.md, bench.json and bench.svg.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { deriveTokens } from '../engine/docTokens';
import { DocSnapshot } from '../engine/documents';
import { DEFAULT_MAX_CONTEXT_TOKENS, Engine } from '../engine/index';
import type { ProviderSetting } from '../engine/types';
import { modelDirFor } from '../cli/models';
import { benchSource, textOfLines, textOfTokens } from './corpus';
import { docSeq, measureCompression, measureContext, measureEdits, type ContextRow, type EditRow } from './measure';
import { toMarkdown, toSvg, type BenchReport } from './report';
import { coldOpenTarget, crossFileTarget, longFileTargets, ratioTargets } from './targets';
import { indexTargets } from './indexBench';

export interface BenchOptions {
  quick?: boolean;
  outDir?: string;
  sizes?: number[];
  provider?: ProviderSetting;
  threads?: number;
  catDir?: string;
  denseDir?: string;
  /** Longest single dense prefill allowed (projected from a smaller measured one), seconds. */
  maxRunSeconds?: number;
  log?: (m: string) => void;
}

export type BenchResult = BenchReport & { markdown: string; files: string[] };

/** The repository (or installed package) root: the first folder above this file with our package.json. */
function packageRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    try {
      if (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'cat-lm') return dir;
    } catch {
      // keep looking
    }
    dir = path.dirname(dir);
  }
  return process.cwd();
}
const FIXTURES = path.join(packageRoot(), 'test', 'fixtures');

function pickModel(kind: 'cat' | 'dense', given: string | undefined, notes: string[]): string | undefined {
  if (given) return given;
  try {
    return modelDirFor(kind);
  } catch {
    const fx = path.join(FIXTURES, `tiny-${kind}`);
    if (fs.existsSync(path.join(fx, 'contract.json'))) {
      notes.push(`No shipped ${kind} model found; the tiny random-weight fixture ${path.relative(process.cwd(), fx)} was used (timings only, no quality).`);
      return fx;
    }
    return undefined;
  }
}

function describe(e: Engine): string {
  const c = e.contract;
  const t = c.training ?? {};
  const trained = typeof t.steps === 'number' ? `, ${t.steps} steps / ${t.tokens} tokens trained` : '';
  return `${c.name} (${c.dims.dModel}d x ${c.dims.nLayers} layers x ${c.dims.nHeads} heads${trained})`;
}

export async function runBench(o: BenchOptions = {}): Promise<BenchResult> {
  const log = o.log ?? (() => undefined);
  const quick = !!o.quick;
  const sizes = o.sizes ?? (quick ? [1024, 4096] : [1024, 4096, 16384, 65536]);
  const steps = quick ? 8 : 32;
  const runs = quick ? 3 : 7;
  const maxRunMs = (o.maxRunSeconds ?? (quick ? 20 : 300)) * 1000;
  const notes: string[] = [];
  const catDir = pickModel('cat', o.catDir, notes);
  if (!catDir) throw new Error('no cat model to benchmark (models/ or test/fixtures/tiny-cat)');
  const denseDir = pickModel('dense', o.denseDir, notes);
  const provider = o.provider ?? 'cpu';
  const maxContextTokens = Math.max(131072, 2 * Math.max(...sizes));
  const common = { provider, threads: o.threads, maxContextTokens, cacheBytes: 1 << 30 };
  const cat = await Engine.load({ modelDir: catDir, ...common });
  const dense = denseDir ? await Engine.load({ modelDir: denseDir, ...common }) : undefined;
  try {
    const src = benchSource();
    log(`bench: ${cat.info.modelName}${dense ? ` vs ${dense.info.modelName}` : ''} on ${cat.info.provider.active}, sizes ${sizes.join(', ')}${quick ? ' (quick)' : ''}`);

    // tokenizer speed: 1 MB cold (no line cache), then re-encoding after a one-line edit
    const mb = Buffer.from(src.text.slice(0, 1_000_000));
    let t = performance.now();
    const ids = cat.tokenizer.encodeBytes(mb, false);
    const tokMs = performance.now() - t;
    const editText = textOfLines(src.text, quick ? 1000 : 5000);
    const s1 = new DocSnapshot('t', 1, Buffer.from(editText), { ok: true });
    const t1 = deriveTokens(s1, cat.tokenizer);
    const lines = editText.split('\n');
    lines[Math.floor(lines.length / 2)] += ' // edit';
    const s2 = new DocSnapshot('t', 2, Buffer.from(lines.join('\n')), { ok: true });
    t = performance.now();
    deriveTokens(s2, cat.tokenizer, { snap: s1, tokens: t1 });
    const editMs = performance.now() - t;
    const tokenizer = {
      bytes: mb.length, ms: Math.round(tokMs), mbPerSecond: mb.length / 1e6 / (tokMs / 1000),
      tokensPerSecond: Math.round(ids.length / (tokMs / 1000)), editReencodeMs: editMs, editLines: lines.length,
    };

    // warm-up (JIT, onnxruntime arenas): one small untimed run per engine
    const warmText = textOfTokens(src.text, cat.tokenizer, 512).text;
    await measureContext(cat, cat.info.defaultChunkSize, warmText, 512, 4, 1);
    if (dense) await measureContext(dense, 0, warmText, 512, 4, 1);

    // context lengths: every chunk size and dense
    const results: ContextRow[] = [];
    let lastDense: { tokens: number; ms: number } | undefined;
    for (const size of sizes) {
      const text = textOfTokens(src.text, cat.tokenizer, size).text;
      for (const C of cat.info.chunkSizes) {
        log(`bench: cat C=${C}, ${size} tokens`);
        results.push(await measureContext(cat, C, text, size, steps, runs));
      }
      if (!dense) continue;
      const rowBytes = dense.model.rowSize * 8;
      const projected = lastDense ? lastDense.ms * (size / lastDense.tokens) ** 2 : 0;
      const skip = (note: string): ContextRow => ({ model: 'dense', chunkSize: 0, contextTokens: size, decodeMsP50: null, decodeMsP90: null, ttftColdMs: null, ttftWarmMs: null, prefillMs: null, contextBytes: null, note });
      if ((size + 2) * rowBytes > 4 * 1024 ** 3) {
        results.push(skip(`dense cannot hold ${size} tokens: ${((size * rowBytes) / 2 ** 30).toFixed(1)} GiB of keys/values over the 4 GiB limit`));
      } else if (projected > maxRunMs) {
        results.push(skip(`not run: its prefill would take about ${Math.round(projected / 1000)} s on this machine (projected from ${lastDense?.tokens} tokens; limit ${maxRunMs / 1000} s)`));
      } else {
        log(`bench: dense, ${size} tokens`);
        const row = await measureContext(dense, 0, text, size, steps, runs);
        results.push(row);
        if (row.prefillMs) lastDense = { tokens: size, ms: row.prefillMs };
      }
    }

    // one-line edits in a long file
    const edits: EditRow[] = [];
    for (const C of cat.info.chunkSizes) { log(`bench: edits, cat C=${C}`); edits.push(...await measureEdits(cat, C, editText)); }
    const editTokens = docSeq(cat, editText).length;
    const denseEditMs = lastDense ? lastDense.ms * (editTokens / lastDense.tokens) ** 2 : Infinity;
    if (dense && denseEditMs <= maxRunMs) { log('bench: edits, dense'); edits.push(...await measureEdits(dense, 0, editText)); } else if (dense) {
      notes.push(`Dense edits on the ${lines.length}-line file (${editTokens} tokens) not run: a full prefill would take about ${Math.round(denseEditMs / 1000)} s here.`);
    }

    // background compression throughput
    const compSeq = docSeq(cat, textOfTokens(src.text, cat.tokenizer, quick ? 4096 : 65536).text);
    const compression = [];
    for (const C of cat.info.chunkSizes) compression.push(await measureCompression(cat, C, compSeq));

    // the issue's targets, on engines with the product's default context cap
    log('bench: targets');
    const product = { provider, threads: o.threads, cacheBytes: 1 << 30 };
    const catP = await Engine.load({ modelDir: catDir, ...product });
    const denseP = denseDir ? await Engine.load({ modelDir: denseDir, ...product }) : undefined;
    const targets = ratioTargets(results);
    try {
      const longLines = quick ? 2000 : 10000;
      targets.push(...await longFileTargets(catP, src.text, longLines, runs));
      const longTokens = docSeq(catP, textOfLines(src.text, longLines)).length;
      const denseColdMs = lastDense ? lastDense.ms * (Math.min(longTokens, DEFAULT_MAX_CONTEXT_TOKENS) / lastDense.tokens) ** 2 : Infinity;
      targets.push(await coldOpenTarget(catP, denseP, src.text, longLines, denseColdMs <= maxRunMs));
      targets.push(await crossFileTarget(catP, src.text, quick ? 8192 : 65536, runs));
      log('bench: exact index');
      targets.push(...await indexTargets(catP, editText, path.join(packageRoot(), 'node_modules'), quick ? 200_000 : 2_000_000, quick ? 40 : 200));
    } finally {
      await catP.dispose();
      await denseP?.dispose();
    }

    const report: BenchReport = {
      when: new Date().toISOString().slice(0, 16).replace('T', ' '),
      machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', node: process.version, provider: cat.info.provider.active, threads: cat.model.threads },
      models: { cat: describe(cat), dense: dense ? describe(dense) : undefined },
      source: src.name, results, edits, compression, tokenizer, targets, notes,
    };
    const markdown = toMarkdown(report);
    const files: string[] = [];
    const outDir = o.outDir ?? (quick ? undefined : path.join(packageRoot(), 'media', 'bench'));
    if (outDir) {
      fs.mkdirSync(outDir, { recursive: true });
      for (const [name, body] of [['bench.md', markdown], ['bench.json', `${JSON.stringify(report, null, 1)}\n`], ['bench.svg', toSvg(report)]] as const) {
        const f = path.join(outDir, name);
        fs.writeFileSync(`${f}.tmp`, body);
        fs.renameSync(`${f}.tmp`, f);
        files.push(f);
      }
      log(`bench: wrote ${files.join(', ')}`);
    }
    return { ...report, markdown, files };
  } finally {
    await cat.dispose();
    await dense?.dispose();
  }
}
