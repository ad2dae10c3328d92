// "CAT: Measure Chunk-Size Speeds": one short greedy completion per trained chunk size on
// (the end of) the active document, after warming that size's cache, so that every slider
// position carries a measured speed. Cancellable.
import * as vscode from 'vscode';
import type { BackgroundCompressor } from '../documents/backgroundCompressor';
import type { DocumentTracker } from '../documents/documentTracker';
import type { EngineClient } from '../engineClient';
import { isAbortError } from '../engine/errors';
import type { ChunkSizeController } from './chunkSizeController';

const PROBE_LINES = 2000;
const PROBE_TOKENS = 16;

export interface ProbeResult {
  chunkSize: number;
  ms: number;
  tokens: number;
}

export class SpeedProbe {
  private running: Promise<ProbeResult[]> | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly tracker: DocumentTracker,
    private readonly controller: ChunkSizeController,
    private readonly background: BackgroundCompressor,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Measure every trained size with progress (command). */
  async run(): Promise<ProbeResult[]> {
    if (this.running) return this.running;
    const doc = vscode.window.activeTextEditor?.document ?? vscode.window.visibleTextEditors[0]?.document;
    if (this.engine.state.kind !== 'ready') {
      void vscode.window.showWarningMessage('CAT: the engine is not ready; cannot measure speeds.');
      return [];
    }
    if (!doc || !this.tracker.verdict(doc).ok) {
      void vscode.window.showInformationMessage('CAT: open a text file first; its text is used to measure each chunk size.');
      return [];
    }
    this.running = Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'CAT: measuring chunk-size speeds', cancellable: true },
        (progress, token) => this.measure(doc, progress, token),
      ),
    ).finally(() => (this.running = undefined));
    return this.running;
  }

  private async measure(
    doc: vscode.TextDocument,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ): Promise<ProbeResult[]> {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const sizes = [...this.controller.trained];
    const first = Math.max(0, doc.lineCount - PROBE_LINES);
    const text = doc.getText(new vscode.Range(first, 0, doc.lineCount, 0));
    const docId = `cat-probe:${doc.uri.toString()}`;
    const out: ProbeResult[] = [];
    const hold = this.background.hold();
    try {
      await this.engine.updateDocument(docId, 1, text);
      for (const c of sizes) {
        if (ac.signal.aborted) break;
        progress.report({ message: `C=${c}: compressing`, increment: 0 });
        await this.engine.warm(docId, c, ac.signal);
        progress.report({ message: `C=${c}: generating` });
        const res = await this.engine.complete({
          docId,
          version: 1,
          offset: text.length,
          chunkSize: c,
          mode: 'multiline',
          maxTokens: PROBE_TOKENS,
          maxLines: 64,
          useSuffix: false,
          temperature: 0,
          signal: ac.signal,
        });
        if (res.tokens > 0) this.controller.record(c, res.ms, res.tokens, res.timing?.firstTokenMs);
        out.push({ chunkSize: c, ms: res.ms, tokens: res.tokens });
        this.log.info(`speed probe C=${c}: ${res.tokens} tokens in ${res.ms.toFixed(0)} ms (${(res.ms / Math.max(1, res.tokens)).toFixed(1)} ms/token)`);
        progress.report({ increment: 100 / sizes.length });
      }
    } catch (e) {
      if (!isAbortError(e)) {
        this.log.warn(`speed probe failed: ${e instanceof Error ? e.message : String(e)}`);
        void vscode.window.showWarningMessage(`CAT: measuring speeds failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    } finally {
      hold.dispose();
      sub.dispose();
      this.engine.closeDocument(docId).catch((e) => this.log.debug(`probe close: ${e instanceof Error ? e.message : String(e)}`));
    }
    return out;
  }
}
