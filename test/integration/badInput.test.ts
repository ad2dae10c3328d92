// Bad input: every case answered with a clear state or message, never an exception from a
// provider, never a blocked host.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { api, closeAll, complete, open, realSource, report, tempFile } from './helpers';

async function tryOpen(uri: vscode.Uri): Promise<vscode.TextEditor | { refused: string }> {
  try {
    return await open(uri);
  } catch (e) {
    return { refused: e instanceof Error ? e.message : String(e) };
  }
}

describe('bad input', () => {
  after(closeAll);

  it('binary file: no completion, status says binary, summarize refuses with a message', async () => {
    const a = await api();
    const bytes = Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01\0\0\0\0\0'), randomBytes(64 * 1024)]);
    const opened = await tryOpen(tempFile('program.bin', bytes));
    if ('refused' in opened) {
      report('badInput.binary', { openedByVsCode: false, message: opened.refused });
      return; // VS Code itself refused to open it as text: nothing reaches us.
    }
    const doc = opened.document;
    const t0 = performance.now();
    const items = await complete(a, doc, doc.lineAt(0).range.end);
    const ms = performance.now() - t0;
    assert.deepEqual(items, []);
    const v = a.tracker.verdict(doc);
    assert.equal(v.ok, false);
    assert.match(a.status().text, /binary file/);
    assert.equal(await vscode.commands.executeCommand('cat.summarizeOpenFile'), undefined);
    report('badInput.binary', { openedByVsCode: true, verdict: v, providerMs: Math.round(ms) });
  });

  it('file over the size limit (6 MB): no completion, nothing sent to the engine, clear status', async () => {
    const a = await api();
    const chunk = realSource(2000);
    const big = chunk.repeat(Math.ceil((6 * 1024 * 1024) / chunk.length));
    const opened = await tryOpen(tempFile('big.js', big));
    assert.ok(!('refused' in opened), 'VS Code opens a 6 MB text file');
    const doc = opened.document;
    const t0 = performance.now();
    const items = await complete(a, doc, doc.lineAt(doc.lineCount - 2).range.end);
    const ms = performance.now() - t0;
    assert.deepEqual(items, []);
    const v = a.tracker.verdict(doc);
    assert.ok(!v.ok && v.reason === 'tooLarge', JSON.stringify(v));
    assert.match(a.status().text, /file too large/);
    assert.ok(!a.tracker.engineDocIds().includes(doc.uri.toString()));
    report('badInput.6MB', { providerMs: Math.round(ms), message: v.ok ? '' : v.message });
  });

  it('50 MB file: answered without an exception', async function () {
    this.timeout(180_000);
    const a = await api();
    const line = 'const value = compute(alpha, beta, gamma); // filler line for a very large file\n';
    const opened = await tryOpen(tempFile('huge.js', line.repeat(Math.ceil((50 * 1024 * 1024) / line.length))));
    if ('refused' in opened) {
      report('badInput.50MB', { openedByVsCode: false, message: opened.refused });
      return;
    }
    const doc = opened.document;
    const items = await complete(a, doc, doc.lineAt(10).range.end);
    assert.deepEqual(items, []);
    const v = a.tracker.verdict(doc);
    assert.ok(!v.ok && v.reason === 'tooLarge');
    report('badInput.50MB', { openedByVsCode: true, message: v.message });
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('2 MB single line: no completion on it (minified), no exception; other lines still work', async () => {
    const a = await api();
    const longLine = 'var a=' + Array.from({ length: 200_000 }, (_, i) => `f${i % 97}(${i})`).join(',').slice(0, 2 * 1024 * 1024) + ';';
    const text = realSource(100) + longLine + '\n' + realSource(50);
    const opened = await tryOpen(tempFile('minified.js', text));
    assert.ok(!('refused' in opened));
    const doc = opened.document;
    const t0 = performance.now();
    assert.deepEqual(await complete(a, doc, doc.lineAt(100).range.end), []);
    const ms = performance.now() - t0;
    const other = await complete(a, doc, doc.lineAt(140).range.end);
    assert.ok(Array.isArray(other));
    report('badInput.2MBline', { providerMsOnLongLine: Math.round(ms), verdict: a.tracker.verdict(doc) });
  });

  it('invalid UTF-8: opened with replacement characters, handled, noted', async () => {
    const a = await api();
    const bytes = Buffer.concat([Buffer.from(realSource(300)), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x0a]), Buffer.from('const after = 1;\n')]);
    const opened = await tryOpen(tempFile('bad-utf8.js', bytes));
    assert.ok(!('refused' in opened));
    const doc = opened.document;
    const items = await complete(a, doc, doc.lineAt(200).range.end);
    assert.ok(Array.isArray(items));
    const v = a.tracker.verdict(doc);
    assert.equal(v.ok, true);
    report('badInput.invalidUtf8', { verdict: v });
  });

  it('read-only virtual document: summarize works on it, nothing is written', async () => {
    const a = await api();
    const scheme = 'cat-test-ro';
    const content = realSource(400);
    const reg = vscode.workspace.registerTextDocumentContentProvider(scheme, { provideTextDocumentContent: () => content });
    try {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.parse(`${scheme}:/virtual/sample.js`));
      await vscode.window.showTextDocument(doc);
      assert.ok(Array.isArray(await complete(a, doc, doc.lineAt(300).range.end)));
      const out = await vscode.commands.executeCommand<{ markdown: string } | undefined>('cat.summarizeOpenFile', doc.uri);
      assert.ok(out && /## Key passages/.test(out.markdown));
      assert.equal(doc.getText(), content, 'document unchanged');
      assert.equal(doc.isDirty, false);
    } finally {
      reg.dispose();
    }
  });

  it('never changes the documents it reads', async () => {
    const a = await api();
    const text = realSource(500);
    const doc = (await open(tempFile('untouched.js', text))).document;
    await complete(a, doc, doc.lineAt(400).range.end);
    await vscode.commands.executeCommand('cat.summarizeOpenFile');
    assert.equal(doc.getText(), text);
    assert.equal(doc.isDirty, false);
  });
});
