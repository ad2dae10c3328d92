// The mixture weights and the confidence gate fitted for one model on the validation split
// (src/eval/fitRecall.ts), stored beside the model in the file its contract names (`recall.file`).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GATE_FEATURES } from './gate';
import { ContractError, type ModelContract } from '../contract';

export const RECALL_FORMAT_VERSION = 1;

export interface GateParams {
  /** Feature names, in the order of `weights` (see gate.ts). */
  features: string[];
  weights: number[];
  bias: number;
  /** Default threshold on the calibrated confidence (chosen for `targetPrecision` on validation). */
  threshold: number;
  targetPrecision: number;
}

export interface RecallParams {
  formatVersion: number;
  /** Lambda for a match of k tokens: bin i covers k in [kBins[i], kBins[i + 1]) (the last bin: k >= its start). */
  kBins: number[];
  /** Lambda per bin when one next token follows every occurrence (sparse) and otherwise. */
  lambdaSparse: number[];
  lambdaDense: number[];
  gate?: GateParams;
  /** What the fit was made from (cases, tokens, date): reported, not used. */
  fitted?: Record<string, unknown>;
}

function fail(file: string, msg: string): never {
  throw new ContractError(`${file}: ${msg}`, file);
}

export function checkParams(p: RecallParams, file = 'recall.json'): RecallParams {
  if (p?.formatVersion !== RECALL_FORMAT_VERSION) fail(file, `formatVersion ${JSON.stringify(p?.formatVersion)} is not ${RECALL_FORMAT_VERSION}`);
  const n = p.kBins?.length;
  if (!n || !p.kBins.every((k, i) => Number.isInteger(k) && k >= 1 && (i === 0 || k > p.kBins[i - 1]))) fail(file, 'kBins must be increasing integers >= 1');
  for (const name of ['lambdaSparse', 'lambdaDense'] as const) {
    const l = p[name];
    if (!Array.isArray(l) || l.length !== n || !l.every((x) => x >= 0 && x < 1)) fail(file, `${name} must hold ${n} values in [0, 1)`);
  }
  const g = p.gate;
  if (g && (g.weights?.length !== g.features?.length || !(g.threshold >= 0 && g.threshold <= 1))) fail(file, 'gate: weights must match features and threshold be in [0, 1]');
  // the engine computes GATE_FEATURES in order; a file fitted on an older list may use a prefix of it
  const bad = g?.features.findIndex((f, i) => f !== GATE_FEATURES[i]) ?? -1;
  if (g && bad >= 0) fail(file, `gate feature ${bad} is ${JSON.stringify(g.features[bad])}, the engine computes ${JSON.stringify(GATE_FEATURES[bad] ?? 'nothing')} there (re-fit: npm run fit-recall)`);
  return p;
}

/** The recall parameters the contract names, or undefined when it names none. */
export function loadParams(c: ModelContract): RecallParams | undefined {
  const file = c.recall?.file;
  if (!file) return undefined;
  let raw: string;
  try { raw = fs.readFileSync(path.join(c.dir, file), 'utf8'); } catch (e) { fail(file, `missing (${(e as Error).message})`); }
  let json: RecallParams;
  try { json = JSON.parse(raw) as RecallParams; } catch (e) { fail(file, `not valid JSON (${(e as Error).message})`); }
  return checkParams(json, file);
}

/** Lambda for a match of k tokens (0 when there is none). */
export function lambdaFor(p: RecallParams, k: number, sparse: boolean): number {
  if (k <= 0) return 0;
  let i = 0;
  while (i + 1 < p.kBins.length && k >= p.kBins[i + 1]) i++;
  if (k < p.kBins[0]) return 0;
  return sparse ? p.lambdaSparse[i] : p.lambdaDense[i];
}
