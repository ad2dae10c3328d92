// Deterministic samples of the held-out corpus split (packages never seen in training).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { seededRng } from '../engine/sampling';

/** The engine's seeded PRNG (mulberry32): the same cases on every run. */
export const rng = seededRng;

export function listFiles(root: string, exts = ['.js', '.ts', '.mjs', '.cjs', '.py', '.md']): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (exts.some((x) => e.name.endsWith(x))) out.push(p);
    }
  };
  if (!fs.existsSync(root)) throw new Error(`held-out split not found at ${root} (build it: python3 -m models.pipeline.corpus)`);
  walk(root);
  return out;
}

/** Pick n files (seeded) whose size is within [minBytes, maxBytes]. */
export function sampleFiles(files: string[], n: number, seed: number, minBytes = 2000, maxBytes = 200_000): string[] {
  const r = rng(seed);
  const pool = files.filter((f) => {
    const s = fs.statSync(f).size;
    return s >= minBytes && s <= maxBytes;
  });
  for (let i = pool.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, n);
}
