#!/usr/bin/env node
// Builds a platform-specific .vsix with @vscode/vsce.
//   node test/runner/package-vsix.mjs [--target linux-x64|linux-arm64|darwin-arm64|darwin-x64|win32-x64|win32-arm64]
// onnxruntime-node's npm package carries the native binaries of every platform; a .vsix
// ships only the target's. The repository's .vscodeignore leaves out all of
// node_modules/onnxruntime-node/bin; this script adds back bin/napi-v6/<os>/<arch> for the
// target in a generated ignore file passed to `vsce package --ignoreFile`. The contents
// are then checked (vsix-contents.mjs): bundle present, no other platform's binaries, no
// training code / dense baseline / tests / sources, model folders <= 40 MB.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { REPO_ROOT, log } from './code-server.mjs';
import { ORT_BIN_FOLDERS, checkVsixContents, listZip, mb, modelFolderSizes } from './vsix-contents.mjs';

const { values: opts } = parseArgs({
  options: {
    target: { type: 'string', default: 'linux-x64' },
    out: { type: 'string' },
  },
});

function run(cmd, args) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const res = spawnSync(cmd, args, { cwd: REPO_ROOT, stdio: 'inherit' });
  if (res.status !== 0) throw new Error(`${cmd} ${args[0] ?? ''} failed (exit ${res.status ?? res.signal})`);
}

function main() {
  const binFolder = ORT_BIN_FOLDERS[opts.target];
  if (!binFolder) throw new Error(`unknown --target ${opts.target} (one of ${Object.keys(ORT_BIN_FOLDERS).join(', ')})`);
  const binDir = path.join(REPO_ROOT, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6', binFolder);
  if (!fs.existsSync(path.join(binDir, 'onnxruntime_binding.node'))) {
    throw new Error(`onnxruntime-node has no binary for ${opts.target} (${binDir} missing)`);
  }
  const baseIgnoreFile = path.join(REPO_ROOT, '.vscodeignore');
  if (!fs.existsSync(baseIgnoreFile)) throw new Error('.vscodeignore is missing');
  const base = fs.readFileSync(baseIgnoreFile, 'utf8');
  if (/^\s*!.*onnxruntime-node(\/\*\*|\/bin)/m.test(base)) {
    throw new Error('.vscodeignore must not re-include onnxruntime-node/bin (negations win in vsce); this script adds the target binary folder');
  }

  const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
  const out = path.resolve(opts.out ?? path.join(REPO_ROOT, `${pkg.name}-${opts.target}-${pkg.version}.vsix`));
  const ignoreFile = path.join(REPO_ROOT, '.vscode-test', `vscodeignore.${opts.target}`);
  fs.mkdirSync(path.dirname(ignoreFile), { recursive: true });
  fs.writeFileSync(ignoreFile, `${base}\n# added by test/runner/package-vsix.mjs for --target ${opts.target}\n` +
    `node_modules/onnxruntime-node/bin/**\n!node_modules/onnxruntime-node/bin/napi-v6/${binFolder}/**\n`);

  // vsce runs the "vscode:prepublish" script (the production bundle) before packaging.
  if (!pkg.scripts?.['vscode:prepublish']) run(process.execPath, ['esbuild.js', '--production']);
  const vsceArgs = ['package', '--target', opts.target, '--out', out, '--ignoreFile', ignoreFile];
  // Without a repository URL vsce cannot turn README's relative links into absolute
  // ones; they stay relative and resolve inside the installed extension.
  if (!pkg.repository) vsceArgs.push('--allow-missing-repository', '--no-rewrite-relative-links');
  if (!['LICENSE', 'LICENSE.md', 'LICENSE.txt'].some((f) => fs.existsSync(path.join(REPO_ROOT, f)))) vsceArgs.push('--skip-license');
  run(process.execPath, [path.join(REPO_ROOT, 'node_modules', '@vscode', 'vsce', 'vsce'), ...vsceArgs]);

  const entries = listZip(out);
  const total = fs.statSync(out).size;
  log(`${path.relative(REPO_ROOT, out)}: ${mb(total)} on disk, ${entries.length} files, ${mb(entries.reduce((s, e) => s + e.size, 0))} unpacked`);
  for (const [folder, bytes] of Object.entries(modelFolderSizes(entries))) log(`  ${folder}: ${mb(bytes)}`);
  const ortBytes = entries.filter((e) => e.name.startsWith('extension/node_modules/onnxruntime-node/')).reduce((s, e) => s + e.size, 0);
  log(`  onnxruntime-node (${opts.target}): ${mb(ortBytes)}`);
  const problems = checkVsixContents(entries, opts.target);
  if (problems.length) {
    for (const p of problems) log(`  PROBLEM: ${p}`);
    throw new Error(`${problems.length} problem(s) with ${path.basename(out)}`);
  }
  log(`package ok: ${out}`);
}

try {
  main();
} catch (err) {
  log(`package-vsix: ${err.message}`);
  process.exit(1);
}
