import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompletionTrace } from '../../src/extension/inline/completionProvider';
import { api, closeAll, complete, open, realSource, report, tempFile } from './helpers';

describe('chunk size', () => {
  after(async () => {
    await (await api()).chunkSize.set(16);
    await closeAll();
  });

  it('a change applies to the next completion without reload and is saved in settings', async function () {
    this.timeout(300_000);
    const a = await api();
    const doc = (await open(tempFile('chunk-size.js', realSource(3000)))).document;
    const reloads: string[] = [];
    const sub = a.engine.onDidChangeState((s) => reloads.push(s.kind));
    const traces: CompletionTrace[] = [];
    const tsub = a.inline.onDidComplete((t) => traces.push(t));
    const measured: Record<number, number> = {};
    try {
      // Different positions each round: a repeated position would be answered from the
      // suggestion cache without running the model.
      let line = 2500;
      for (const c of [16, 64, 16]) {
        await a.chunkSize.set(c);
        assert.equal(vscode.workspace.getConfiguration('cat').get('chunkSize'), c, 'saved in the user settings');
        assert.equal(a.chunkSize.current, c);
        traces.length = 0;
        // twice: the first at a new size also compresses the document at that size
        for (const l of [line, line + 1]) await complete(a, doc, doc.lineAt(l).range.end);
        line += 100;
        const engineTraces = traces.filter((t) => !t.fromCache);
        assert.ok(engineTraces.length > 0, `the model ran at C=${c}`);
        assert.ok(engineTraces.every((t) => t.chunkSize === c), `next completion used C=${c}`);
        measured[c] = Math.round(engineTraces.at(-1)!.engineMs ?? -1);
        assert.match(a.status().text, new RegExp(`CAT ${c} `));
      }
    } finally {
      sub.dispose();
      tsub.dispose();
    }
    assert.deepEqual(reloads, [], 'the engine was not reloaded');
    report('chunkSize.switch.engineMs', measured);
  });

  it('"auto" picks a trained size from live measurements', async () => {
    const a = await api();
    await a.chunkSize.set('auto');
    assert.equal(vscode.workspace.getConfiguration('cat').get('chunkSize'), 'auto');
    assert.ok(a.chunkSize.trained.includes(a.chunkSize.current));
    assert.match(a.status().text, /\(auto\)/);
  });

  it('the slider webview opens with "auto" and every trained size, labelled', async () => {
    const a = await api();
    await vscode.commands.executeCommand('cat.openChunkSizeSlider');
    assert.equal(a.panel.isOpen, true);
    const st = a.panel.state();
    assert.deepEqual(st.choices.map((c) => c.value), ['auto', ...[...a.chunkSize.trained].sort((x, y) => x - y)]);
    assert.ok(st.choices.slice(1).every((c) => /ms\/token|not measured/.test(c.detail)));
    assert.equal(st.index, 0);
  });
});
