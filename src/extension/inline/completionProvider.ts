// Inline (ghost text) completions from the local model, for every text document. Thin:
// debounce, cancellation, request shaping and post-processing live in pure helpers.
// Never throws and never shows a dialog: failures are logged and answered with nothing.
import * as vscode from 'vscode';
import type { CompletionResult, CompletionTiming, GateReport } from '../../engine/types';
import type { BackgroundCompressor } from '../documents/backgroundCompressor';
import { MAX_COMPLETION_LINE_CHARS } from '../documents/documentFilter';
import { docIdOf, type DocumentTracker } from '../documents/documentTracker';
import type { ChunkSizeController } from '../chunkSize/chunkSizeController';
import type { EngineClient } from '../engineClient';
import { isAbortError } from '../engine/errors';
import type { Settings } from '../settings';
import { AdaptiveDebounce, sleep } from './debounce';
import { heldBackLine, isGated, SuggestionTally } from './gate';
import { postProcess } from './postprocess';
import { SuggestionCache, type SuggestionKey } from './suggestionCache';

const FOLLOWING_LINES = 8;
const ADAPTIVE_MAX_MS = 500;

export interface CompletionTrace {
  docId: string;
  /** Provider call to items returned (includes debounce when automatic). */
  totalMs: number;
  /** Engine time for the request, when the model ran. */
  engineMs?: number;
  chunkSize: number;
  tokens?: number;
  stop?: string;
  fromCache: boolean;
  shown: string | undefined;
  raw?: string;
  /** The engine's breakdown of its time, when it gives one. */
  timing?: CompletionTiming;
  /** The confidence gate's decision (absent when the model has no calibrated gate). */
  gate?: GateReport;
  /** Longest match of the context in the exact index at the first token (0: none). */
  indexMatch?: number;
}

export class CatInlineCompletionProvider implements vscode.InlineCompletionItemProvider {
  readonly cache = new SuggestionCache();
  readonly debounce = new AdaptiveDebounce();
  /** Suggestions shown and held back by the confidence gate this session (status bar). */
  readonly tally = new SuggestionTally();
  private readonly traced = new vscode.EventEmitter<CompletionTrace>();
  /** Every answered request (status bar latency, integration tests). */
  readonly onDidComplete = this.traced.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly tracker: DocumentTracker,
    private readonly chunkSize: ChunkSizeController,
    private readonly background: BackgroundCompressor,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  async provideInlineCompletionItems(
    doc: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[]> {
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    try {
      return await this.provide(doc, position, context, ac.signal);
    } catch (e) {
      if (!isAbortError(e)) this.log.warn(`inline completion failed for ${doc.uri.toString(true)}: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    } finally {
      sub.dispose();
    }
  }

  private async provide(
    doc: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    signal: AbortSignal,
  ): Promise<vscode.InlineCompletionItem[]> {
    const t0 = performance.now();
    const opts = this.settings.inline();
    if (!opts.enabled) return [];
    if (!this.tracker.verdict(doc).ok) return [];
    const line = doc.lineAt(position.line);
    if (line.text.length > MAX_COMPLETION_LINE_CHARS) {
      this.log.trace(`no completion: line ${position.line + 1} has ${line.text.length} characters (minified?)`);
      return [];
    }
    const docId = docIdOf(doc);
    const linePrefix = line.text.slice(0, position.character);
    const lineSuffix = line.text.slice(position.character);
    const chunkSize = this.chunkSize.current;
    const key: SuggestionKey = {
      docId,
      line: position.line,
      linePrefix,
      lineSuffix,
      previousLine: position.line > 0 ? doc.lineAt(position.line - 1).text : '',
      chunkSize,
    };
    const item = (text: string) => [new vscode.InlineCompletionItem(text, new vscode.Range(position, position))];

    const reused = this.cache.lookup(key);
    if (reused !== undefined) {
      this.traced.fire({ docId, totalMs: performance.now() - t0, chunkSize, fromCache: true, shown: reused });
      return item(reused);
    }

    if (context.triggerKind === vscode.InlineCompletionTriggerKind.Automatic) {
      const delay = this.debounce.delayMs(docId, { adaptive: opts.adaptiveDebounce, baseMs: opts.debounceMs, maxMs: ADAPTIVE_MAX_MS });
      if (!(await sleep(delay, signal))) return [];
    }
    this.background.activity();
    const verdict = await this.tracker.ensureSynced(doc);
    if (!verdict.ok || signal.aborted) return [];

    const mode = lineSuffix.trim() === '' ? 'multiline' : 'line';
    const version = doc.version;
    const res: CompletionResult = await this.engine.complete({
      docId,
      version,
      offset: doc.offsetAt(position),
      chunkSize,
      mode,
      maxTokens: opts.maxTokens,
      maxLines: opts.maxLines,
      timeBudgetMs: opts.timeBudgetMs,
      useSuffix: 'auto',
      // other open files: their compressed entries (within the budget) and their exact index
      contextDocIds: opts.contextEntryBudget > 0 || opts.useIndex ? this.tracker.contextDocIds(docId) : [],
      contextEntryBudget: opts.contextEntryBudget,
      temperature: 0,
      useIndex: opts.useIndex,
      minConfidence: opts.minConfidence,
      signal,
    });
    if (signal.aborted || doc.version !== version) return [];
    if (res.tokens > 0 && res.stop !== 'aborted') this.chunkSize.record(res.chunkSize, res.ms, res.tokens, res.timing?.firstTokenMs);

    const gated = isGated(res);
    const following: string[] = [];
    for (let l = position.line + 1; l < Math.min(doc.lineCount, position.line + 1 + FOLLOWING_LINES); l++) following.push(doc.lineAt(l).text);
    const shown = gated ? undefined : postProcess(res.text, { mode, lineSuffix, followingLines: following, maxLines: opts.maxLines });
    this.tally.record(res, shown !== undefined);
    const totalMs = performance.now() - t0;
    this.traced.fire({
      docId,
      totalMs,
      engineMs: res.ms,
      chunkSize: res.chunkSize,
      tokens: res.tokens,
      stop: res.stop,
      fromCache: false,
      shown,
      raw: gated ? res.gate?.heldBack ?? '' : res.text,
      timing: res.timing,
      gate: res.gate,
      indexMatch: res.indexMatch,
    });
    if (gated) this.log.trace(heldBackLine(res));
    this.log.trace(`completion C=${res.chunkSize} ${res.tokens} tok in ${res.ms.toFixed(0)} ms (total ${totalMs.toFixed(0)} ms, stop ${res.stop}` +
      `${res.gate ? `, confidence ${res.gate.confidence.toFixed(3)}` : ''}${res.indexMatch ? `, index match ${res.indexMatch}` : ''})${shown ? '' : ' -> nothing shown'}`);
    if (shown === undefined) return [];
    this.cache.remember(key, shown);
    return item(shown);
  }

  dispose(): void {
    this.traced.dispose();
  }
}

/** Register the provider for all documents and feed it keystroke timings. */
export function registerInlineCompletions(provider: CatInlineCompletionProvider, tracker: DocumentTracker): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.languages.registerInlineCompletionItemProvider('*', provider),
    tracker.onDidEdit((doc) => provider.debounce.recordKeystroke(docIdOf(doc), Date.now())),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      provider.cache.forgetDocument(docIdOf(doc));
      provider.debounce.forget(docIdOf(doc));
    }),
    provider,
  );
}
