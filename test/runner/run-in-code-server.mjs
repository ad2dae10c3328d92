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
import { format, parseArgs } from 'node:util';
import {
  REPO_ROOT, deadline, launchBrowser, log, makeSandbox, makeWorkspace, remoteUri,
  removeSandbox, startCodeServer, workbenchUrl,
} from './code-server.mjs';

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
if (!fs.existsSync(testsFile)) fail(`test entry ${testsFile} not found (build first: npm run build)`);
if (!(timeoutMs > 0)) fail(`bad --timeout ${opts.timeout}`);

// Workbench chatter that says nothing about the suite (shown with --verbose). Failed
// look-ups of the extension gallery are expected offline.
const WORKBENCH_NOISE = [
  /^Resolv(ing|ed) connection token/,
  /^Creating a socket \(/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore:/,
  /ENOTFOUND open-vsx\.org|open-vsx\.org.*(ENOTFOUND|Failed)/,
];

/** The workbench sends console arguments as an array (format string first). */
function formatAutomationLog(message) {
  if (Array.isArray(message)) return format(...message);
  if (typeof message !== 'string') return JSON.stringify(message);
  if (message.startsWith('[')) {
    try {
      const args = JSON.parse(message);
      if (Array.isArray(args)) return format(...args);
    } catch {
      // not JSON: print as is
    }
  }
  return message;
}

/** Write the workbench's log files (and the server's output) for post-mortems. */
function saveLogs(logs, serverOutput, serverLogsDir) {
  try {
    fs.rmSync(opts.logs, { recursive: true, force: true });
    fs.mkdirSync(opts.logs, { recursive: true });
    fs.writeFileSync(path.join(opts.logs, 'code-server.log'), serverOutput);
    // Server side: remote extension host log and the extension's output channels.
    if (fs.existsSync(serverLogsDir)) fs.cpSync(serverLogsDir, path.join(opts.logs, 'server'), { recursive: true });
    for (const entry of logs ?? []) {
      const rel = String(entry.relativePath ?? '').replace(/^[/\\]+/, '');
      if (!rel || rel.includes('..')) continue;
      const file = path.join(opts.logs, 'workbench', rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, entry.contents ?? '');
    }
    log(`logs saved in ${path.relative(process.cwd(), opts.logs) || opts.logs}`);
  } catch (err) {
    log(`warning: could not save logs: ${err.message}`);
  }
}

async function main() {
  const started = Date.now();
  const sb = makeSandbox('cit');
  const overall = deadline(timeoutMs, 'integration suite');
  let server;
  let browser;
  let exitCode = 1;
  let automationLogs;
  try {
    const workspace = makeWorkspace(sb, workspaceSource);
    server = await startCodeServer(sb, { echo: opts.verbose });
    log(`code-server ready on ${server.origin} in ${Date.now() - started} ms`);

    browser = await launchBrowser(sb);
    const page = await browser.newPage();
    let resolveExit;
    const exited = new Promise((resolve) => { resolveExit = resolve; });
    await page.exposeFunction('codeAutomationExit', (code, logs) => {
      automationLogs = logs;
      resolveExit(Number(code));
    });
    await page.exposeFunction('codeAutomationLog', (type, message) => {
      const text = formatAutomationLog(message);
      if (!opts.verbose && WORKBENCH_NOISE.some((re) => re.test(text))) return;
      (type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
    });
    page.on('pageerror', (err) => log(`[page error] ${err.message}`));
    if (opts.verbose) page.on('console', (msg) => log(`[console.${msg.type()}] ${msg.text()}`));
    const crashed = new Promise((_, reject) => {
      page.on('crash', () => reject(new Error('the workbench page crashed')));
      server.proc.on('exit', (code, signal) => reject(new Error(`code-server exited (${code ?? signal}) during the suite`)));
    });

    const url = workbenchUrl(server, {
      folder: workspace,
      payload: [
        ['extensionDevelopmentPath', remoteUri(server, extensionDir)],
        ['extensionTestsPath', remoteUri(server, testsFile)],
      ],
    });
    log(`opening workbench: extension ${extensionDir}, tests ${testsFile}, workspace ${workspaceSource ?? '(empty)'}`);
    await page.goto(url, { waitUntil: 'domcontentloaded' });
    exitCode = await Promise.race([exited, crashed, overall.promise]);
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
      saveLogs(automationLogs, server.output(), path.join(sb.userData, 'logs'));
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
