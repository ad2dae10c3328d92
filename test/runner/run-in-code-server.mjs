#!/usr/bin/env node
// Runs an extension's integration suite in VS Code's real extension host, offline:
// code-server + headless Chromium as the workbench. The suite module exports
// `run(): Promise<void>` (the contract @vscode/test-electron uses); the workbench reports
// its outcome through window.codeAutomationExit(code), which becomes our exit code.
//
// Usage: node test/runner/run-in-code-server.mjs [--extension DIR] [--tests FILE]
//          [--workspace DIR] [--timeout SECONDS] [--logs DIR] [--keep] [--verbose]
// Defaults: --extension <repo>, --tests <repo>/dist/test/integration/index.js,
//           --workspace <repo>/test/fixtures/workspace (copied to a temp folder first).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  REPO_ROOT, deadline, launchBrowser, log, makeSandbox, makeWorkspace, remoteUri,
  removeSandbox, startCodeServer,
} from './code-server.mjs';
import { runWorkbenchTests, saveLogs } from './workbench-tests.mjs';

const { values: opts } = parseArgs({
  options: {
    extension: { type: 'string', default: REPO_ROOT },
    tests: { type: 'string', default: path.join(REPO_ROOT, 'dist', 'test', 'integration', 'index.js') },
    workspace: { type: 'string' },
    timeout: { type: 'string', default: process.env.CODE_SERVER_TEST_TIMEOUT ?? '600' },
    logs: { type: 'string', default: path.join(REPO_ROOT, '.vscode-test', 'logs', 'integration') },
    keep: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
  },
});

const extensionDir = path.resolve(opts.extension);
const testsFile = path.resolve(opts.tests);
const defaultWorkspace = path.join(REPO_ROOT, 'test', 'fixtures', 'workspace');
const workspaceSource = opts.workspace
  ? path.resolve(opts.workspace)
  : (fs.existsSync(defaultWorkspace) ? defaultWorkspace : undefined);
const timeoutMs = Number(opts.timeout) * 1000;

function fail(message) {
  log(`run-in-code-server: ${message}`);
  process.exit(2);
}

if (!fs.existsSync(path.join(extensionDir, 'package.json'))) fail(`no package.json in extension dir ${extensionDir}`);
if (!fs.existsSync(testsFile)) fail(`test entry ${testsFile} not found (build first: node esbuild.js)`);
if (!(timeoutMs > 0)) fail(`bad --timeout ${opts.timeout}`);

async function main() {
  const started = Date.now();
  const sb = makeSandbox('cit');
  const overall = deadline(timeoutMs, 'integration suite');
  let server;
  let browser;
  let exitCode = 1;
  let workbenchLogs;
  try {
    const workspace = makeWorkspace(sb, workspaceSource);
    server = await startCodeServer(sb, { echo: opts.verbose });
    log(`code-server ready on ${server.origin} in ${Date.now() - started} ms`);

    browser = await launchBrowser(sb);
    log(`opening workbench: extension ${extensionDir}, tests ${testsFile}, workspace ${workspaceSource ?? '(empty)'}`);
    const result = await runWorkbenchTests({
      server, browser, folder: workspace, abort: overall.promise, verbose: opts.verbose,
      payload: [
        ['extensionDevelopmentPath', remoteUri(server, extensionDir)],
        ['extensionTestsPath', remoteUri(server, testsFile)],
      ],
    });
    exitCode = result.code;
    workbenchLogs = result.logs;
    log(`suite finished with code ${exitCode} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    log(`run-in-code-server: ${err.message}`);
    exitCode = 1;
  } finally {
    overall.cancel();
    if (browser) await browser.close().catch((err) => log(`warning: browser close: ${err.message}`));
    if (server) {
      const t0 = Date.now();
      await server.stop();
      if (opts.verbose) log(`code-server stopped in ${Date.now() - t0} ms`);
      saveLogs(opts.logs, { workbenchLogs, serverOutput: server.output(), serverLogsDir: path.join(sb.userData, 'logs') });
    }
    if (opts.keep) log(`sandbox kept at ${sb.dir}`);
    else removeSandbox(sb);
  }
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err) => { log(err.stack ?? String(err)); process.exit(1); },
);
