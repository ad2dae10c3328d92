import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, extension, report } from './helpers';

describe('activation', () => {
  it('activates and loads the model on some provider', async () => {
    const a = await api();
    assert.equal(extension().isActive, true);
    const s = a.engine.state;
    assert.equal(s.kind, 'ready', s.kind === 'failed' ? s.message : s.kind);
    if (s.kind === 'ready') {
      assert.ok(s.info.chunkSizes.length > 0);
      report('model', { name: s.info.modelName, provider: s.info.provider.active, chunkSizes: s.info.chunkSizes, dir: s.modelDir });
    }
  });

  it('registers every contributed command', async () => {
    const contributed: { command: string }[] = extension().packageJSON.contributes.commands;
    const all = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.map((c) => c.command).filter((c) => !all.has(c));
    assert.deepEqual(missing, []);
    assert.ok(contributed.length >= 4);
  });

  it('shows a status bar item naming the chunk size and provider', async () => {
    const a = await api();
    assert.match(a.status().text, /CAT \d+( \(auto\))? · (CPU|CUDA)/);
  });

  it('"Show Engine Status" answers with the status', async () => {
    const view = await vscode.commands.executeCommand<{ text: string }>('cat.showEngineStatus');
    assert.match(view.text, /CAT/);
  });
});
