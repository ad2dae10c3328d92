// One live engine worker: sends typed requests with ids, matches replies, forwards
// cancellation, applies per-request timeouts and reports the worker's death. No policy
// here (restarts live in EngineClient). Free of 'vscode' so it can be unit-tested.
import type { Worker } from 'node:worker_threads';
import type { Logger, ProgressReport } from '../../engine/types';
import type { FromWorker, Op, OpMap, ToWorker } from '../../worker/protocol';
import { abortError, EngineCrashedError, EngineRequestError, EngineTimeoutError } from './errors';

export interface RequestOptions {
  signal?: AbortSignal;
  timeoutMs: number;
  onProgress?: (p: ProgressReport) => void;
}

interface Pending {
  op: Op;
  resolve(v: unknown): void;
  reject(e: Error): void;
  onProgress?: (p: ProgressReport) => void;
  cleanup(): void;
}

export interface ConnectionEvents {
  /** The worker exited or failed; all pending requests were rejected. */
  onDeath(reason: string): void;
  /** A request ran past its timeout: the worker is presumed hung. */
  onHang(op: Op, timeoutMs: number): void;
  /** The worker's network guard blocked a connection. */
  onNetAttempt?(what: string, target: string): void;
}

export class WorkerConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead = false;
  private lastError: string | undefined;

  constructor(
    private readonly worker: Worker,
    private readonly log: Logger,
    private readonly events: ConnectionEvents,
  ) {
    worker.on('message', (m: FromWorker) => this.onMessage(m));
    worker.on('error', (e: Error & { code?: string }) => {
      this.lastError = e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? `out of memory (${e.message})` : e.message;
      this.log.error(`engine worker error: ${this.lastError}`);
    });
    worker.on('exit', (code) => this.onExit(code));
  }

  get alive(): boolean {
    return !this.dead;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  request<K extends Op>(op: K, args: OpMap[K]['args'], opts: RequestOptions): Promise<OpMap[K]['result']> {
    if (this.dead) return Promise.reject(new EngineCrashedError('engine worker is not running'));
    if (opts.signal?.aborted) return Promise.reject(abortError());
    const id = this.nextId++;
    return new Promise<OpMap[K]['result']>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settle(id)?.reject(new EngineTimeoutError(`engine did not answer '${op}' within ${opts.timeoutMs} ms`));
        this.events.onHang(op, opts.timeoutMs);
      }, opts.timeoutMs);
      const onAbort = () => {
        this.post({ kind: 'cancel', id });
        this.settle(id)?.reject(abortError());
      };
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.pending.set(id, {
        op,
        resolve: resolve as (v: unknown) => void,
        reject,
        onProgress: opts.onProgress,
        cleanup: () => {
          clearTimeout(timer);
          opts.signal?.removeEventListener('abort', onAbort);
        },
      });
      this.post({ kind: 'request', id, op, args } as ToWorker);
    });
  }

  /** Stop the worker now (hung, or replaced). Pending requests are rejected by onExit. */
  async terminate(): Promise<void> {
    if (this.dead) return;
    await this.worker.terminate();
  }

  private post(msg: ToWorker): void {
    try {
      this.worker.postMessage(msg);
    } catch (e) {
      this.log.error(`could not post '${msg.kind}' to the engine worker: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private settle(id: number): Pending | undefined {
    const p = this.pending.get(id);
    if (!p) return undefined;
    this.pending.delete(id);
    p.cleanup();
    return p;
  }

  private onMessage(m: FromWorker): void {
    switch (m.kind) {
      case 'log':
        this.log[m.level](`[engine] ${m.message}`);
        return;
      case 'net':
        this.events.onNetAttempt?.(m.what, m.target);
        return;
      case 'ready':
        this.log.debug('engine worker started');
        return;
      case 'progress':
        this.pending.get(m.id)?.onProgress?.(m.progress);
        return;
      case 'result':
        this.settle(m.id)?.resolve(m.value);
        return;
      case 'error': {
        const p = this.settle(m.id);
        if (!p) return;
        p.reject(m.error.code === 'aborted' ? abortError() : new EngineRequestError(m.error.message, m.error.code, m.error.name));
        return;
      }
    }
  }

  private onExit(code: number): void {
    this.dead = true;
    const reason = this.lastError ?? `worker exited with code ${code}`;
    for (const id of [...this.pending.keys()]) {
      this.settle(id)?.reject(new EngineCrashedError(`engine worker stopped: ${reason}`));
    }
    this.events.onDeath(reason);
  }
}
