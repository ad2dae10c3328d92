// The status bar item ("CAT 16 · CPU"): engine state, chunk size, provider, the active
// document's state; a tooltip with measured latency, cache coverage and memory.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { CacheStats, IndexStats } from '../../engine/types';
import type { ChunkSizeController } from '../chunkSize/chunkSizeController';
import type { BackgroundCompressor } from '../documents/backgroundCompressor';
import type { DocumentTracker } from '../documents/documentTracker';
import type { EngineClient } from '../engineClient';
import { Commands } from '../ids';
import type { WorkspaceIndexer } from '../index/workspaceIndexer';
import type { CatInlineCompletionProvider } from '../inline/completionProvider';
import { buildStatus, type StatusView } from './statusText';

const REFRESH_DEBOUNCE_MS = 150;
const STATS_INTERVAL_MS = 5000;

export class StatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout;
  private stats: CacheStats | undefined;
  private indexStats: IndexStats | undefined;
  private lastCompletionMs: number | undefined;
  private statsInFlight = false;
  private view: StatusView | undefined;

  constructor(
    private readonly engine: EngineClient,
    private readonly chunkSize: ChunkSizeController,
    private readonly tracker: DocumentTracker,
    background: BackgroundCompressor,
    private readonly provider: CatInlineCompletionProvider,
    private readonly indexer: WorkspaceIndexer,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item = vscode.window.createStatusBarItem('cat.status', vscode.StatusBarAlignment.Right, 100);
    this.item.name = 'CAT chunk size';
    this.item.command = Commands.openChunkSizeSlider;
    this.subs.push(
      engine.onDidChangeState(() => this.refresh(true)),
      chunkSize.onDidChange(() => this.refresh(true)),
      tracker.onDidChangeDocumentState(() => this.refresh(false)),
      vscode.window.onDidChangeActiveTextEditor(() => this.refresh(false)),
      background.onDidWarm(() => this.refresh(true)),
      indexer.onDidChange(() => this.refresh(true)),
      provider.onDidComplete((t) => {
        if (!t.fromCache) this.lastCompletionMs = t.totalMs;
        this.refresh(false);
      }),
    );
    this.statsTimer = setInterval(() => void this.fetchStats(), STATS_INTERVAL_MS);
    this.render();
    this.item.show();
  }

  /** What the item shows now (for "Show Engine Status" and the integration tests). */
  get current(): StatusView {
    return this.view ?? this.render();
  }

  refresh(withStats: boolean): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.render();
      if (withStats) void this.fetchStats();
    }, REFRESH_DEBOUNCE_MS);
  }

  /** Render synchronously (tests call this through `current` after waiting for a state). */
  render(): StatusView {
    const ed = vscode.window.activeTextEditor;
    const doc = ed && !this.tracker.isInternal(ed.document.uri) ? ed.document : undefined;
    const view = buildStatus({
      engine: this.engine.state,
      chunk: this.chunkSize.view(),
      doc: doc ? { name: path.basename(doc.uri.path) || doc.uri.toString(true), verdict: this.tracker.verdict(doc) } : undefined,
      stats: this.engine.state.kind === 'ready' ? this.stats : undefined,
      lastCompletionMs: this.lastCompletionMs,
      tally: this.provider.tally.view,
      index: { view: this.indexer.view, stats: this.engine.state.kind === 'ready' ? this.indexStats : undefined },
    });
    this.view = view;
    this.item.text = view.text;
    const md = new vscode.MarkdownString(view.tooltip);
    md.supportThemeIcons = true;
    this.item.tooltip = md;
    this.item.backgroundColor =
      view.severity === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : view.severity === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    return view;
  }

  private async fetchStats(): Promise<void> {
    // One request at a time: computing coverage can take the engine a while on huge documents.
    if (this.engine.state.kind !== 'ready' || this.statsInFlight) return;
    this.statsInFlight = true;
    try {
      this.stats = await this.engine.cacheStats(this.chunkSize.current);
      this.indexStats = await this.engine.indexStats();
      this.render();
    } catch (e) {
      this.log.debug(`cache stats unavailable: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.statsInFlight = false;
    }
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearInterval(this.statsTimer);
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
