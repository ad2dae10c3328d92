// `cat-lm`: complete / summarize / eval / bench from the command line.
// Exit codes: 0 ok, 2 usage error, 1 runtime error (one-line reason on stderr).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index';
import { renderSummaryText } from '../engine/summaryText';
import type { Logger, ProviderSetting } from '../engine/types';
import { lineStarts, utf16Length, byteOffsetOfUtf16 } from '../engine/utf8';
import { runBench } from '../bench/bench';
import { modelDirFor } from './models';

export const USAGE = `usage:
  cat-lm complete FILE --line L [--col C] [--chunk-size N] [--context FILE...] [--multiline] [--suffix] [--max-tokens N]
                  [--no-index] [--no-gate | --min-confidence P] [--json]
    (--context files feed the model's cross-file entries and the exact index; a suggestion the gate
     holds back prints an empty line, with the reason on stderr; the text after the cursor is read
     only when the model's contract measured that it helps, or always with --suffix)
  cat-lm summarize FILE [--chunk-size N] [--passages N] [--overview] [--json]
  cat-lm eval [--model cat|dense] [--chunk-size N] [--json] FILE...
  cat-lm bench [--quick] [--json] [--out DIR] [--sizes 1024,4096] [--max-seconds S] [--model-dir CAT_DIR] [--dense-dir DENSE_DIR]
common: [--model cat|dense] [--model-dir DIR] [--provider auto|cuda|cpu] [--threads N] [--verbose]`;

export class UsageError extends Error {}

/** Where the CLI writes (tests pass their own). */
export interface CliIo { out: (s: string) => void; err: (s: string) => void }
const stdio: CliIo = { out: (s) => { process.stdout.write(s); }, err: (s) => { process.stderr.write(s); } };
let io: CliIo = stdio;

const OPTIONS = {
  line: { type: 'string' }, col: { type: 'string' }, 'chunk-size': { type: 'string' },
  context: { type: 'string', multiple: true }, 'context-budget': { type: 'string' },
  json: { type: 'boolean' }, multiline: { type: 'boolean' }, suffix: { type: 'boolean' },
  'no-index': { type: 'boolean' }, 'no-gate': { type: 'boolean' }, 'min-confidence': { type: 'string' },
  'max-tokens': { type: 'string' }, passages: { type: 'string' }, overview: { type: 'boolean' },
  model: { type: 'string' }, 'model-dir': { type: 'string' }, provider: { type: 'string' },
  threads: { type: 'string' }, verbose: { type: 'boolean' }, quick: { type: 'boolean' },
  out: { type: 'string' }, sizes: { type: 'string' }, 'max-seconds': { type: 'string' }, 'dense-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const;

type Values = ReturnType<typeof parse>['values'];

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function int(v: string | undefined, name: string, min = 1): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
  return n;
}

function stderrLogger(verbose: boolean): Logger {
  const w = (lvl: string) => (m: string) => io.err(`[${lvl}] ${m}\n`);
  const none = () => undefined;
  return { trace: none, debug: verbose ? w('debug') : none, info: verbose ? w('info') : none, warn: w('warn'), error: w('error') };
}

function engineOptions(v: Values) {
  const kind = (v.model ?? 'cat') as string;
  if (kind !== 'cat' && kind !== 'dense') throw new UsageError(`--model must be cat or dense (got ${JSON.stringify(kind)})`);
  const provider = (v.provider ?? 'auto') as ProviderSetting;
  if (!['auto', 'cuda', 'cpu'].includes(provider)) throw new UsageError(`--provider must be auto, cuda or cpu (got ${JSON.stringify(provider)})`);
  const modelDir = v['model-dir'] ? path.resolve(v['model-dir']) : modelDirFor(kind);
  return { modelDir, provider, threads: int(v.threads, 'threads'), logger: stderrLogger(!!v.verbose) };
}

function readFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** UTF-16 offset of a 1-based line and column; column defaults to the end of the line. */
export function offsetOf(bytes: Uint8Array, line: number, col: number | undefined): number {
  const starts = lineStarts(bytes);
  const n = Math.max(1, starts.length + (bytes[bytes.length - 1] === 0x0a ? 1 : 0));
  if (line > n) throw new UsageError(`--line ${line} is past the end of the file (${n} lines)`);
  const s = starts[line - 1] ?? bytes.length;
  const e = line < starts.length ? starts[line] : bytes.length;
  let body = bytes.subarray(s, e);
  if (body[body.length - 1] === 0x0a) body = body.subarray(0, body.length - (body[body.length - 2] === 0x0d ? 2 : 1));
  const colUnits = col === undefined ? utf16Length(body) : utf16Length(body, 0, byteOffsetOfUtf16(body, col - 1));
  return utf16Length(bytes, 0, s) + colUnits;
}

async function withEngine<T>(v: Values, fn: (e: Engine) => Promise<T>): Promise<T> {
  const engine = await Engine.load(engineOptions(v));
  try {
    return await fn(engine);
  } finally {
    await engine.dispose();
  }
}

function docOrFail(engine: Engine, file: string, bytes: Uint8Array): string {
  const id = path.resolve(file);
  const check = engine.updateDocument(id, 1, bytes);
  if (!check.ok) throw new Error(`${file}: ${check.reason}`);
  if (check.reason) io.err(`note: ${file}: ${check.reason}\n`);
  return id;
}

async function cmdComplete(pos: string[], v: Values): Promise<void> {
  if (pos.length !== 1) throw new UsageError('complete needs exactly one FILE');
  const line = int(v.line, 'line');
  if (line === undefined) throw new UsageError('complete needs --line L');
  const col = int(v.col, 'col');
  const chunkSize = int(v['chunk-size'], 'chunk-size');
  const maxTokens = int(v['max-tokens'], 'max-tokens') ?? 64;
  const budget = int(v['context-budget'], 'context-budget', 0) ?? 1024;
  const minConfidence = v['min-confidence'] === undefined ? undefined : Number(v['min-confidence']);
  if (minConfidence !== undefined && !(minConfidence >= 0 && minConfidence <= 1)) throw new UsageError(`--min-confidence must be a number in [0, 1] (got ${JSON.stringify(v['min-confidence'])})`);
  const bytes = readFile(pos[0]);
  const offset = offsetOf(bytes, line, col);
  await withEngine(v, async (engine) => {
    const docId = docOrFail(engine, pos[0], bytes);
    const ctxIds = (v.context ?? []).map((f) => docOrFail(engine, f, readFile(f)));
    const r = await engine.complete({
      docId, version: 1, offset, chunkSize: chunkSize ?? engine.info.defaultChunkSize, mode: v.multiline ? 'multiline' : 'line',
      maxTokens, useSuffix: v.suffix ? true : 'auto', contextDocIds: ctxIds, contextEntryBudget: budget,
      useIndex: !v['no-index'], minConfidence: v['no-gate'] ? 0 : minConfidence,
    });
    if (r.stop === 'gated' && r.gate) io.err(`note: held back by the confidence gate (confidence ${r.gate.confidence} < ${r.gate.threshold}): ${JSON.stringify(r.gate.heldBack ?? '')}\n`);
    if (v.json) {
      io.out(`${JSON.stringify({ completion: r.text, ms: round(r.ms), chunkSize: r.chunkSize, provider: r.provider, stop: r.stop, tokens: r.tokens, gate: r.gate && { ...r.gate, features: undefined }, indexMatch: r.indexMatch, timing: r.timing })}\n`);
    } else {
      io.out(`${r.text}\n`);
    }
  });
}

async function cmdSummarize(pos: string[], v: Values): Promise<void> {
  if (pos.length !== 1) throw new UsageError('summarize needs exactly one FILE');
  const chunkSize = int(v['chunk-size'], 'chunk-size');
  const maxPassages = int(v.passages, 'passages');
  const bytes = readFile(pos[0]);
  await withEngine(v, async (engine) => {
    if (engine.info.kind !== 'cat') throw new Error('summarize needs a cat model');
    const docId = docOrFail(engine, pos[0], bytes);
    const C = chunkSize ?? engine.info.defaultChunkSize;
    const r = await engine.summarize({ docId, version: 1, chunkSize: C, maxPassages, overview: !!v.overview, fileName: path.resolve(pos[0]) });
    if (v.json) {
      io.out(`${JSON.stringify({ ...r, ms: round(r.ms), chunkSize: C, provider: engine.info.provider.active })}\n`);
      return;
    }
    if (r.overviewRejected && v.overview) io.err(`note: overview left out: ${r.overviewRejected.reason}\n`);
    const lineCount = lineStarts(bytes).length;
    io.out(renderSummaryText(r, { title: path.basename(pos[0]), lineCount, chunkSize: C, model: engine.info.modelName, provider: engine.info.provider.active }));
  });
}

async function cmdEval(pos: string[], v: Values): Promise<void> {
  if (pos.length === 0) throw new UsageError('eval needs at least one FILE');
  const chunkSize = int(v['chunk-size'], 'chunk-size');
  const files = pos.map((f) => ({ f, bytes: readFile(f) }));
  await withEngine(v, async (engine) => {
    let bits = 0, tokens = 0, bytes = 0, C = 0;
    const per: { file: string; bitsPerByte: number; tokens: number; bytes: number }[] = [];
    for (const { f, bytes: b } of files) {
      const r = await engine.evaluate(b, chunkSize ?? engine.info.defaultChunkSize);
      bits += r.bitsPerByte * r.bytes; tokens += r.tokens; bytes += r.bytes; C = r.chunkSize;
      per.push({ file: f, bitsPerByte: r.bitsPerByte, tokens: r.tokens, bytes: r.bytes });
    }
    const out = { bitsPerByte: bytes ? bits / bytes : 0, tokens, bytes, model: engine.info.kind, chunkSize: C, modelName: engine.info.modelName, files: per };
    if (v.json) io.out(`${JSON.stringify(out)}\n`);
    else io.out(`${out.bitsPerByte.toFixed(4)} bits/byte over ${bytes} bytes (${tokens} tokens), ${out.modelName}${C ? ` C=${C}` : ''}\n`);
  });
}

async function cmdBench(pos: string[], v: Values): Promise<void> {
  if (pos.length) throw new UsageError('bench takes no FILE');
  const sizes = v.sizes?.split(',').map((s) => int(s, 'sizes') as number);
  const res = await runBench({
    quick: !!v.quick, outDir: v.out, sizes, provider: (v.provider ?? 'cpu') as ProviderSetting, threads: int(v.threads, 'threads'),
    catDir: v['model-dir'] ? path.resolve(v['model-dir']) : undefined, maxRunSeconds: int(v['max-seconds'], 'max-seconds'),
    denseDir: v['dense-dir'] ? path.resolve(v['dense-dir']) : undefined,
    log: (m: string) => io.err(`${m}\n`),
  });
  if (v.json) io.out(`${JSON.stringify(res)}\n`);
  else io.out(`${res.markdown}\n`);
}

const round = (x: number) => Math.round(x * 10) / 10;

export async function main(argv: string[], out: CliIo = stdio): Promise<number> {
  io = out;
  try {
    const { values, positionals } = parse(argv);
    if (values.help) { io.out(`${USAGE}\n`); return 0; }
    const [cmd, ...rest] = positionals;
    switch (cmd) {
      case 'complete': await cmdComplete(rest, values); break;
      case 'summarize': await cmdSummarize(rest, values); break;
      case 'eval': await cmdEval(rest, values); break;
      case 'bench': await cmdBench(rest, values); break;
      case undefined: throw new UsageError('missing command');
      default: throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
    }
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`cat-lm: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    const msg = (e instanceof Error ? e.message : String(e)).replace(/\s+/g, ' ').trim();
    io.err(`cat-lm: error: ${msg}\n`);
    return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
