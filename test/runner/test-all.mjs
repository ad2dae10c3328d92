#!/usr/bin/env node
// `npm test`: every test of the project, in order, each part a separate command. Parts
// that need an earlier one (the build, the .vsix) are skipped when it failed. The run
// fails when any part fails or is skipped; the last line reads
//   "N passed, N failed, N skipped in S s"
//
// Usage: node test/runner/test-all.mjs [--only id,id] [--skip id,id] [--list]
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { REPO_ROOT } from './code-server.mjs';

const PARTS = [
  { id: 'typecheck', name: 'type check (tsc --noEmit)', cmd: 'npm run --silent check-types' },
  { id: 'lint', name: 'lint (eslint)', cmd: 'npm run --silent lint' },
  { id: 'engine', name: 'engine unit tests', cmd: 'npm run --silent test:engine' },
  { id: 'unit', name: 'extension unit tests', cmd: 'npm run --silent test:unit' },
  { id: 'python', name: 'Python model tests', cmd: 'npm run --silent test:python' },
  { id: 'build', name: 'build (esbuild)', cmd: 'node esbuild.js' },
  { id: 'integration', name: 'integration suite in code-server', cmd: 'npm run --silent test:integration', needs: ['build'] },
  { id: 'package', name: 'package .vsix (linux-x64)', cmd: 'npm run --silent package', needs: ['build'] },
  { id: 'vsix', name: '.vsix install + activate in code-server', cmd: 'npm run --silent test:vsix', needs: ['package'] },
  { id: 'ui', name: 'UI check (Playwright, screenshots)', cmd: 'npm run --silent test:ui', needs: ['build'] },
];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    skip: { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});
const ids = (s) => new Set((s ?? '').split(',').map((x) => x.trim()).filter(Boolean));
const only = ids(opts.only);
const skip = ids(opts.skip);
for (const id of [...only, ...skip]) {
  if (!PARTS.some((p) => p.id === id)) {
    console.error(`unknown part '${id}'; parts: ${PARTS.map((p) => p.id).join(', ')}`);
    process.exit(2);
  }
}
if (opts.list) {
  for (const p of PARTS) console.log(`${p.id.padEnd(12)} ${p.name}: ${p.cmd}`);
  process.exit(0);
}

function runPart(part) {
  return new Promise((resolve) => {
    const child = spawn(part.cmd, { cwd: REPO_ROOT, shell: true, stdio: 'inherit' });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
    child.on('error', (err) => {
      console.error(`cannot start '${part.cmd}': ${err.message}`);
      resolve(1);
    });
  });
}

const fmt = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function main() {
  const started = Date.now();
  const results = [];
  const status = new Map();
  const selected = PARTS.filter((p) => (only.size === 0 || only.has(p.id)) && !skip.has(p.id));
  for (const [i, part] of selected.entries()) {
    const blocked = (part.needs ?? []).filter((id) => status.has(id) && status.get(id) !== 'passed');
    if (blocked.length) {
      status.set(part.id, 'skipped');
      results.push({ part, outcome: 'skipped', ms: 0, why: `${blocked.join(', ')} did not pass` });
      console.log(`\n━━ [${i + 1}/${selected.length}] ${part.name}: SKIPPED (${blocked.join(', ')} did not pass)`);
      continue;
    }
    console.log(`\n━━ [${i + 1}/${selected.length}] ${part.name}: ${part.cmd}`);
    const t0 = Date.now();
    const code = await runPart(part);
    const outcome = code === 0 ? 'passed' : 'failed';
    status.set(part.id, outcome);
    results.push({ part, outcome, ms: Date.now() - t0, why: code === 0 ? '' : `exit ${code}` });
    console.log(`━━ ${part.name}: ${outcome.toUpperCase()} in ${fmt(Date.now() - t0)}${code === 0 ? '' : ` (exit ${code})`}`);
  }

  console.log('\nTest summary');
  for (const r of results) {
    console.log(`  ${r.outcome.padEnd(7)} ${fmt(r.ms).padStart(8)}  ${r.part.name}${r.why ? `  (${r.why})` : ''}`);
  }
  const count = (o) => results.filter((r) => r.outcome === o).length;
  console.log(`${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped in ${fmt(Date.now() - started)}`);
  return count('failed') + count('skipped') === 0 ? 0 : 1;
}

main().then((code) => process.exit(code), (err) => {
  console.error(err);
  process.exit(1);
});
