// Fits a model's index mixture (lambda per match length and sparsity) and its confidence gate on
// the VALIDATION split, writes <model>/recall.json and names it in contract.json (with its sha256).
//
//   npm run fit-recall -- [--model models/cat-code-small] [--val corpus/val] [--lambda-cases 160] [--gate-cases 1200]
//
// Lambda: teacher forcing over whole lines (the model's probability of each true token from
// Engine.evaluate, the index's estimate from the lines before it and, in half the cases, three
// other files of the package); for each bin the lambda in [0, 0.98] that maximizes the mixture's
// log-likelihood. Gate: mixture completions of validation cases (a third each with no other file,
// three files open, and three open with the rest of the package indexed: workspaceSetting.ts);
// a logistic regression from the gate features to "exactly right", and the lowest threshold whose
// validation precision reaches --target-precision.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../engine/index';
import { GATE_FEATURES, sigmoid } from '../engine/recall/gate';
import { RECALL_FORMAT_VERSION, checkParams, type RecallParams } from '../engine/recall/params';
import { TokenIndex } from '../engine/recall/tokenIndex';
import { workspaceTokens } from '../engine/recall/workspaceFiles';
import { completionCases, type CompletionCase } from './completionCases';
import { listFiles } from './heldout';
import { runCase } from './runCase';
import { PackageWorkspace, workspaceOrder } from './workspaceSetting';

const K_BINS = [1, 2, 3, 4, 6, 8, 12, 16, 24, 32];
const EVAL_CONTEXT_BYTES = 3000;
const GRID = Array.from({ length: 50 }, (_, i) => i * 0.02);

function binOf(k: number): number {
  let i = 0;
  while (i + 1 < K_BINS.length && k >= K_BINS[i + 1]) i++;
  return i;
}

/** Per (bin, sparse): the (p_model, p_index) pairs of true tokens. */
async function lambdaData(eng: Engine, cases: CompletionCase[]) {
  const tok = eng.tokenizer;
  const data: [number, number][][][] = K_BINS.map(() => [[], []]);
  let tokens = 0;
  for (const [i, c] of cases.entries()) {
    const cut = c.before.lastIndexOf('\n') + 1;
    const head = c.before.slice(0, cut);
    const line = c.before.slice(cut) + c.expected + '\n';
    const lineIds = tok.encodeText(line);
    // the model reads at most the last EVAL_CONTEXT_BYTES before the line (teacher forcing over a whole
    // long file costs seconds a case); the index holds the whole head
    const from = head.length > EVAL_CONTEXT_BYTES ? head.indexOf('\n', head.length - EVAL_CONTEXT_BYTES) + 1 : 0;
    const r = await eng.evaluate(Buffer.from(head.slice(from) + line, 'utf8'), eng.info.defaultChunkSize || undefined, undefined, lineIds.length);
    const lp = r.tailLog2Probs ?? [];
    const idx = new TokenIndex();
    const doc = workspaceTokens(Buffer.from(head, 'utf8'), tok).tokens;
    if (!doc) continue;
    idx.update('doc', doc);
    if (i % 2 === 1) c.others.forEach((o, j) => { const d = workspaceTokens(Buffer.from(o.text, 'utf8'), tok).tokens; if (d) idx.update(`o${j}`, d); });
    const lookup = idx.lookup();
    const ctx = [...doc.ids];
    for (let j = 0; j < lineIds.length && j < lp.length; j++) {
      const e = lookup.estimate(ctx);
      if (e.k > 0) {
        const pIdx = (e.counts.get(lineIds[j]) ?? 0) / e.total;
        data[binOf(e.k)][e.sparse ? 0 : 1].push([2 ** lp[j], pIdx]);
      }
      ctx.push(lineIds[j]);
      tokens++;
    }
  }
  return { data, tokens };
}

function bestLambda(pairs: [number, number][]): number {
  if (pairs.length < 10) return 0;
  let best = 0, bestLL = -Infinity;
  for (const l of GRID) {
    let ll = 0;
    for (const [pm, pi] of pairs) ll += Math.log(l * pi + (1 - l) * pm + 1e-12);
    if (ll > bestLL) { bestLL = ll; best = l; }
  }
  return best;
}

/** Logistic regression by gradient descent (L2 0.01) on standardized features; weights returned unstandardized. */
function logistic(x: number[][], y: number[]): { weights: number[]; bias: number } {
  const d = x[0].length, n = x.length;
  const mu = Array.from({ length: d }, (_, j) => x.reduce((a, r) => a + r[j], 0) / n);
  const sd = Array.from({ length: d }, (_, j) => Math.sqrt(x.reduce((a, r) => a + (r[j] - mu[j]) ** 2, 0) / n) || 1);
  const z = x.map((r) => r.map((v, j) => (v - mu[j]) / sd[j]));
  const w = new Array(d).fill(0);
  let b = 0;
  for (let it = 0; it < 3000; it++) {
    const gw = new Array(d).fill(0);
    let gb = 0;
    for (let i = 0; i < n; i++) {
      let s = b;
      for (let j = 0; j < d; j++) s += w[j] * z[i][j];
      const e = sigmoid(s) - y[i];
      for (let j = 0; j < d; j++) gw[j] += e * z[i][j];
      gb += e;
    }
    for (let j = 0; j < d; j++) w[j] -= 0.5 * (gw[j] / n + 0.01 * w[j]);
    b -= 0.5 * gb / n;
  }
  const weights = w.map((v, j) => v / sd[j]);
  return { weights, bias: b - weights.reduce((a, v, j) => a + v * mu[j], 0) };
}

function threshold(conf: number[], right: number[], target: number, minShown: number): number {
  const order = conf.map((c, i) => i).sort((a, b) => conf[b] - conf[a]);
  let ok = 0, best = 1;
  for (let r = 0; r < order.length; r++) {
    ok += right[order[r]];
    if (r + 1 >= minShown && ok / (r + 1) >= target) best = conf[order[r]];
  }
  return best;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: {
    model: { type: 'string' }, val: { type: 'string' }, 'lambda-cases': { type: 'string' }, 'gate-cases': { type: 'string' },
    'target-precision': { type: 'string' },
  } });
  const root = path.resolve(__dirname, '..', '..');
  const modelDir = path.resolve(values.model ?? path.join(root, 'models', 'cat-code-small'));
  const valRoot = path.resolve(values.val ?? path.join(root, 'corpus', 'val'));
  const target = Number(values['target-precision'] ?? 0.7);
  const t0 = Date.now();
  const log = (m: string) => console.error(`[${((Date.now() - t0) / 1000).toFixed(0)}s] ${m}`);
  const eng = await Engine.load({ modelDir, provider: 'cpu', logger: { trace() {}, debug() {}, info() {}, warn: log, error: log } });
  const files = listFiles(valRoot);
  const lc = await lambdaData(eng, completionCases(valRoot, files, Number(values['lambda-cases'] ?? 160), 101));
  const lambdaSparse = K_BINS.map((_, b) => bestLambda(lc.data[b][0]));
  const lambdaDense = K_BINS.map((_, b) => bestLambda(lc.data[b][1]));
  log(`lambda from ${lc.tokens} tokens: sparse ${lambdaSparse.join(' ')} | dense ${lambdaDense.join(' ')}`);
  const params: RecallParams = { formatVersion: RECALL_FORMAT_VERSION, kBins: K_BINS, lambdaSparse, lambdaDense,
    gate: { features: [...GATE_FEATURES], weights: GATE_FEATURES.map(() => 0), bias: 0, threshold: 0, targetPrecision: target } };
  eng.recall.params = params;
  const gc = completionCases(valRoot, files, Number(values['gate-cases'] ?? 1200), 103);
  const x: number[][] = [], y: number[] = [];
  // a third each: no other file, three open, three open and the rest of the package indexed (the extension's setting)
  const ws = new PackageWorkspace(valRoot, files);
  const order = [...gc.keys()].filter((i) => i % 3 !== 2).concat(workspaceOrder(gc).filter((i) => i % 3 === 2));
  for (const i of order) {
    const c = gc[i];
    if (i % 3 === 2) ws.enter(eng, c);
    const r = await runCase(eng, c, { others: i % 3 !== 0, useIndex: true, minConfidence: 0 });
    if (!r.gate?.features || !r.text.trim()) continue;
    x.push(r.gate.features);
    y.push(r.text === c.expected ? 1 : 0);
  }
  ws.leave(eng);
  if (process.env.GATE_DATA) fs.writeFileSync(process.env.GATE_DATA, JSON.stringify({ features: GATE_FEATURES, x, y }));
  const fit = logistic(x, y);
  const conf = x.map((f) => sigmoid(fit.bias + f.reduce((a, v, j) => a + v * fit.weights[j], 0)));
  const thr = threshold(conf, y, target, 20);
  const shown = conf.filter((c) => c >= thr).length;
  const right = conf.filter((c, i) => c >= thr && y[i]).length;
  log(`gate on ${x.length} non-empty suggestions (${y.filter(Boolean).length} right): threshold ${thr.toFixed(3)}, shown ${shown}, precision ${(right / Math.max(1, shown)).toFixed(3)}`);
  params.gate = { features: [...GATE_FEATURES], weights: fit.weights.map((w) => Number(w.toFixed(5))), bias: Number(fit.bias.toFixed(5)), threshold: Number(thr.toFixed(4)), targetPrecision: target };
  params.fitted = { split: 'validation', lambdaCases: lc.tokens ? Number(values['lambda-cases'] ?? 160) : 0, lambdaTokens: lc.tokens,
    gateCases: gc.length, gateSettings: 'a third each: 0 open, 3 open, 3 open + workspace', gateSuggestions: x.length, gateRight: y.filter(Boolean).length, gateShown: shown, gatePrecision: right / Math.max(1, shown),
    model: eng.info.modelName, modelId: eng.info.modelId, date: new Date().toISOString().slice(0, 10), seconds: Math.round((Date.now() - t0) / 1000) };
  checkParams(params);
  await eng.dispose();
  const file = path.join(modelDir, 'recall.json');
  fs.writeFileSync(file, JSON.stringify(params, null, 1) + '\n');
  const cPath = path.join(modelDir, 'contract.json');
  const contract = JSON.parse(fs.readFileSync(cPath, 'utf8'));
  const bytes = fs.readFileSync(file);
  contract.recall = { file: 'recall.json' };
  contract.files['recall.json'] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
  fs.writeFileSync(cPath, JSON.stringify(contract, null, 1) + '\n');
  log(`wrote ${file} and named it in ${cPath}`);
}

main().catch((e) => { console.error(`fit-recall: ${(e as Error).message}`); process.exit(1); });
