// Shared helpers for running VS Code's real extension host offline: a code-server process
// (own HOME/TMPDIR/user-data/extensions dirs, its own process group) and a headless
// Chromium (playwright-core) acting as the workbench. Used by run-in-code-server.mjs,
// vsix-check.mjs and test/ui/ui-check.mjs. Recipe: see README "Tests" section.
import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { URLSearchParams, fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CODE_SERVER_ENTRY = path.join(
  REPO_ROOT, '.vscode-test', 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

const QUIET_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'chat.disableAIFeatures': true,
  'window.restoreWindows': 'none',
};

/** Timestamped log line on stderr (stdout is left to the suite's own output). */
export function log(...args) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 23)}] ${args.join(' ')}\n`);
}

export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Ask the OS for a free TCP port on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A throw-away sandbox: short path under /tmp (unix socket paths are limited to ~107
 * chars) holding HOME, TMPDIR, user-data-dir (with a quiet settings.json), extensions-dir.
 */
export function makeSandbox(prefix = 'cst', extraSettings = {}) {
  const dir = fs.mkdtempSync(path.join('/tmp', `${prefix}.`));
  const sb = {
    dir,
    home: path.join(dir, 'h'),
    tmp: path.join(dir, 't'),
    userData: path.join(dir, 'u'),
    extensions: path.join(dir, 'e'),
  };
  for (const d of [sb.home, sb.tmp, sb.extensions, path.join(sb.userData, 'User')]) {
    fs.mkdirSync(d, { recursive: true });
  }
  fs.writeFileSync(
    path.join(sb.userData, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...extraSettings }, null, 2));
  return sb;
}

export function removeSandbox(sb) {
  try {
    fs.rmSync(sb.dir, { recursive: true, force: true });
  } catch (err) {
    log(`warning: could not remove ${sb.dir}: ${err.message}`);
  }
}

/** Environment for code-server and Chromium: their own HOME and TMPDIR. */
export function sandboxEnv(sb, extra = {}) {
  return {
    ...process.env,
    HOME: sb.home,
    TMPDIR: sb.tmp,
    XDG_CONFIG_HOME: path.join(sb.home, '.config'),
    XDG_CACHE_HOME: path.join(sb.home, '.cache'),
    VSCODE_CLI: undefined,
    ELECTRON_RUN_AS_NODE: undefined,
    ...extra,
  };
}

export function assertCodeServerInstalled() {
  if (!fs.existsSync(CODE_SERVER_ENTRY)) {
    throw new Error(`code-server is not installed (${CODE_SERVER_ENTRY} missing): run bash test/runner/install-code-server.sh`);
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH)`);
  }
}

/** Run code-server's CLI synchronously (e.g. --install-extension). Returns {status, output}. */
export function codeServerCli(sb, args, timeoutMs = 120_000) {
  const res = spawnSync(process.execPath, [CODE_SERVER_ENTRY, '--user-data-dir', sb.userData,
    '--extensions-dir', sb.extensions, ...args], {
    env: sandboxEnv(sb), encoding: 'utf8', timeout: timeoutMs,
  });
  return { status: res.status ?? 1, output: `${res.stdout ?? ''}${res.stderr ?? ''}${res.error ? res.error.message : ''}` };
}

/**
 * Start code-server in its own process group (detached = setsid) and wait for /healthz.
 * Returns { port, origin, proc, stop(), output() }. stop() kills the whole group: a plain
 * kill of the main pid leaves the file watcher and the extension host running.
 */
export async function startCodeServer(sb, { port, env = {}, echo = false, args: extraArgs = [] } = {}) {
  assertCodeServerInstalled();
  port ??= await freePort();
  const args = [CODE_SERVER_ENTRY, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    '--disable-getting-started-override', '--ignore-last-opened',
    '--user-data-dir', sb.userData, '--extensions-dir', sb.extensions, ...extraArgs];
  const proc = spawn(process.execPath, args, {
    cwd: sb.dir, env: sandboxEnv(sb, env), detached: true, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const onData = (chunk) => {
    const text = chunk.toString();
    output += text;
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
    if (echo) process.stderr.write(text.replace(/^/gm, '  [server] '));
  };
  proc.stdout.on('data', onData);
  proc.stderr.on('data', onData);
  let exited = null;
  proc.on('exit', (code, signal) => { exited = { code, signal }; });

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    for (const [sig, waitMs] of [['SIGTERM', 3000], ['SIGKILL', 1000]]) {
      try {
        process.kill(-proc.pid, sig);
      } catch {
        return; // group already gone
      }
      const until = Date.now() + waitMs;
      while (Date.now() < until) {
        try {
          process.kill(-proc.pid, 0);
        } catch {
          return;
        }
        await sleep(100);
      }
    }
  };

  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) {
      throw new Error(`code-server exited early (${JSON.stringify(exited)}):\n${output.slice(-4000)}`);
    }
    try {
      const res = await globalThis.fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`code-server did not answer /healthz within 60 s:\n${output.slice(-4000)}`);
    }
    await sleep(200);
  }
  return { port, origin, proc, stop, output: () => output };
}

/** Headless Chromium through playwright-core, with its own HOME/TMPDIR. */
export async function launchBrowser(sb) {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    env: sandboxEnv(sb),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-default-apps',
      '--disable-extensions',
      '--disable-sync',
      '--no-first-run',
      '--no-default-browser-check',
      '--metrics-recording-only',
      '--password-store=basic',
    ],
  });
}

/**
 * The workbench URL: opens `folder` (a path on the server) and passes the payload
 * (e.g. extensionDevelopmentPath / extensionTestsPath as vscode-remote:// URIs).
 */
export function workbenchUrl(server, { folder, payload = [] }) {
  const params = new URLSearchParams();
  if (folder) params.set('folder', folder);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  return `${server.origin}/?${params.toString()}`;
}

/** vscode-remote URI of a path on the server machine (the same machine here). */
export function remoteUri(server, absPath) {
  return `vscode-remote://127.0.0.1:${server.port}${path.resolve(absPath)}`;
}

/** Copy a directory of fixture documents into a fresh workspace folder inside the sandbox. */
export function makeWorkspace(sb, sourceDir) {
  const ws = path.join(sb.dir, 'ws');
  fs.mkdirSync(ws, { recursive: true });
  if (sourceDir) {
    if (!fs.existsSync(sourceDir)) throw new Error(`workspace source ${sourceDir} does not exist`);
    fs.cpSync(sourceDir, ws, { recursive: true });
  }
  return ws;
}

/** Reject after ms with a clear message (for overall timeouts). */
export function deadline(ms, what) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${Math.round(ms / 1000)} s`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}
