// Reads and verifies models/<name>/contract.json (see models/CONTRACT.md).
// Everything the runtime needs about a model comes from here; nothing is hard-coded.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const CONTRACT_FORMAT = 'cat-onnx-contract';
export const SUPPORTED_FORMAT_VERSIONS = [2, 3];

export interface ContractDims {
  vocabSize: number;
  dModel: number;
  nLayers: number;
  nHeads: number;
  headDim: number;
}

export interface SpecialTokens {
  endoftext: number;
  file: number;
  fim_prefix: number;
  fim_suffix: number;
  fim_middle: number;
  /** Segment separator (cat only). */
  chunk?: number;
  /** Per-chunk-size start entry (cat only), keyed by chunk size. */
  start: Record<string, number>;
}

export interface GraphSpec {
  file: string;
  inputs: string[];
  outputs: string[];
}

/** Decoder past inputs: one name per block, layer and head ([layer][head]), each [B, P, headDim]. */
export interface PastSpec {
  keys_a: string[][];
  values_a: string[][];
  keys_b: string[][];
  values_b: string[][];
}

export interface DecoderSpec extends GraphSpec {
  past: PastSpec;
}

/**
 * Held-out quality measured by the exporter (--quality-from): bits per UTF-8 byte of the PyTorch
 * model on a fixed sample of a split no training saw. Lower is better.
 */
export interface ModelQuality {
  /** The split the sample came from ("heldout"). */
  split: string;
  windows: number;
  windowTokens?: number;
  seed?: number;
  /** Tokens and UTF-8 bytes scored (all windows). */
  tokens: number;
  bytes: number;
  /** Keyed by chunk size (cat; a subset of chunkSizes) or "dense". */
  bitsPerByte: Record<string, number>;
}

export interface ModelContract {
  format: string;
  formatVersion: number;
  name: string;
  kind: 'cat' | 'dense';
  modelId: string;
  contextLength: number;
  chunkSizes: number[];
  defaultChunkSize: number;
  /** How a cat decoder reads its context (format 3; absent: "segments", CONTRACT.md): "window" reads the
   * token stream through a sliding window of `window` raw tokens plus the entries of complete chunks,
   * and its decoder graph takes an attention bias. */
  layout?: 'segments' | 'window';
  window?: number;
  dims: ContractDims;
  tokenizer: { file: string; special: SpecialTokens };
  graphs: { decoder: DecoderSpec; compressor?: GraphSpec };
  files: Record<string, { sha256: string; bytes: number }>;
  /** Fill-in-the-middle settings the model was trained with, and what the suffix was measured to be worth. */
  fim?: { maxSuffixTokens?: number; measured?: FimMeasured };
  /** Mixture weights and confidence gate for the exact index (src/engine/recall/params.ts). */
  recall?: { file: string };
  training?: Record<string, unknown>;
  /** Absent: quality per chunk size unknown. */
  quality?: ModelQuality;
  /** Absolute folder the contract was read from (added by the loader). */
  dir: string;
}

/** A model folder that cannot be used; the message names the file and the problem. */
export class ContractError extends Error {
  constructor(message: string, readonly file?: string) {
    super(message);
    this.name = 'ContractError';
  }
}

export const DECODER_INPUTS = ['input_ids', 'inputs_embeds', 'position_ids', 'num_logits'];
const PAST_BLOCKS = ['keys_a', 'values_a', 'keys_b', 'values_b'] as const;
export const DECODER_OUTPUTS = ['logits', 'new_keys', 'new_values'];
/** The window layout's extra decoder input: [T, Pa + Pb + T] added to the attention scores. */
export const ATTN_BIAS = 'attn_bias';
export const COMPRESSOR_INPUTS = ['token_ids'];
export const COMPRESSOR_OUTPUTS = ['vectors'];

function fail(msg: string, file = 'contract.json'): never {
  throw new ContractError(`${file}: ${msg}`, file);
}

function isPosInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0;
}

function isId(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function checkShape(c: ModelContract): void {
  if (c.format !== CONTRACT_FORMAT) fail(`format is ${JSON.stringify(c.format)}, expected "${CONTRACT_FORMAT}"`);
  if (!SUPPORTED_FORMAT_VERSIONS.includes(c.formatVersion)) {
    fail(`formatVersion ${JSON.stringify(c.formatVersion)} is not supported by this engine (supports ${SUPPORTED_FORMAT_VERSIONS.join(', ')}); the model was exported for another version`);
  }
  if (c.kind !== 'cat' && c.kind !== 'dense') fail(`kind ${JSON.stringify(c.kind)} must be "cat" or "dense"`);
  if (typeof c.name !== 'string' || !c.name) fail('name is missing');
  if (typeof c.modelId !== 'string' || !/^[0-9a-zA-Z_-]+$/.test(c.modelId)) fail('modelId is missing or not an id');
  if (!isPosInt(c.contextLength)) fail('contextLength must be a positive integer');
  const d = c.dims;
  if (!d || typeof d !== 'object') fail('dims is missing');
  for (const k of ['vocabSize', 'dModel', 'nLayers', 'nHeads', 'headDim'] as const) {
    if (!isPosInt(d[k])) fail(`dims.${k} must be a positive integer`);
  }
  if (!Array.isArray(c.chunkSizes) || !c.chunkSizes.every(isPosInt)) fail('chunkSizes must be a list of positive integers');
  const sp = c.tokenizer?.special;
  if (!c.tokenizer || typeof c.tokenizer.file !== 'string') fail('tokenizer.file is missing');
  if (!sp) fail('tokenizer.special is missing');
  for (const k of ['endoftext', 'file', 'fim_prefix', 'fim_suffix', 'fim_middle'] as const) {
    if (!isId(sp[k]) || sp[k] >= d.vocabSize) fail(`tokenizer.special.${k} must be a token id below vocabSize`);
  }
  if (!c.graphs?.decoder) fail('graphs.decoder is missing');
  checkGraph('decoder', c.graphs.decoder, DECODER_INPUTS, DECODER_OUTPUTS);
  checkPast(c.graphs.decoder, d);
  checkLayout(c);
  if (c.kind === 'cat') {
    if (c.chunkSizes.length === 0) fail('a cat model needs chunkSizes');
    if (!c.chunkSizes.includes(c.defaultChunkSize)) fail(`defaultChunkSize ${c.defaultChunkSize} is not in chunkSizes`);
    if (!isId(sp.chunk) || sp.chunk >= d.vocabSize) fail('tokenizer.special.chunk must be a token id (cat)');
    if (!sp.start || typeof sp.start !== 'object') fail('tokenizer.special.start is missing (cat)');
    for (const cs of c.chunkSizes) {
      const id = sp.start[String(cs)];
      if (!isId(id) || id >= d.vocabSize) fail(`tokenizer.special.start["${cs}"] is missing (cat)`);
    }
    if (!c.graphs.compressor) fail('graphs.compressor is missing (cat)');
    checkGraph('compressor', c.graphs.compressor, COMPRESSOR_INPUTS, COMPRESSOR_OUTPUTS);
  } else {
    c.chunkSizes = [];
    c.defaultChunkSize = 0;
    if (!sp.start) sp.start = {};
  }
  if (!c.files || typeof c.files !== 'object') fail('files is missing');
  const needed = [c.tokenizer.file, c.graphs.decoder.file];
  if (c.graphs.compressor && c.kind === 'cat') needed.push(c.graphs.compressor.file);
  if (c.recall !== undefined) {
    if (typeof c.recall?.file !== 'string' || !c.recall.file) fail('recall.file must name a file');
    needed.push(c.recall.file);
  }
  for (const f of needed) {
    if (!c.files[f]) fail(`file ${f} is used by the contract but not listed in "files"`);
  }
  if (c.quality !== undefined) checkQuality(c);
  checkFim(c);
}

/**
 * Written by models/pipeline/fim_eval.py --contract: the bits per byte of middles scored with the
 * suffix (the contract's layout) and without it, on a split the evaluation does not report.
 */
export interface FimMeasured {
  split: string;
  cases: number;
  plainBitsPerByte: number;
  fimBitsPerByte: number;
  /** plain - fim: > 0 when the suffix helps. */
  suffixGain: number;
}

/** Whether completions should read the text after the cursor: only when measured to help. */
export function suffixHelps(c: ModelContract): boolean {
  return (c.fim?.measured?.suffixGain ?? 0) > 0;
}

function checkFim(c: ModelContract): void {
  const m = c.fim?.measured;
  if (m === undefined) return;
  if (!m || typeof m !== 'object') fail('fim.measured must be an object');
  for (const k of ['plainBitsPerByte', 'fimBitsPerByte', 'suffixGain'] as const) {
    if (typeof m[k] !== 'number' || !Number.isFinite(m[k])) fail(`fim.measured.${k} must be a number`);
  }
}

function checkQuality(c: ModelContract): void {
  const q = c.quality;
  if (!q || typeof q !== 'object' || Array.isArray(q)) fail('quality must be an object');
  if (typeof q.split !== 'string' || !q.split) fail('quality.split must name the split measured');
  for (const k of ['windows', 'tokens', 'bytes'] as const) {
    if (!isPosInt(q[k])) fail(`quality.${k} must be a positive integer`);
  }
  const bpb = q.bitsPerByte;
  if (!bpb || typeof bpb !== 'object' || Array.isArray(bpb) || Object.keys(bpb).length === 0) {
    fail('quality.bitsPerByte must map chunk sizes (or "dense") to numbers');
  }
  const keys = c.kind === 'cat' ? c.chunkSizes.map(String) : ['dense'];
  for (const [k, v] of Object.entries(bpb)) {
    if (!keys.includes(k)) fail(`quality.bitsPerByte["${k}"] is not ${c.kind === 'cat' ? 'a trained chunk size' : '"dense"'} (expected ${keys.join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(`quality.bitsPerByte["${k}"] must be a positive number`);
  }
}

function checkLayout(c: ModelContract): void {
  const layout = c.layout ?? 'segments';
  if (layout !== 'segments' && layout !== 'window') fail(`layout ${JSON.stringify(c.layout)} must be "segments" or "window"`);
  const biased = c.graphs.decoder.inputs.includes(ATTN_BIAS);
  if (layout === 'segments') {
    if (biased) fail(`graphs.decoder.inputs has "${ATTN_BIAS}", which only the "window" layout takes`);
    return;
  }
  if (c.formatVersion < 3) fail('layout "window" needs formatVersion 3');
  if (c.kind !== 'cat') fail('layout "window" is for cat models');
  if (!isPosInt(c.window)) fail('window must be a positive integer (layout "window")');
  if (!biased) fail(`graphs.decoder.inputs lacks "${ATTN_BIAS}" (layout "window")`);
}

function checkGraph(name: string, g: GraphSpec, inputs: string[], outputs: string[]): void {
  if (typeof g.file !== 'string' || !g.file) fail(`graphs.${name}.file is missing`);
  for (const i of inputs) if (!g.inputs?.includes(i)) fail(`graphs.${name}.inputs lacks "${i}"`);
  for (const o of outputs) if (!g.outputs?.includes(o)) fail(`graphs.${name}.outputs lacks "${o}"`);
}

function checkPast(g: DecoderSpec, d: ContractDims): void {
  const p = g.past;
  if (!p || typeof p !== 'object') fail('graphs.decoder.past is missing');
  for (const k of PAST_BLOCKS) {
    const layers = p[k];
    const ok = Array.isArray(layers) && layers.length === d.nLayers
      && layers.every((l) => Array.isArray(l) && l.length === d.nHeads && l.every((n) => typeof n === 'string' && g.inputs.includes(n)));
    if (!ok) fail(`graphs.decoder.past.${k} must name one decoder input per layer and head (${d.nLayers} x ${d.nHeads})`);
  }
}

/** sha256 of a file, streamed in 1 MiB blocks (no whole-file buffer). */
export function sha256File(file: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n <= 0) break;
      h.update(buf.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

function checkFiles(c: ModelContract): void {
  for (const [name, spec] of Object.entries(c.files)) {
    if (name.includes('..') || path.isAbsolute(name)) fail(`file name ${JSON.stringify(name)} leaves the model folder`);
    const full = path.join(c.dir, name);
    let st: fs.Stats;
    try {
      st = fs.statSync(full);
    } catch {
      fail(`missing (expected in ${c.dir})`, name);
    }
    if (!st.isFile()) fail('is not a file', name);
    if (typeof spec.bytes === 'number' && st.size !== spec.bytes) {
      const what = st.size < spec.bytes ? 'truncated' : 'wrong size';
      fail(`${what} (expected ${spec.bytes} bytes, got ${st.size})`, name);
    }
    if (typeof spec.sha256 !== 'string') fail(`no sha256 in contract for ${name}`);
    const got = sha256File(full);
    if (got !== spec.sha256.toLowerCase()) fail(`sha256 mismatch (expected ${spec.sha256}, got ${got})`, name);
  }
}

/**
 * Reads `<dir>/contract.json`, checks its format and version, and checks that every
 * listed file is present with the listed size and sha256. Throws ContractError.
 */
export function loadContract(dir: string, opts: { verifyFiles?: boolean } = {}): ModelContract {
  const abs = path.resolve(dir);
  const file = path.join(abs, 'contract.json');
  let raw: string;
  try {
    raw = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ContractError(`contract.json: missing in ${abs}${code && code !== 'ENOENT' ? ` (${code})` : ''}`, 'contract.json');
  }
  let parsed: ModelContract;
  try {
    parsed = JSON.parse(raw) as ModelContract;
  } catch (e) {
    throw new ContractError(`contract.json: not valid JSON (${(e as Error).message})`, 'contract.json');
  }
  if (!parsed || typeof parsed !== 'object') fail('not a JSON object');
  parsed.dir = abs;
  checkShape(parsed);
  if (opts.verifyFiles !== false) checkFiles(parsed);
  return parsed;
}

/** Throws a clear error when the model was not trained for this chunk size. */
export function checkChunkSize(c: ModelContract, chunkSize: number): number {
  if (c.kind === 'dense') return 0;
  if (!c.chunkSizes.includes(chunkSize)) {
    throw new ContractError(
      `chunk size ${chunkSize} is not one the model ${c.name} was trained for (supported: ${c.chunkSizes.join(', ')})`,
    );
  }
  return chunkSize;
}

/** Model folders under `root` (those holding a contract.json), with their kind; unreadable ones skipped. */
export function findModelDirs(root: string): { dir: string; name: string; kind: string }[] {
  const out: { dir: string; name: string; kind: string }[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync(root);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const f = path.join(root, n, 'contract.json');
    try {
      const c = JSON.parse(fs.readFileSync(f, 'utf8')) as { kind?: string; format?: string };
      if (c.format === CONTRACT_FORMAT && typeof c.kind === 'string') out.push({ dir: path.join(root, n), name: n, kind: c.kind });
    } catch {
      // not a model folder
    }
  }
  return out;
}
