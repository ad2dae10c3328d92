// "CAT: Summarize Open File": cancellable progress with per-chunk steps, then a Markdown
// document beside the editor (the file's header, map, key passages, a generated overview when it
// passes its checks) with line links
// that work in the editor and in the Markdown preview (see summaryDocuments.ts).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { outlineLanguage } from '../../engine/outline/language';
import type { FileMap, SummaryResult } from '../../engine/types';
import type { ChunkSizeController } from '../chunkSize/chunkSizeController';
import type { BackgroundCompressor } from '../documents/backgroundCompressor';
import { docIdOf, type DocumentTracker } from '../documents/documentTracker';
import type { EngineClient } from '../engineClient';
import { isAbortError } from '../engine/errors';
import type { Settings } from '../settings';
import { symbolsMap, type SymbolLike } from './outline';
import type { ShownSummary, SummaryDocuments } from './summaryDocuments';
import { renderSummaryMarkdown, type SummaryView } from './summaryMarkdown';

const SYMBOL_TIMEOUT_MS = 4000;
/**
 * Above this many lines the editor's symbol provider is not asked: on a 10,000-line file its
 * answer (parsed and converted on the extension host's thread by the language extension)
 * stalled the host for ~1 s. The engine's parsers (TypeScript, JavaScript, Python, Markdown) run
 * in the engine's worker at any size.
 */
const SYMBOLS_MAX_LINES = 3000;

export interface SummaryOutcome {
  source: vscode.Uri;
  markdown: string;
  editor: vscode.TextEditor;
  /** Outline + passages (stage 1). */
  result: SummaryResult;
  /** Until the summary document was shown. */
  totalMs: number;
  /** The generated overview (stage 2, in the background): undefined when off or none. */
  overview: Promise<string | undefined>;
  /** Milliseconds from the start at which each phase ended (diagnostics, tests). */
  phases: Record<string, number>;
}

/** The map from the editor's document symbols, for languages the engine has no parser for. */
async function symbolMap(doc: vscode.TextDocument, log: vscode.LogOutputChannel): Promise<FileMap | undefined> {
  if (outlineLanguage(doc.languageId, doc.uri.path) || doc.lineCount > SYMBOLS_MAX_LINES) return undefined;
  try {
    const symbols = await Promise.race([
      vscode.commands.executeCommand<SymbolLike[] | undefined>('vscode.executeDocumentSymbolProvider', doc.uri),
      new Promise<undefined>((r) => setTimeout(() => r(undefined), SYMBOL_TIMEOUT_MS)),
    ]);
    return symbols ? symbolsMap(symbols) : undefined;
  } catch (e) {
    log.debug(`document symbols unavailable for ${doc.uri.toString(true)}: ${e instanceof Error ? e.message : String(e)}`);
    return undefined;
  }
}

export class SummarizeCommand {
  constructor(
    private readonly engine: EngineClient,
    private readonly tracker: DocumentTracker,
    private readonly chunkSize: ChunkSizeController,
    private readonly background: BackgroundCompressor,
    private readonly documents: SummaryDocuments,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  private async resolveDocument(arg: unknown): Promise<vscode.TextDocument | undefined> {
    if (arg instanceof vscode.Uri) {
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === arg.toString());
      return open ?? vscode.workspace.openTextDocument(arg);
    }
    return vscode.window.activeTextEditor?.document;
  }

  /** Command handler; resolves with the outcome (undefined when nothing was produced). */
  async run(arg?: unknown): Promise<SummaryOutcome | undefined> {
    let doc: vscode.TextDocument | undefined;
    try {
      doc = await this.resolveDocument(arg);
    } catch (e) {
      void vscode.window.showWarningMessage(`CAT: cannot open that file as text: ${e instanceof Error ? e.message : String(e)}`);
      return undefined;
    }
    if (!doc) {
      void vscode.window.showInformationMessage('CAT: open a file to summarize it.');
      return undefined;
    }
    const verdict = this.tracker.verdict(doc);
    if (!verdict.ok) {
      void vscode.window.showWarningMessage(`CAT cannot summarize ${path.basename(doc.uri.path)}: ${verdict.message}`);
      return undefined;
    }
    const state = this.engine.state;
    if (state.kind !== 'ready') {
      const why = state.kind === 'failed' ? state.message : `the engine is ${state.kind}`;
      void vscode.window.showWarningMessage(`CAT cannot summarize now: ${why}`);
      return undefined;
    }
    const title = path.basename(doc.uri.path) || doc.uri.toString(true);
    const target = doc;
    try {
      return await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `CAT: summarizing ${title}`, cancellable: true },
        (progress, token) => this.summarize(target, title, progress, token),
      );
    } catch (e) {
      if (isAbortError(e)) {
        this.log.info(`summary of ${title} cancelled`);
        return undefined;
      }
      const message = e instanceof Error ? e.message : String(e);
      this.log.error(`summary of ${title} failed: ${message}`);
      void vscode.window.showErrorMessage(`CAT: summary failed: ${message}`);
      return undefined;
    }
  }

  private async summarize(
    doc: vscode.TextDocument,
    title: string,
    progress: vscode.Progress<{ message?: string; increment?: number }>,
    token: vscode.CancellationToken,
  ): Promise<SummaryOutcome | undefined> {
    const t0 = performance.now();
    const phases: Record<string, number> = {};
    const mark = (name: string) => (phases[name] = Math.round(performance.now() - t0));
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    const hold = this.background.hold();
    try {
      progress.report({ message: 'sending the document to the engine…' });
      const symbolsPromise = symbolMap(doc, this.log).finally(() => mark('symbols'));
      const verdict = await this.tracker.ensureSynced(doc);
      mark('sync');
      if (!verdict.ok) throw new Error(verdict.message);
      const chunkSize = this.chunkSize.current;
      const version = doc.version;
      let reported = 0;
      let lastReport = 0;
      // Stage 1: outline + key passages (compressed chunks, mostly from the cache): shown at once.
      const result = await this.engine.summarize({
        docId: docIdOf(doc),
        version,
        chunkSize,
        maxPassages: this.settings.summaryMaxPassages(),
        overview: false,
        fileName: doc.uri.path,
        languageId: doc.languageId,
        signal: ac.signal,
        onProgress: (p) => {
          // At most ~8 updates a second: each one is a message to the workbench.
          const now = performance.now();
          if (now - lastReport < 120 && p.done < p.total) return;
          lastReport = now;
          const pct = p.total > 0 ? Math.min(100, (p.done / p.total) * 100) : 0;
          const increment = Math.max(0, pct - reported);
          reported += increment;
          progress.report({ message: `${p.phase}: ${p.done}/${p.total} chunks`, increment });
        },
      });
      mark('engine');
      if (ac.signal.aborted) return undefined;
      const map = result.map ?? (await symbolsPromise);
      const info = this.engine.info;
      const wantOverview = this.settings.summaryOverview();
      const summaryUri = this.documents.fileFor(doc.uri, title);
      const view: SummaryView = {
        title,
        sourceHref: this.documents.sourceHref(summaryUri, doc.uri),
        languageId: doc.languageId,
        header: result.header,
        map,
        passages: result.passages,
        scoreRange: result.scoreRange,
        overviewState: wantOverview ? 'pending' : 'off',
        model: info?.modelName ?? 'unknown',
        chunkSize,
        provider: info?.provider.active ?? '?',
        chunks: result.chunks,
        ms: result.ms,
        lineCount: doc.lineCount,
      };
      const markdown = renderSummaryMarkdown(view);
      mark('render');
      const shown = await this.documents.show(summaryUri, markdown);
      const editor = shown.editor;
      mark('shown');
      const totalMs = performance.now() - t0;
      this.log.info(
        `summary of ${title}: ${result.chunks} chunks, ${result.passages.length} passages, engine ${result.ms.toFixed(0)} ms, shown after ${totalMs.toFixed(0)} ms`,
      );
      // Stage 2: the generated overview, in the background; the document updates when it is done.
      const overview = wantOverview
        ? this.generateOverview(doc, version, chunkSize, view, shown, title)
        : Promise.resolve(undefined);
      return { source: doc.uri, markdown, editor, result, totalMs, phases, overview };
    } finally {
      hold.dispose();
      sub.dispose();
    }
  }

  /** Ask the model for an overview and put it into the shown summary. Never rejects. */
  private async generateOverview(
    doc: vscode.TextDocument,
    version: number,
    chunkSize: number,
    view: SummaryView,
    shown: ShownSummary,
    title: string,
  ): Promise<string | undefined> {
    const ac = new AbortController();
    const closed = vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.toString() === shown.uri.toString()) ac.abort();
    });
    const hold = this.background.hold();
    const t0 = performance.now();
    try {
      const res = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `CAT: overview of ${title}` },
        () =>
          this.engine.summarize({
            docId: docIdOf(doc),
            version,
            chunkSize,
            maxPassages: 0,
            outline: false,
            overview: true,
            fileName: doc.uri.path,
            languageId: doc.languageId,
            signal: ac.signal,
          }),
      );
      this.log.info(`overview of ${title}: ${res.overview ? 'generated, passed its checks' : `left out (${res.overviewRejected?.reason ?? 'none'})`} in ${(performance.now() - t0).toFixed(0)} ms`);
      await this.documents.update(shown, renderSummaryMarkdown({ ...view, overview: res.overview, overviewState: 'done' }));
      return res.overview;
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      if (!isAbortError(e)) this.log.warn(`overview of ${title} failed: ${message}`);
      await this.documents.update(shown, renderSummaryMarkdown({ ...view, overviewState: 'off' })).catch((e2: unknown) => {
        this.log.warn(`summary of ${title} not updated: ${e2 instanceof Error ? e2.message : String(e2)}`);
      });
      return undefined;
    } finally {
      hold.dispose();
      closed.dispose();
    }
  }
}
