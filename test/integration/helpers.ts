// Shared helpers of the integration suite: the extension's API, waiting, real test files,
// metrics reporting. Runs inside the extension host.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import * as vscode from 'vscode';
import type { CatApi } from '../../src/extension/api';
import type { EngineState } from '../../src/extension/engineClient';
import { EXTENSION_ID } from '../../src/extension/ids';
import type { NetGuard } from '../../src/worker/netGuard';

let guard: NetGuard | undefined;
export function setHostNetGuard(g: NetGuard): void {
  guard = g;
}
export function hostNetGuard(): NetGuard | undefined {
  return guard;
}

export function extension(): vscode.Extension<CatApi> {
  const ext = vscode.extensions.getExtension<CatApi>(EXTENSION_ID);
  if (!ext) throw new Error(`extension ${EXTENSION_ID} is not installed in this host`);
  return ext;
}

/** The activated extension's API, with the engine settled (ready or failed). */
export async function api(): Promise<CatApi> {
  const a = await extension().activate();
  await a.settled(180_000);
  return a;
}

export async function waitFor<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Update a user setting and, when it reloads the engine, wait for the reload to settle. */
export async function setAndReload(a: CatApi, key: string, value: unknown): Promise<EngineState> {
  const states: EngineState['kind'][] = [];
  const sub = a.engine.onDidChangeState((s) => states.push(s.kind));
  try {
    await vscode.workspace.getConfiguration('cat').update(key, value, vscode.ConfigurationTarget.Global);
    await waitFor(`engine reload after ${key}`, () => states.includes('starting'), 30_000);
    return await a.settled(180_000);
  } finally {
    sub.dispose();
  }
}

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-it-'));
export function tempFile(name: string, content: string | Uint8Array): vscode.Uri {
  const file = path.join(tmpRoot, name);
  fs.writeFileSync(file, content);
  return vscode.Uri.file(file);
}

/** typescript.js opens with a ~2,300-line export table; real code starts after it. */
const SOURCE_FIRST_LINE = 2285;

/**
 * Real source text of n lines: TypeScript's own compiler (shipped in the extension's
 * node_modules), from the start of its code (src/compiler/corePublic.ts onwards).
 */
let sourceLines: string[] | undefined;
export function realSource(lines: number): string {
  const file = path.join(extension().extensionPath, 'node_modules', 'typescript', 'lib', 'typescript.js');
  // Read once (the file is ~9 MB): repeated reads would leave garbage for the host's GC
  // to collect in the middle of later measurements.
  sourceLines ??= fs.readFileSync(file, 'utf8').split('\n').slice(SOURCE_FIRST_LINE, SOURCE_FIRST_LINE + 20_000);
  if (sourceLines.length < lines) throw new Error(`${file} has only ${sourceLines.length} lines`);
  return sourceLines.slice(0, lines).join('\n') + '\n';
}

export async function open(uri: vscode.Uri): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(uri);
  return vscode.window.showTextDocument(doc, { preview: false });
}

export async function closeAll(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/**
 * Waits until the machine's CPUs are mostly idle (two 250 ms samples at >= idleShare idle) or
 * maxMs passes, e.g. after opening a file, while VS Code's language server analyses it.
 */
export async function waitForQuietCpu(maxMs: number, idleShare = 0.7): Promise<{ ms: number; quiet: boolean }> {
  const t0 = performance.now();
  const sample = () => os.cpus().reduce((s, c) => {
    const t = c.times;
    return { idle: s.idle + t.idle, total: s.total + t.user + t.nice + t.sys + t.idle + t.irq };
  }, { idle: 0, total: 0 });
  let prev = sample();
  let quietSamples = 0;
  while (performance.now() - t0 < maxMs && quietSamples < 2) {
    await new Promise((r) => setTimeout(r, 250));
    const cur = sample();
    const share = (cur.idle - prev.idle) / Math.max(1, cur.total - prev.total);
    prev = cur;
    quietSamples = share >= idleShare ? quietSamples + 1 : 0;
  }
  return { ms: Math.round(performance.now() - t0), quiet: quietSamples >= 2 };
}

/** Measurements reported by the suite, written to CAT_TEST_METRICS or .vscode-test/. */
const metrics: Record<string, unknown> = {};
export function report(key: string, value: unknown): void {
  metrics[key] = value;
  console.log(`[metric] ${key} = ${JSON.stringify(value)}`);
  const out = process.env.CAT_TEST_METRICS ?? path.join(extension().extensionPath, '.vscode-test', 'integration-metrics.json');
  try {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify({ when: new Date().toISOString(), ...metrics }, null, 2) + '\n');
  } catch (e) {
    console.log(`could not write metrics to ${out}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Call our inline completion provider the way the editor does. */
export async function complete(a: CatApi, doc: vscode.TextDocument, pos: vscode.Position): Promise<vscode.InlineCompletionItem[]> {
  const cts = new vscode.CancellationTokenSource();
  try {
    return await a.inline.provideInlineCompletionItems(
      doc,
      pos,
      { triggerKind: vscode.InlineCompletionTriggerKind.Invoke, selectedCompletionInfo: undefined },
      cts.token,
    );
  } finally {
    cts.dispose();
  }
}

/** Model folder for the suite: $CAT_TEST_MODEL_DIR, else the shipped model. */
export function testModelDir(): string | undefined {
  return process.env.CAT_TEST_MODEL_DIR || undefined;
}

/** Root hook: point the extension at $CAT_TEST_MODEL_DIR when set (else the shipped model). */
export async function useTestModel(): Promise<void> {
  const a = await api();
  const dir = testModelDir();
  const state = a.engine.state;
  if (dir && !('modelDir' in state && state.modelDir === dir && state.kind === 'ready')) {
    await setAndReload(a, 'modelPath', dir);
  }
}

/** Records the longest event-loop stalls with their time (ms since start), to match them with phases. */
export class GapSampler {
  private timer: NodeJS.Timeout | undefined;
  private gaps: { atMs: number; stallMs: number }[] = [];
  private gcs: { atMs: number; gcMs: number }[] = [];
  private obs: PerformanceObserver | undefined;
  start(t0: number): void {
    this.obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.duration > 10) this.gcs.push({ atMs: Math.round(e.startTime - t0), gcMs: Math.round(e.duration) });
    });
    this.obs.observe({ entryTypes: ['gc'] });
    let last = performance.now();
    this.timer = setInterval(() => {
      const now = performance.now();
      const stall = now - last - 5;
      if (stall > 20) this.gaps.push({ atMs: Math.round(now - t0), stallMs: Math.round(stall) });
      last = now;
    }, 5);
  }
  stop(): void {
    clearInterval(this.timer);
    this.obs?.disconnect();
  }
  /** Garbage collections longer than 10 ms in the window. */
  gc(): { atMs: number; gcMs: number }[] {
    return this.gcs;
  }
  top(n: number): { atMs: number; stallMs: number }[] {
    return [...this.gaps].sort((a, b) => b.stallMs - a.stallMs).slice(0, n);
  }
}

/** A CPU profile of the extension host over a window, written as <CAT_TEST_PROFILE>/<name>.cpuprofile (off unless that is set). */
export class HostProfile {
  private constructor(private readonly session: import('node:inspector').Session, private readonly dir: string) {}

  static async start(): Promise<HostProfile | undefined> {
    const dir = process.env.CAT_TEST_PROFILE;
    if (!dir) return undefined;
    const inspector = await import('node:inspector');
    const session = new inspector.Session();
    session.connect();
    const post = (m: string, p?: object) => new Promise<void>((res, rej) => session.post(m, p ?? {}, (e) => (e ? rej(e) : res())));
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 1000 });
    await post('Profiler.start');
    return new HostProfile(session, dir);
  }

  async stop(name: string): Promise<void> {
    const profile = await new Promise<unknown>((res, rej) => this.session.post('Profiler.stop', (e, r) => (e ? rej(e) : res(r.profile))));
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(path.join(this.dir, `${name}.cpuprofile`), JSON.stringify(profile));
    this.session.disconnect();
  }
}
