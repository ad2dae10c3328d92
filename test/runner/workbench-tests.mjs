// Runs an extension test module (exports `run(): Promise<void>`) inside the workbench's
// extension host and resolves with its exit code. The workbench reports the outcome
// through window.codeAutomationExit(code, logs) and forwards console output through
// window.codeAutomationLog(type, args): both are exposed before the page loads.
import fs from 'node:fs';
import path from 'node:path';
import { format } from 'node:util';
import { log, workbenchUrl } from './code-server.mjs';

// Workbench chatter that says nothing about the suite (shown with verbose). Failed
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

/**
 * Opens the workbench on `folder` with `payload` (which names extensionTestsPath) and
 * waits for the suite. Returns { code, logs } (logs: the workbench's log files).
 * Rejects on a page crash, a code-server exit, or when `abort` (a promise) rejects.
 */
export async function runWorkbenchTests({ server, browser, folder, payload, abort, verbose = false }) {
  const page = await browser.newPage();
  let resolveExit;
  const exited = new Promise((resolve) => { resolveExit = resolve; });
  await page.exposeFunction('codeAutomationExit', (code, logs) => resolveExit({ code: Number(code), logs }));
  await page.exposeFunction('codeAutomationLog', (type, message) => {
    const text = formatAutomationLog(message);
    if (!verbose && WORKBENCH_NOISE.some((re) => re.test(text))) return;
    (type === 'error' ? process.stderr : process.stdout).write(`${text}\n`);
  });
  page.on('pageerror', (err) => log(`[page error] ${err.message}`));
  if (verbose) page.on('console', (msg) => log(`[console.${msg.type()}] ${msg.text()}`));
  const crashed = new Promise((_, reject) => {
    page.on('crash', () => reject(new Error('the workbench page crashed')));
    server.proc.on('exit', (code, signal) => reject(new Error(`code-server exited (${code ?? signal}) during the suite`)));
  });
  await page.goto(workbenchUrl(server, { folder, payload }), { waitUntil: 'domcontentloaded' });
  return Promise.race([exited, crashed, ...(abort ? [abort] : [])]);
}

/** Write the workbench's log files, the server's output and its log folder for post-mortems. */
export function saveLogs(dir, { workbenchLogs, serverOutput, serverLogsDir }) {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'code-server.log'), serverOutput ?? '');
    // Server side: remote extension host log and the extension's output channels.
    if (serverLogsDir && fs.existsSync(serverLogsDir)) fs.cpSync(serverLogsDir, path.join(dir, 'server'), { recursive: true });
    for (const entry of workbenchLogs ?? []) {
      const rel = String(entry.relativePath ?? '').replace(/^[/\\]+/, '');
      if (!rel || rel.includes('..')) continue;
      const file = path.join(dir, 'workbench', rel);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, entry.contents ?? '');
    }
    log(`logs saved in ${path.relative(process.cwd(), dir) || dir}`);
  } catch (err) {
    log(`warning: could not save logs: ${err.message}`);
  }
}

/** Log files an extension wrote through its LogOutputChannel (server side), newest first. */
export function findExtensionLogs(serverLogsDir, extensionId) {
  const found = [];
  const walk = (dir) => {
    for (const ent of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const p = path.join(dir, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (p.includes(`${path.sep}${extensionId}${path.sep}`) && p.endsWith('.log')) found.push(p);
    }
  };
  walk(serverLogsDir);
  return found.sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs);
}
