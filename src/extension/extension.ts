// Composition root: the one activate() that builds every part, injects its dependencies
// and pushes every Disposable. No logic of its own beyond wiring.
import { mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import * as vscode from 'vscode';
import type { LoadArgs } from '../worker/protocol';
import type { CatApi } from './api';
import { ChunkSizeController } from './chunkSize/chunkSizeController';
import { ChunkSizePanel } from './chunkSize/chunkSizePanel';
import { pickChunkSize } from './chunkSize/chunkSizePick';
import { LatencyBook } from './chunkSize/latencyBook';
import { SpeedProbe } from './chunkSize/speedProbe';
import { registerClearCache, registerRestartEngine, registerRevealLine, registerShowEngineStatus, registerToggleInline } from './commands';
import { BackgroundCompressor } from './documents/backgroundCompressor';
import { DocumentTracker } from './documents/documentTracker';
import { EngineClient, type EngineState } from './engineClient';
import { Commands, OUTPUT_CHANNEL, SettingKeys } from './ids';
import { WorkspaceIndexer } from './index/workspaceIndexer';
import { CatInlineCompletionProvider, registerInlineCompletions } from './inline/completionProvider';
import { Settings } from './settings';
import { StatusBar } from './status/statusBar';
import { SummarizeCommand } from './summarize/summarizeCommand';
import { SummaryDocuments } from './summarize/summaryDocuments';

/** JS heap limit of the engine worker; past it the worker dies (out of memory) and is restarted. */
const WORKER_HEAP_MB = 3072;

let stopEngine: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): CatApi {
  const log = vscode.window.createOutputChannel(OUTPUT_CHANNEL, { log: true });
  context.subscriptions.push(log);
  const settings = new Settings(context.extensionPath);
  const workerFile = path.join(context.extensionPath, 'dist', 'engineWorker.js');

  const engine = new EngineClient({
    createWorker: () => new Worker(workerFile, { name: 'cat-engine', resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } }),
    log,
  });
  stopEngine = () => engine.dispose();

  const chunkSize = new ChunkSizeController(settings, new LatencyBook(), log);
  const summaryDocs = new SummaryDocuments(vscode.Uri.joinPath(context.globalStorageUri, 'summaries'), log);
  const tracker = new DocumentTracker(engine, settings, log, (uri) => summaryDocs.owns(uri));
  const background = new BackgroundCompressor(engine, tracker, chunkSize, settings, log);
  const inline = new CatInlineCompletionProvider(engine, tracker, chunkSize, background, settings, log);
  const summarize = new SummarizeCommand(engine, tracker, chunkSize, background, summaryDocs, settings, log);
  const probe = new SpeedProbe(engine, tracker, chunkSize, background, log);
  const panel = new ChunkSizePanel(context.extensionUri, chunkSize, probe, log);
  const indexer = new WorkspaceIndexer(engine, tracker, settings, log);
  const status = new StatusBar(engine, chunkSize, tracker, background, inline, indexer, log);

  const loadArgs = (): LoadArgs => {
    const s = settings.engine();
    let persistDir: string | undefined;
    if (s.persist) {
      persistDir = path.join(context.globalStorageUri.fsPath, 'chunk-cache');
      try {
        mkdirSync(persistDir, { recursive: true });
      } catch (e) {
        log.warn(`cache persistence off: cannot create ${persistDir}: ${e instanceof Error ? e.message : String(e)}`);
        persistDir = undefined;
      }
    }
    return { modelDir: s.modelDir, provider: s.provider, threads: s.threads, cacheBytes: s.cacheBytes, persistDir };
  };
  // Synchronous up to the state change, so that the state is 'starting' when this returns.
  const startEngine = (): Promise<EngineState> => engine.start(loadArgs());

  context.subscriptions.push(
    chunkSize,
    tracker,
    background,
    indexer,
    panel,
    status,
    registerInlineCompletions(inline, tracker),
    engine.onDidChangeState((s) => chunkSize.setEngineInfo(s.kind === 'ready' ? s.info : undefined)),
    vscode.commands.registerCommand(Commands.summarizeOpenFile, (uri?: vscode.Uri) => summarize.run(uri)),
    vscode.commands.registerCommand(Commands.setChunkSize, () => pickChunkSize(chunkSize, log)),
    vscode.commands.registerCommand(Commands.openChunkSizeSlider, () => panel.show()),
    vscode.commands.registerCommand(Commands.measureChunkSpeeds, () => probe.run()),
    registerShowEngineStatus(status, log),
    registerClearCache(engine, chunkSize, log),
    registerRestartEngine(startEngine, log),
    registerToggleInline(settings),
    registerRevealLine(log),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (Settings.affects(e, SettingKeys.modelPath, SettingKeys.executionProvider, SettingKeys.threads, SettingKeys.cacheMemoryMB, SettingKeys.cachePersist)) {
        log.info('engine settings changed: reloading the engine');
        void startEngine();
      }
      if (Settings.affects(e, SettingKeys.maxFileSizeKB)) tracker.reclassifyAll();
      if (Settings.affects(e, SettingKeys.cacheBackground, SettingKeys.cacheIdleMs)) background.activity();
      if (Settings.affects(e, SettingKeys.indexEnabled, SettingKeys.indexWorkspaceTokenBudget)) indexer.schedule(0, true);
    }),
  );

  void startEngine();

  return {
    engine,
    tracker,
    chunkSize,
    inline,
    indexer,
    summarize,
    probe,
    panel,
    status: () => status.render(),
    settled: (timeoutMs) =>
      new Promise<EngineState>((resolve) => {
        const done = (s: EngineState) => s.kind === 'ready' || s.kind === 'failed' || s.kind === 'stopped';
        if (done(engine.state)) return resolve(engine.state);
        const timer = setTimeout(() => {
          sub.dispose();
          resolve(engine.state);
        }, timeoutMs);
        const sub = engine.onDidChangeState((s) => {
          if (!done(s)) return;
          clearTimeout(timer);
          sub.dispose();
          resolve(s);
        });
      }),
  };
}

export async function deactivate(): Promise<void> {
  await stopEngine?.();
  stopEngine = undefined;
}
