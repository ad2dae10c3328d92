// Missing / corrupt model, CUDA requested but missing, a crashed worker: each is a status
// bar state; providers keep answering (empty) without exceptions; recovery works.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { api, closeAll, complete, open, realSource, report, setAndReload, tempFile, waitFor } from './helpers';

function currentModelDir(state: { kind: string; modelDir?: string }): string {
  if (!state.modelDir) throw new Error(`engine state ${state.kind} has no model folder`);
  return state.modelDir;
}

describe('engine failures', () => {
  let modelDir: string;
  let configuredPath: string | undefined;

  before(async () => {
    const a = await api();
    modelDir = currentModelDir(a.engine.state as { kind: string; modelDir?: string });
    configuredPath = vscode.workspace.getConfiguration('cat').inspect<string>('modelPath')?.globalValue;
  });
  after(async () => {
    const a = await api();
    const cfg = vscode.workspace.getConfiguration('cat');
    if (cfg.inspect('executionProvider')?.globalValue !== undefined) await setAndReload(a, 'executionProvider', undefined);
    if (cfg.inspect<string>('modelPath')?.globalValue !== configuredPath) await setAndReload(a, 'modelPath', configuredPath);
    assert.equal(a.engine.state.kind, 'ready');
    await closeAll();
  });

  it('CUDA requested but missing: CPU runs and the status says "CPU (CUDA unavailable)"', async function () {
    this.timeout(300_000);
    const a = await api();
    const s = await setAndReload(a, 'executionProvider', 'cuda');
    assert.equal(s.kind, 'ready');
    if (s.kind !== 'ready') return;
    if (s.info.provider.active === 'cuda') {
      report('fallback.cuda', { note: 'CUDA is available on this machine; no fallback to test' });
      return;
    }
    assert.equal(s.info.provider.active, 'cpu');
    assert.ok(s.info.provider.skipped.some((x) => x.provider === 'cuda' && x.error.length > 0), 'the CUDA error is reported');
    assert.match(a.status().text, /CPU \(CUDA unavailable\)/);
    assert.match(a.status().tooltip, /CUDA skipped: /);
    report('fallback.cuda', { status: a.status().text, error: s.info.provider.skipped[0]?.error.slice(0, 200) });
    await setAndReload(a, 'executionProvider', undefined);
  });

  it('missing model folder: "model missing" state; providers answer empty', async function () {
    this.timeout(300_000);
    const a = await api();
    const s = await setAndReload(a, 'modelPath', path.join(os.tmpdir(), 'cat-no-such-model'));
    assert.equal(s.kind, 'failed');
    assert.match(a.status().text, /CAT: model missing/);
    const doc = (await open(tempFile('while-missing.js', realSource(100)))).document;
    assert.deepEqual(await complete(a, doc, doc.lineAt(50).range.end), []);
    assert.equal(await vscode.commands.executeCommand('cat.summarizeOpenFile'), undefined);
    report('failure.missingModel', { status: a.status().text });
  });

  it('corrupt model (truncated decoder): "model corrupt" state', async function () {
    this.timeout(300_000);
    const a = await api();
    const bad = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-corrupt-'));
    for (const f of fs.readdirSync(modelDir)) fs.copyFileSync(path.join(modelDir, f), path.join(bad, f));
    const contract = JSON.parse(fs.readFileSync(path.join(bad, 'contract.json'), 'utf8'));
    const dec = path.join(bad, contract.graphs.decoder.file);
    fs.truncateSync(dec, Math.floor(fs.statSync(dec).size / 2));
    const s = await setAndReload(a, 'modelPath', bad);
    assert.equal(s.kind, 'failed');
    assert.match(a.status().text, /CAT: model (corrupt|missing)/);
    report('failure.corruptModel', { status: a.status().text, message: s.kind === 'failed' ? s.message.slice(0, 200) : '' });
    const back = await setAndReload(a, 'modelPath', configuredPath ?? modelDir);
    assert.equal(back.kind, 'ready');
  });

  it('a crashed engine worker is restarted and completions work again', async function () {
    this.timeout(300_000);
    const a = await api();
    const doc = (await open(tempFile('after-crash.js', realSource(300)))).document;
    const seen: string[] = [];
    const sub = a.engine.onDidChangeState((s) => seen.push(s.kind));
    await a.engine.simulateCrash();
    await waitFor('restart', () => seen.includes('restarting'), 10_000);
    assert.match(a.status().text, /restarting/);
    await waitFor('ready again', () => a.engine.state.kind === 'ready', 120_000);
    sub.dispose();
    // The document is re-sent after the reload; a completion runs.
    const items = await complete(a, doc, doc.lineAt(250).range.end);
    assert.ok(Array.isArray(items));
    report('failure.crashRecovery', { states: seen });
  });
});
