// The small commands: engine status, clear cache, restart, toggle inline, reveal line.
// Each registerX() returns a Disposable; handlers log failures instead of throwing.
import * as vscode from 'vscode';
import type { ChunkSizeController } from './chunkSize/chunkSizeController';
import type { EngineClient } from './engineClient';
import { Commands, SettingKeys } from './ids';
import type { Settings } from './settings';
import type { StatusBar } from './status/statusBar';

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function registerShowEngineStatus(status: StatusBar, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.showEngineStatus, () => {
    const view = status.render();
    log.info(`engine status: ${view.text.replace(/\$\([^)]*\)\s*/g, '')}\n${view.tooltip}`);
    log.show(true);
    return view;
  });
}

export function registerClearCache(engine: EngineClient, chunkSize: ChunkSizeController, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.clearChunkCache, async () => {
    try {
      const before = await engine.cacheStats(chunkSize.current);
      await engine.clearCache();
      log.info(`chunk cache cleared (${before.entries} entries, ${before.bytes} bytes)`);
      void vscode.window.showInformationMessage(`CAT: chunk cache cleared (${before.entries} entries).`);
    } catch (e) {
      log.warn(`clear cache failed: ${message(e)}`);
      void vscode.window.showWarningMessage(`CAT: could not clear the cache: ${message(e)}`);
    }
  });
}

export function registerRestartEngine(restart: () => Promise<unknown>, log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.restartEngine, async () => {
    log.info('engine restart requested');
    await restart();
  });
}

export function registerToggleInline(settings: Settings): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.toggleInline, async () => {
    const enabled = settings.inline().enabled;
    await settings.update(SettingKeys.inlineEnabled, !enabled);
    void vscode.window.showInformationMessage(`CAT inline completions ${enabled ? 'off' : 'on'}.`);
  });
}

/** Opens a document at a 1-based line: target of command links. */
export function registerRevealLine(log: vscode.LogOutputChannel): vscode.Disposable {
  return vscode.commands.registerCommand(Commands.revealLine, async (uri: string | vscode.Uri, line: number) => {
    try {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri;
      const doc = await vscode.workspace.openTextDocument(target);
      const l = Math.max(0, Math.min(doc.lineCount - 1, Math.floor(line) - 1));
      const pos = new vscode.Position(l, 0);
      return await vscode.window.showTextDocument(doc, { selection: new vscode.Range(pos, pos), preview: false });
    } catch (e) {
      log.warn(`reveal line ${line} of ${String(uri)} failed: ${message(e)}`);
      return undefined;
    }
  });
}
