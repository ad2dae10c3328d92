import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CompletionTrace } from '../../src/extension/inline/completionProvider';
import type { CatApi } from '../../src/extension/api';
import { api, closeAll, complete, open, percentile, realSource, report, tempFile, waitFor, waitForQuietCpu } from './helpers';

/** A suggestion the user can type through on the cursor's line. */
function typeable(text: string): boolean {
  return text.length >= 2 && !/^[\r\n]/.test(text);
}

describe('inline completions', () => {
  let doc: vscode.TextDocument;
  /** Positions where the model's suggestion was shown (reused by the typing-through test). */
  const shownAt: { line: number; text: string }[] = [];

  before(async () => {
    const a = await api();
    await a.chunkSize.set(16);
    // latency and reuse of the model's own suggestions: the confidence gate would hold most of
    // this weak model's suggestions back (the gate has its own suite, recall.test.ts)
    await vscode.workspace.getConfiguration('cat').update('inline.minConfidence', 0, vscode.ConfigurationTarget.Global);
    doc = (await open(tempFile('five-thousand.js', realSource(5000)))).document;
  });
  after(async () => {
    await vscode.workspace.getConfiguration('cat').update('inline.minConfidence', undefined, vscode.ConfigurationTarget.Global);
    await closeAll();
  });

  /** Cursor positions: ends of non-blank lines spread over the second half of the file, 83 lines apart. */
  function jumpLines(): number[] {
    const lines: number[] = [];
    for (let l = 2500; l < 4990 && lines.length < 30; l += 83) if (doc.lineAt(l).text.trim()) lines.push(l);
    return lines;
  }

  /** Requests at `lines`, one right after the other, on a document the engine has not seen
   * compressed: each computes the entries between the previous cursor and its own (~150 at C=16). */
  async function jumpPass(a: CatApi, lines: number[]): Promise<Record<string, unknown>> {
    const t0 = performance.now();
    const first = await complete(a, doc, doc.lineAt(lines[0]).range.end);
    const coldMs = performance.now() - t0;
    const times: number[] = [];
    let withItems = 0;
    const traces: CompletionTrace[] = [];
    const sub = a.inline.onDidComplete((t) => traces.push(t));
    for (const l of lines.slice(1)) {
      const t = performance.now();
      const items = await complete(a, doc, doc.lineAt(l).range.end);
      times.push(performance.now() - t);
      if (items.length > 0) withItems++;
      if (items.length > 0) shownAt.push({ line: l, text: items[0].insertText as string });
      for (const it of items) {
        assert.equal(typeof it.insertText, 'string');
        assert.ok((it.insertText as string).trim().length > 0, 'blank suggestions are dropped');
        assert.ok(it.range && it.range.start.isEqual(doc.lineAt(l).range.end));
      }
    }
    sub.dispose();
    assert.ok(traces.length >= times.length - 1, 'every request reached the engine');
    assert.ok(traces.every((t) => t.chunkSize === 16), 'requests used C=16');
    assert.ok(withItems + first.length > 0, 'at least one position got a suggestion (see rawSamples: what the model generated)');
    const engine = traces.filter((t) => !t.fromCache && t.timing);
    const med = (f: (t: CompletionTrace) => number) => (engine.length ? Math.round(percentile(engine.map(f), 50)) : undefined);
    return {
      requests: times.length,
      withItems,
      coldFirstMs: Math.round(coldMs),
      p50Ms: Math.round(percentile(times, 50)),
      p90Ms: Math.round(percentile(times, 90)),
      maxMs: Math.round(Math.max(...times)),
      engineP50: {
        totalMs: med((t) => t.engineMs ?? 0),
        contextMs: med((t) => t.timing!.contextMs),
        prefillMs: med((t) => t.timing!.prefillMs),
        firstTokenMs: med((t) => t.timing!.firstTokenMs),
        computedRows: med((t) => t.timing!.computedRows),
        tokens: med((t) => t.tokens ?? 0),
      },
      provider: a.engine.info?.provider.active,
      rawSamples: traces.slice(0, 4).map((t) => ({ raw: t.raw, stop: t.stop, shown: t.shown })),
    };
  }

  it('right after opening a 5,000-line document, while VS Code itself analyses it (reported)', async function () {
    this.timeout(300_000);
    const a = await api();
    assert.equal(doc.lineCount, 5001);
    report('inline.5000lines.C16.justOpened', await jumpPass(a, jumpLines()));
  });

  it('on a cold engine cache once VS Code has settled: p50 at C=16 (reported, target 100 ms)', async function () {
    this.timeout(300_000);
    const a = await api();
    const cat = () => vscode.workspace.getConfiguration('cat');
    // measure our own work: no background compression, an empty cache, VS Code's language
    // features done with the file (its TypeScript server, type acquisition)
    await cat().update('cache.backgroundCompression', false, vscode.ConfigurationTarget.Global);
    try {
      await a.engine.clearCache();
      a.inline.cache.forgetDocument(doc.uri.toString());
      await vscode.commands.executeCommand('vscode.executeDocumentSymbolProvider', doc.uri);
      const settle = await waitForQuietCpu(20_000);
      report('inline.5000lines.C16', { ...await jumpPass(a, jumpLines()), settleMs: settle.ms, cpuQuiet: settle.quiet, targetP50Ms: 100 });
    } finally {
      await cat().update('cache.backgroundCompression', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('with the file warm (background compression and decoder done): p50 at C=16 across the file (reported)', async function () {
    this.timeout(600_000);
    const a = await api();
    const docId = doc.uri.toString();
    // the user pauses: the background compressor covers the file (vectors and decoder entries)
    const tWarm = performance.now();
    await waitFor('background compression of the document', async () => {
      const c = (await a.engine.cacheStats(16)).coverage.find((x) => x.docId === docId);
      return c && c.total > 0 && c.cached >= c.total && (c.decoderEntries ?? 0) >= (c.decoderTotal ?? 1) ? c : undefined;
    }, 540_000, 250);
    const backgroundMs = performance.now() - tWarm;
    // cursor jumps back and forth over the whole file, at positions not asked before
    const lines: number[] = [];
    for (let l = 4950; l > 50 && lines.length < 30; l -= 157) {
      const at = l % 2 ? l : 5000 - l;
      if (doc.lineAt(at).text.trim()) lines.push(at);
    }
    const times: number[] = [];
    const traces: CompletionTrace[] = [];
    const sub = a.inline.onDidComplete((t) => traces.push(t));
    try {
      for (const l of lines) {
        const t = performance.now();
        await complete(a, doc, doc.lineAt(l).range.end);
        times.push(performance.now() - t);
      }
    } finally {
      sub.dispose();
    }
    const engine = traces.filter((t) => !t.fromCache && t.timing);
    const med = (f: (t: CompletionTrace) => number) => (engine.length ? Math.round(percentile(engine.map(f), 50)) : undefined);
    report('inline.5000lines.C16.warm', {
      requests: times.length,
      backgroundWaitMs: Math.round(backgroundMs),
      p50Ms: Math.round(percentile(times, 50)),
      p90Ms: Math.round(percentile(times, 90)),
      maxMs: Math.round(Math.max(...times)),
      engineP50: { totalMs: med((t) => t.engineMs ?? 0), prefillMs: med((t) => t.timing!.prefillMs), computedRows: med((t) => t.timing!.computedRows) },
      targetP50Ms: 100,
    });
    assert.ok(engine.length >= lines.length - 1, 'the requests reached the engine');
  });

  it('while typing a new line: latency per keystroke request at C=16 (reported)', async function () {
    this.timeout(300_000);
    const a = await api();
    const editor = await vscode.window.showTextDocument(doc);
    const at = 3999;
    const typed = doc.lineAt(at + 1).text.trimStart().slice(0, 24) || 'const value = compute(1);';
    const indent = doc.lineAt(at + 1).text.match(/^\s*/)![0];
    await editor.edit((e) => e.insert(doc.lineAt(at).range.end, '\n' + indent));
    const times: number[] = [];
    const engineMs: number[] = [];
    const sub = a.inline.onDidComplete((t) => {
      if (!t.fromCache && t.engineMs !== undefined) engineMs.push(t.engineMs);
    });
    try {
      for (const ch of typed) {
        const line = doc.lineAt(at + 1);
        await editor.edit((e) => e.insert(line.range.end, ch));
        const t = performance.now();
        await complete(a, doc, doc.lineAt(at + 1).range.end);
        times.push(performance.now() - t);
      }
    } finally {
      sub.dispose();
      // Undo every edit (a revert could reload the document as a new one).
      for (let i = 0; i < 200 && doc.isDirty; i++) await vscode.commands.executeCommand('undo');
    }
    assert.equal(doc.isDirty, false);
    report('inline.5000lines.C16.typing', {
      requests: times.length,
      p50Ms: Math.round(percentile(times, 50)),
      p90Ms: Math.round(percentile(times, 90)),
      engineP50Ms: engineMs.length ? Math.round(percentile(engineMs, 50)) : undefined,
      targetP50Ms: 100,
    });
  });

  it('a shown suggestion is reused (same position, and typing through it) without asking the model', async () => {
    const a = await api();
    assert.ok(shownAt.length > 0, 'the first test showed suggestions');
    let engineCalls = 0;
    const seen: unknown[] = [];
    const sub = a.inline.onDidComplete((t) => {
      seen.push({ fromCache: t.fromCache, shown: t.shown, chunkSize: t.chunkSize });
      if (!t.fromCache) engineCalls++;
    });
    try {
      // Same position, same text: the LRU answers the second request.
      // Prefer a suggestion that can be typed through on its own line (2+ characters, not
      // starting with a line break); any shown one serves for the same-position check.
      let hit: { line: number; text: string } | undefined;
      for (const p of shownAt) {
        const first = await complete(a, doc, doc.lineAt(p.line).range.end);
        if (!first.length) continue;
        const cand = { line: p.line, text: first[0].insertText as string };
        hit ??= cand;
        if (typeable(cand.text)) {
          hit = cand;
          break;
        }
      }
      assert.ok(hit, 'a position still gets a suggestion');
      const calls = engineCalls;
      const again = await complete(a, doc, doc.lineAt(hit.line).range.end);
      assert.equal(again[0]?.insertText, hit.text);
      assert.equal(engineCalls, calls, `answered from the LRU (traces ${JSON.stringify(seen)})`);
      // Typing the first character of a suggestion of 2+ characters: the rest is reused.
      const long = typeable(hit.text) ? hit : undefined;
      report('inline.reuse', { samePosition: true, typingThrough: long ? true : `not checked: the model's shown suggestions were ${JSON.stringify(shownAt.map((p) => p.text))}` });
      if (!long) return;
      const editor = await vscode.window.showTextDocument(doc);
      const end = doc.lineAt(long.line).range.end;
      await editor.edit((e) => e.insert(end, long.text[0]));
      try {
        const before = engineCalls;
        const items = await complete(a, doc, end.translate(0, 1));
        assert.equal(engineCalls, before);
        assert.equal(items[0]?.insertText, long.text.slice(1));
      } finally {
        await vscode.commands.executeCommand('undo');
      }
    } finally {
      sub.dispose();
    }
  });

  it('works in an untitled document', async () => {
    const a = await api();
    const untitled = await vscode.workspace.openTextDocument({ language: 'javascript', content: realSource(200) });
    await vscode.window.showTextDocument(untitled);
    const items = await complete(a, untitled, untitled.lineAt(150).range.end);
    assert.ok(Array.isArray(items));
    assert.equal(a.tracker.verdict(untitled).ok, true);
  });
});
