// Finds the shipped model folders (models/<name>/contract.json) for the CLI and benchmarks.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findModelDirs } from '../engine/contract';

/** The models/ folder: $CAT_LM_MODELS, else the first models/ above this file holding a contract. */
export function modelsRoot(start = __dirname): string | undefined {
  const env = process.env.CAT_LM_MODELS;
  if (env) return path.resolve(env);
  let dir = start;
  for (let i = 0; i < 5; i++) {
    const cand = path.join(dir, 'models');
    if (fs.existsSync(cand) && findModelDirs(cand).length > 0) return cand;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** Folder of the model of this kind; shipped models preferred over test fixtures. */
export function modelDirFor(kind: 'cat' | 'dense', root = modelsRoot()): string {
  if (!root) throw new Error('no models/ folder with a contract.json found (set CAT_LM_MODELS or pass --model-dir)');
  const all = findModelDirs(root).filter((m) => m.kind === kind);
  if (all.length === 0) throw new Error(`no ${kind} model under ${root} (folders with a contract.json of kind "${kind}")`);
  const preferred = all.find((m) => m.name === `${kind}-code-small`) ?? all[0];
  return preferred.dir;
}
