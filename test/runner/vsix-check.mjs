#!/usr/bin/env node
// Installs the packaged .vsix into a fresh code-server extensions dir
// (`entry.js --install-extension X.vsix --extensions-dir E`) and proves that the
// installed copy (not the development folder) activates in the real extension host:
// activation, every contributed command registered, and the packaged onnxruntime-node
// binary loading the shipped model's graphs on CPU inside the host, and the engine
// reporting the model loaded in the extension's log.
//
// Usage: node test/runner/vsix-check.mjs [--vsix FILE] [--target linux-x64] [--timeout SECONDS]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  REPO_ROOT, codeServerCli, deadline, launchBrowser, log, makeSandbox, makeWorkspace, remoteUri,
  removeSandbox, sleep, startCodeServer,
} from './code-server.mjs';
import { checkVsixContents, listZip, mb } from './vsix-contents.mjs';
import { findExtensionLogs, runWorkbenchTests, saveLogs } from './workbench-tests.mjs';

const pkg = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8'));
const EXTENSION_ID = `${pkg.publisher}.${pkg.name}`;
const { values: opts } = parseArgs({
  options: {
    target: { type: 'string', default: 'linux-x64' },
    vsix: { type: 'string' },
    timeout: { type: 'string', default: '240' },
    logs: { type: 'string', default: path.join(REPO_ROOT, '.vscode-test', 'logs', 'vsix') },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});
const vsix = path.resolve(opts.vsix ?? path.join(REPO_ROOT, `${pkg.name}-${opts.target}-${pkg.version}.vsix`));

/** The test module run in the host; CommonJS, parameters inlined as JSON. */
function activationTestSource(extensionsDir) {
  return `'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const EXTENSION_ID = ${JSON.stringify(EXTENSION_ID)};
const EXTENSIONS_DIR = ${JSON.stringify(extensionsDir)};

exports.run = async function run() {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, EXTENSION_ID + ' is not installed');
  assert.ok(ext.extensionPath.startsWith(EXTENSIONS_DIR + path.sep),
    'extension loaded from ' + ext.extensionPath + ', not from the installed .vsix');
  const t0 = Date.now();
  const api = await ext.activate();
  assert.ok(ext.isActive, 'extension did not activate');
  // Wait for the engine worker to load the packaged model before this module returns: the
  // workbench closes the host when run() resolves, which would cut the engine off mid-load.
  const state = await api.settled(120000);
  assert.equal(state.kind, 'ready', 'engine state after activation: ' + JSON.stringify(state));
  console.log('activated ' + EXTENSION_ID + ' ' + ext.packageJSON.version + ' from ' + ext.extensionPath + ' in ' + (Date.now() - t0) + ' ms');

  const registered = new Set(await vscode.commands.getCommands(true));
  const contributed = (ext.packageJSON.contributes.commands || []).map((c) => c.command);
  const missing = contributed.filter((c) => !registered.has(c));
  assert.deepEqual(missing, [], 'contributed commands not registered: ' + missing.join(', '));
  console.log('all ' + contributed.length + ' contributed commands registered');

  // The packaged native runtime loads the shipped model graphs in this host.
  const ort = require(path.join(ext.extensionPath, 'node_modules', 'onnxruntime-node'));
  const modelsDir = path.join(ext.extensionPath, 'models');
  const folders = fs.readdirSync(modelsDir).filter((d) => fs.existsSync(path.join(modelsDir, d, 'contract.json')));
  assert.ok(folders.length > 0, 'no model folder with contract.json in ' + modelsDir);
  for (const folder of folders) {
    const graphs = fs.readdirSync(path.join(modelsDir, folder)).filter((f) => f.endsWith('.onnx'));
    assert.ok(graphs.length > 0, 'no .onnx graph in models/' + folder);
    for (const graph of graphs) {
      const session = await ort.InferenceSession.create(path.join(modelsDir, folder, graph), { executionProviders: ['cpu'] });
      console.log('models/' + folder + '/' + graph + ': inputs ' + session.inputNames.join(',') + ' -> outputs ' + session.outputNames.join(','));
      await session.release();
    }
  }
};
`;
}

// The line the extension logs once its engine has loaded the model (src/extension).
const ENGINE_READY = /engine loaded: /;

async function waitForLogLine(serverLogsDir, pattern, timeoutMs) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    for (const file of findExtensionLogs(serverLogsDir, EXTENSION_ID)) {
      const line = fs.readFileSync(file, 'utf8').split('\n').find((l) => pattern.test(l));
      if (line) {
        log(`engine ready: ${line.slice(0, 160)}`);
        return true;
      }
    }
    await sleep(500);
  }
  return false;
}

async function main() {
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} not found: run npm run package first`);
  const entries = listZip(vsix);
  const problems = checkVsixContents(entries, opts.target);
  for (const p of problems) log(`PROBLEM: ${p}`);
  if (problems.length) return 1;
  log(`${path.basename(vsix)}: ${mb(fs.statSync(vsix).size)}, ${entries.length} files, contents ok`);

  const sb = makeSandbox('cvx');
  const overall = deadline(Number(opts.timeout) * 1000, 'vsix check');
  let server;
  let browser;
  let code = 1;
  let workbenchLogs;
  try {
    const t0 = Date.now();
    const install = codeServerCli(sb, ['--install-extension', vsix]);
    if (install.status !== 0 || !/successfully installed/i.test(install.output)) {
      throw new Error(`--install-extension failed (exit ${install.status}):\n${install.output.slice(-3000)}`);
    }
    const installed = fs.readdirSync(sb.extensions).filter((d) => d.toLowerCase().startsWith(EXTENSION_ID.toLowerCase()));
    if (installed.length !== 1) throw new Error(`expected one ${EXTENSION_ID} folder in ${sb.extensions}, found: ${installed.join(', ') || 'none'}`);
    log(`installed into a fresh extensions dir as ${installed[0]} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

    const testModule = path.join(sb.dir, 'vsix-activation.cjs');
    fs.writeFileSync(testModule, activationTestSource(sb.extensions));
    const ws = makeWorkspace(sb);
    fs.writeFileSync(path.join(ws, 'hello.ts'), 'export function greet(name: string): string {\n  return `hello ${name}`;\n}\n');
    // The workbench runs extensionTestsPath only in an extension-development window, so an
    // empty harness extension is the development path; ours loads from the extensions dir.
    const harness = path.join(sb.dir, 'harness');
    fs.mkdirSync(harness);
    fs.writeFileSync(path.join(harness, 'package.json'), JSON.stringify({
      name: 'vsix-check-harness', publisher: 'test', version: '0.0.0', engines: { vscode: '*' },
    }));
    server = await startCodeServer(sb, { echo: opts.verbose });
    browser = await launchBrowser(sb);
    const result = await runWorkbenchTests({
      server, browser, folder: ws, abort: overall.promise, verbose: opts.verbose,
      payload: [
        ['extensionDevelopmentPath', remoteUri(server, harness)],
        ['extensionTestsPath', remoteUri(server, testModule)],
      ],
    });
    code = result.code;
    workbenchLogs = result.logs;
    // The engine (worker bundle + onnxruntime + model) starts from the installed copy too.
    if (code === 0 && !(await waitForLogLine(path.join(sb.userData, 'logs'), ENGINE_READY, 90_000))) {
      log(`the extension's log never reported ${ENGINE_READY} within 90 s`);
      code = 1;
    }
  } catch (err) {
    log(`vsix-check: ${err.message}`);
    code = 1;
  } finally {
    overall.cancel();
    if (browser) await browser.close().catch(() => {});
    if (server) {
      await server.stop();
      const serverLogsDir = path.join(sb.userData, 'logs');
      for (const file of findExtensionLogs(serverLogsDir, EXTENSION_ID).slice(0, 1)) {
        const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
        log(`last lines of the extension's log (${path.basename(file)}):`);
        for (const line of lines.slice(-12)) process.stderr.write(`  ${line}\n`);
      }
      saveLogs(opts.logs, { workbenchLogs, serverOutput: server.output(), serverLogsDir });
    }
    if (opts.keep) log(`sandbox kept at ${sb.dir}`);
    else removeSandbox(sb);
  }
  log(code === 0 ? 'vsix check passed' : `vsix check FAILED (code ${code})`);
  return code;
}

main().then((code) => process.exit(code), (err) => { log(`vsix-check: ${err.message}`); process.exit(1); });
