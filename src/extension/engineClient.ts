// The extension's engine: the CatEngine API, served by a worker thread. Restarts a
// crashed, hung or out-of-memory worker with backoff and publishes its state for the
// status bar. Free of 'vscode' (unit-testable with an in-memory worker double).
import type { Worker } from 'node:worker_threads';
import type {
  CacheStats,
  CompletionRequest,
  CompletionResult,
  DocumentCheck,
  EngineInfo,
  IndexStats,
  Logger,
  ProgressReport,
  ProviderSetting,
  SummaryRequest,
  SummaryResult,
} from '../engine/types';
import type { LoadArgs, Op, OpMap } from '../worker/protocol';
import { EngineCrashedError, EngineUnavailableError } from './engine/errors';
import { RestartPolicy } from './engine/restartPolicy';
import { WorkerConnection } from './engine/workerConnection';
import { Emitter, type Event } from './util/emitter';

export type EngineState =
  | { kind: 'starting'; modelDir: string }
  | { kind: 'ready'; modelDir: string; info: EngineInfo; requested: ProviderSetting }
  | { kind: 'failed'; modelDir: string; message: string }
  | { kind: 'restarting'; modelDir: string; reason: string; delayMs: number; attempt: number }
  | { kind: 'stopped' };

/**
 * Per-operation request timeouts (ms): past them the worker is presumed hung and restarted.
 * Generous: the engine may legitimately block its thread for seconds (tokenizing a huge
 * or minified document on a busy machine); a restart would only repeat that work.
 */
export const DEFAULT_TIMEOUTS: Record<Op, number> = {
  load: 180_000,
  update: 120_000,
  close: 60_000,
  complete: 60_000,
  summarize: 600_000,
  warm: 900_000,
  stats: 120_000,
  indexFile: 60_000,
  removeIndexFile: 60_000,
  indexPassDone: 60_000,
  indexStats: 60_000,
  clear: 60_000,
  dispose: 5_000,
};

export interface EngineClientOptions {
  createWorker: () => Worker;
  log: Logger;
  policy?: RestartPolicy;
  timeouts?: Partial<Record<Op, number>>;
  now?: () => number;
}

export class EngineClient {
  private conn: WorkerConnection | undefined;
  private args: LoadArgs | undefined;
  private generation = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private current: EngineState = { kind: 'stopped' };
  private readonly policy: RestartPolicy;
  private readonly timeouts: Record<Op, number>;
  private readonly stateEmitter: Emitter<EngineState>;
  private readonly loadEmitter: Emitter<EngineInfo>;
  /** Connections blocked by the workers' network guards, over all worker generations. */
  readonly blockedConnections: string[] = [];

  /** Fires on every state change (status bar). */
  readonly onDidChangeState: Event<EngineState>;
  /** Fires after every successful (re)load: the worker knows no documents yet. */
  readonly onDidLoad: Event<EngineInfo>;

  constructor(private readonly opts: EngineClientOptions) {
    const onErr = (e: unknown) => opts.log.error(`engine listener failed: ${e instanceof Error ? e.stack : String(e)}`);
    this.stateEmitter = new Emitter<EngineState>(onErr);
    this.loadEmitter = new Emitter<EngineInfo>(onErr);
    this.onDidChangeState = this.stateEmitter.event;
    this.onDidLoad = this.loadEmitter.event;
    this.policy = opts.policy ?? new RestartPolicy();
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
  }

  get state(): EngineState {
    return this.current;
  }

  get info(): EngineInfo | undefined {
    return this.current.kind === 'ready' ? this.current.info : undefined;
  }

  /** (Re)load the engine with these arguments; a manual start forgets earlier crashes. */
  async start(args: LoadArgs): Promise<EngineState> {
    this.policy.reset();
    return this.launch(args);
  }

  /** Restart with the last arguments (command "CAT: Restart Engine"). */
  async restart(): Promise<EngineState> {
    if (!this.args) return this.current;
    return this.start(this.args);
  }

  private setState(s: EngineState): void {
    this.current = s;
    this.stateEmitter.fire(s);
  }

  private async launch(args: LoadArgs): Promise<EngineState> {
    const gen = ++this.generation;
    this.args = args;
    clearTimeout(this.restartTimer);
    this.setState({ kind: 'starting', modelDir: args.modelDir });
    await this.stopWorker();
    if (gen !== this.generation) return this.current;
    const t0 = Date.now();
    let conn: WorkerConnection;
    try {
      const worker = this.opts.createWorker();
      conn = new WorkerConnection(worker, this.opts.log, {
        onDeath: (reason) => this.onDeath(gen, reason),
        onHang: (op, ms) => this.onHang(gen, op, ms),
        onNetAttempt: (what, target) => this.blockedConnections.push(`${what} ${target}`),
      });
    } catch (e) {
      const message = `could not start the engine worker: ${e instanceof Error ? e.message : String(e)}`;
      this.opts.log.error(message);
      this.setState({ kind: 'failed', modelDir: args.modelDir, message });
      return this.current;
    }
    this.conn = conn;
    try {
      const res = await conn.request('load', args, { timeoutMs: this.timeouts.load });
      if (gen !== this.generation) return this.current;
      const p = res.info.provider;
      this.opts.log.info(
        `engine loaded: ${res.info.modelName} (${res.info.kind}), provider ${p.active}` +
          (p.skipped.length ? ` (skipped: ${p.skipped.map((s) => `${s.provider}: ${s.error}`).join('; ')})` : '') +
          `, chunk sizes ${res.info.chunkSizes.join('/')}, in ${Date.now() - t0} ms`,
      );
      this.setState({ kind: 'ready', modelDir: args.modelDir, info: res.info, requested: res.requested });
      this.loadEmitter.fire(res.info);
    } catch (e) {
      // A worker that died while loading is handled by onDeath (restart with backoff).
      if (gen !== this.generation || e instanceof EngineCrashedError) return this.current;
      const message = e instanceof Error ? e.message : String(e);
      this.opts.log.error(`engine could not load the model in ${args.modelDir}: ${message}`);
      // A load failure (missing/corrupt model) is not retried in a loop: the state says why.
      this.conn = undefined;
      this.setState({ kind: 'failed', modelDir: args.modelDir, message });
      await conn.terminate();
    }
    return this.current;
  }

  private onHang(gen: number, op: Op, ms: number): void {
    if (gen !== this.generation) return;
    this.opts.log.error(`engine worker hung ('${op}' gave no answer in ${ms} ms): restarting it`);
    void this.conn?.terminate();
  }

  private onDeath(gen: number, reason: string): void {
    if (gen !== this.generation || !this.args) return;
    if (this.current.kind === 'failed' || this.current.kind === 'stopped') return;
    this.conn = undefined;
    const decision = this.policy.onCrash((this.opts.now ?? Date.now)());
    const modelDir = this.args.modelDir;
    if (!decision.restart) {
      const message = `engine crashed ${decision.crashes} times (last: ${reason}); run "CAT: Restart Engine"`;
      this.opts.log.error(message);
      this.setState({ kind: 'failed', modelDir, message });
      return;
    }
    this.opts.log.warn(`engine worker stopped (${reason}); restart #${decision.attempt} in ${decision.delayMs} ms`);
    this.setState({ kind: 'restarting', modelDir, reason, delayMs: decision.delayMs, attempt: decision.attempt });
    const args = this.args;
    this.restartTimer = setTimeout(() => {
      if (gen === this.generation) void this.launch(args);
    }, decision.delayMs);
  }

  private async stopWorker(): Promise<void> {
    const conn = this.conn;
    this.conn = undefined;
    if (!conn?.alive) return;
    try {
      await conn.request('dispose', {}, { timeoutMs: this.timeouts.dispose });
    } catch (e) {
      this.opts.log.debug(`engine dispose before stop: ${e instanceof Error ? e.message : String(e)}`);
    }
    await conn.terminate();
  }

  private call<K extends Op>(
    op: K,
    args: OpMap[K]['args'],
    signal?: AbortSignal,
    onProgress?: (p: ProgressReport) => void,
  ): Promise<OpMap[K]['result']> {
    const conn = this.conn;
    if (!conn || this.current.kind !== 'ready') {
      const why = this.current.kind === 'failed' ? this.current.message : `engine is ${this.current.kind}`;
      return Promise.reject(new EngineUnavailableError(why));
    }
    return conn.request(op, args, { signal, timeoutMs: this.timeouts[op], onProgress });
  }

  updateDocument(docId: string, version: number, text: string): Promise<DocumentCheck> {
    return this.call('update', { docId, version, text });
  }

  async closeDocument(docId: string): Promise<void> {
    await this.call('close', { docId });
  }

  complete(req: CompletionRequest): Promise<CompletionResult> {
    const { signal, onToken: _onToken, ...args } = req;
    return this.call('complete', args, signal);
  }

  summarize(req: SummaryRequest): Promise<SummaryResult> {
    const { signal, onProgress, ...args } = req;
    return this.call('summarize', args, signal, onProgress);
  }

  async warm(docId: string, chunkSize: number, signal?: AbortSignal, onProgress?: (p: ProgressReport) => void): Promise<void> {
    await this.call('warm', { docId, chunkSize }, signal, onProgress);
  }

  cacheStats(chunkSize: number): Promise<CacheStats> {
    return this.call('stats', { chunkSize });
  }

  /** Index a workspace file that is not open (the exact index only; not the model's context). */
  indexFile(fileId: string, text: string | Uint8Array): Promise<DocumentCheck> {
    return this.call('indexFile', { fileId, text });
  }

  async removeIndexFile(fileId: string): Promise<void> {
    await this.call('removeIndexFile', { fileId });
  }

  /** The workspace pass sent everything it keeps (restored files it did not send are dropped). */
  async indexPassDone(): Promise<void> {
    await this.call('indexPassDone', {});
  }

  indexStats(): Promise<IndexStats> {
    return this.call('indexStats', {});
  }

  async clearCache(): Promise<void> {
    await this.call('clear', {});
  }

  /** Test/diagnostic hook: kill the worker as if it had crashed. */
  async simulateCrash(): Promise<void> {
    await this.conn?.terminate();
  }

  async dispose(): Promise<void> {
    this.generation++;
    clearTimeout(this.restartTimer);
    await this.stopWorker();
    this.setState({ kind: 'stopped' });
    this.stateEmitter.dispose();
    this.loadEmitter.dispose();
  }
}
