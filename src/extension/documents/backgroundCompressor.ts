// Compresses the followed documents' chunks while the user is idle, most recently used
// first, at the chunk size in effect. Any activity (keystroke, completion) aborts the pass;
// it resumes after the next idle period. Stops early when the cache budget is nearly full.
import * as vscode from 'vscode';
import type { ChunkSizeController } from '../chunkSize/chunkSizeController';
import type { EngineClient } from '../engineClient';
import { isAbortError } from '../engine/errors';
import type { Settings } from '../settings';
import type { DocumentTracker } from './documentTracker';

/** Stop warming other documents when the cache holds this fraction of its budget. */
const BUDGET_FILL_LIMIT = 0.9;

export class BackgroundCompressor implements vscode.Disposable {
  private idleTimer: NodeJS.Timeout | undefined;
  private holds = 0;
  private pass: AbortController | undefined;
  private readonly subs: vscode.Disposable[] = [];
  private readonly warmedEmitter = new vscode.EventEmitter<void>();
  /** A warm step finished (cache coverage changed). */
  readonly onDidWarm = this.warmedEmitter.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly tracker: DocumentTracker,
    private readonly chunkSize: ChunkSizeController,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subs.push(
      tracker.onDidEdit(() => this.activity()),
      tracker.onDidChangeDocumentState(() => this.activity()),
      engine.onDidLoad(() => this.activity()),
      chunkSize.onDidChange(() => this.activity()),
    );
  }

  /**
   * Keep background compression off while a foreground job (a summary, a speed probe)
   * uses the engine; dispose the result to release.
   */
  hold(): vscode.Disposable {
    this.holds++;
    this.activity();
    let released = false;
    return new vscode.Disposable(() => {
      if (released) return;
      released = true;
      this.holds--;
      this.activity();
    });
  }

  /** The user did something: stop compressing now, try again after the idle delay. */
  activity(): void {
    this.pass?.abort();
    this.pass = undefined;
    clearTimeout(this.idleTimer);
    const cache = this.settings.cache();
    if (!cache.background || this.holds > 0) return;
    this.idleTimer = setTimeout(() => void this.run(), cache.idleMs);
  }

  private async run(): Promise<void> {
    if (this.engine.state.kind !== 'ready' || this.pass || this.holds > 0) return;
    const pass = new AbortController();
    this.pass = pass;
    const c = this.chunkSize.current;
    const t0 = Date.now();
    let warmed = 0;
    try {
      for (const docId of this.tracker.engineDocIds()) {
        if (pass.signal.aborted) break;
        const stats = await this.engine.cacheStats(c);
        if (stats.bytes >= stats.budgetBytes * BUDGET_FILL_LIMIT) {
          this.log.debug(`background compression paused: cache at ${stats.bytes}/${stats.budgetBytes} bytes`);
          break;
        }
        const cov = stats.coverage.find((x) => x.docId === docId);
        // done when every chunk is compressed and the decoder holds its entries (a pass that
        // was preempted after compressing resumes with the decoder part)
        if (cov && cov.cached >= cov.total && (cov.decoderEntries ?? 0) >= (cov.decoderTotal ?? 0)) continue;
        await this.engine.warm(docId, c, pass.signal);
        warmed++;
        this.warmedEmitter.fire();
      }
      if (warmed > 0) this.log.debug(`background compression: ${warmed} document(s) at C=${c} in ${Date.now() - t0} ms`);
    } catch (e) {
      if (!isAbortError(e)) this.log.debug(`background compression stopped: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      if (this.pass === pass) this.pass = undefined;
    }
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    this.pass?.abort();
    for (const s of this.subs) s.dispose();
    this.warmedEmitter.dispose();
  }
}
