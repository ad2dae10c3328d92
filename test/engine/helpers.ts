// Shared test helpers: fixture paths, tensors from parity.json, a recording logger.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after } from 'node:test';
import { Engine } from '../../src/engine/index';
import { GATE_FEATURES } from '../../src/engine/recall/gate';
import type { RecallParams } from '../../src/engine/recall/params';
import type { EngineOptions, Logger } from '../../src/engine/types';

export const FIXTURES = path.resolve(__dirname, '..', 'fixtures');
export const TINY_CAT = path.join(FIXTURES, 'tiny-cat');
export const TINY_CAT_WINDOW = path.join(FIXTURES, 'tiny-cat-window');
export const TINY_DENSE = path.join(FIXTURES, 'tiny-dense');

export interface B64Tensor { dtype: 'int64' | 'float32'; dims: number[]; b64: string }

export function decodeTensor(t: B64Tensor): { dims: number[]; data: Float32Array | BigInt64Array } {
  const buf = Buffer.from(t.b64, 'base64');
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
  return { dims: t.dims, data: t.dtype === 'int64' ? new BigInt64Array(ab) : new Float32Array(ab) };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const rec = (lvl: string) => (m: string) => { lines.push(`${lvl}: ${m}`); };
  return { lines, trace: rec('trace'), debug: rec('debug'), info: rec('info'), warn: rec('warn'), error: rec('error') };
}

/** A copy of a fixture model folder in a temp dir (for corruption tests). */
export function copyFixture(src: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catlm-model-'));
  for (const f of fs.readdirSync(src)) fs.copyFileSync(path.join(src, f), path.join(dir, f));
  return dir;
}

export function tmpDir(prefix = 'catlm-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** A few hundred lines of real-looking source text (deterministic). */
export function sampleSource(lines = 120): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    switch (i % 6) {
      case 0: out.push(`export function step${i}(input: number[], scale = ${i % 7}): number {`); break;
      case 1: out.push(`  const total = input.reduce((acc, x) => acc + x * scale, ${i});`); break;
      case 2: out.push(`  if (total > ${i * 3}) { return total / ${1 + (i % 5)}; }`); break;
      case 3: out.push(`  // keep the remainder: ${i % 11} ${'é'.repeat(i % 3)}`); break;
      case 4: out.push('  return total;'); break;
      default: out.push('}'); break;
    }
  }
  return `${out.join('\n')}\n`;
}

/** A loader of tiny-cat engines for one test file; every engine it made is disposed after the file. */
export function tinyEngineLoader(): { load: (extra?: Partial<EngineOptions>) => Promise<Engine>; engines: Engine[] } {
  const engines: Engine[] = [];
  after(async () => { for (const e of engines) await e.dispose(); });
  const load = async (extra: Partial<EngineOptions> = {}) => {
    const e = await Engine.load({ modelDir: TINY_CAT, provider: 'cpu', threads: 1, ...extra });
    engines.push(e);
    return e;
  };
  return { load, engines };
}

/** [file] + ids: a document sequence from its start. */
export function withFile(fileId: number, ids: ArrayLike<number>): Int32Array {
  const s = new Int32Array(ids.length + 1);
  s[0] = fileId;
  s.set(ids, 1);
  return s;
}

/**
 * Hand-set recall parameters for tests (kBins 1 / 4 / 8): `long` is lambda at matches of 4 tokens
 * and more (sparse), `gate` the gate's weight per feature (0 for the others) with its bias and threshold.
 */
export function recallParams(o: { long: [number, number]; dense?: [number, number]; gate?: Partial<Record<(typeof GATE_FEATURES)[number], number>>; bias?: number; threshold?: number } ): RecallParams {
  const dense = o.dense ?? [0.5, 0.8];
  return {
    formatVersion: 1, kBins: [1, 4, 8], lambdaSparse: [0.2, ...o.long], lambdaDense: [0.1, ...dense],
    gate: { features: [...GATE_FEATURES], weights: GATE_FEATURES.map((f) => o.gate?.[f] ?? 0), bias: o.bias ?? 0, threshold: o.threshold ?? 0, targetPrecision: 0.6 },
  };
}
