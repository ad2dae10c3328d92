import assert from 'node:assert/strict';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as vscode from 'vscode';
import { markdownLinks, parseLineLink } from '../../src/extension/summarize/summaryMarkdown';
import type { SummaryOutcome } from '../../src/extension/summarize/summarizeCommand';
import { api, closeAll, GapSampler, open, realSource, report, tempFile, waitFor } from './helpers';

/** A summary's relative line link resolved against the summary file, as VS Code resolves it. */
function resolveLink(summary: vscode.Uri, href: string): vscode.Uri {
  return vscode.Uri.joinPath(summary, '..', decodeURIComponent(href));
}

/** Runs "Summarize Open File" while sampling the extension host's event-loop delay. */
async function summarizeMeasured(): Promise<{ out: SummaryOutcome | undefined; ms: number; delayMs: { p50: number; p99: number; max: number }; gaps: GapSampler }> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  const gaps = new GapSampler();
  h.enable();
  const t0 = performance.now();
  gaps.start(t0);
  const out = await vscode.commands.executeCommand<SummaryOutcome | undefined>('cat.summarizeOpenFile');
  const ms = performance.now() - t0;
  h.disable();
  gaps.stop();
  const delayMs = { p50: +(h.percentile(50) / 1e6).toFixed(1), p99: +(h.percentile(99) / 1e6).toFixed(1), max: +(h.max / 1e6).toFixed(1) };
  return { out, ms, delayMs, gaps };
}

describe('Summarize Open File', () => {
  after(closeAll);

  it('summarizes a 10,000-line file into Markdown with working line links (time and event-loop delay reported)', async function () {
    this.timeout(600_000);
    const a = await api();
    await a.chunkSize.set(16);
    const uri = tempFile('ten-thousand.js', realSource(10_000));
    const editor = await open(uri);
    // The normal flow: the file is opened, the background compressor fills the chunk cache
    // while the user reads, then the user asks for a summary (the target reuses the cache).
    const tWarm = performance.now();
    const docId = editor.document.uri.toString();
    const coverage = await waitFor(
      'background compression of the document',
      async () => {
        const st = await a.engine.cacheStats(16);
        const c = st.coverage.find((x) => x.docId === docId);
        return c && c.total > 0 && c.cached >= c.total ? c : undefined;
      },
      540_000,
      500,
    );
    const backgroundMs = performance.now() - tWarm;
    // VS Code activates its built-in Markdown extension when the first Markdown document of
    // a session opens; that one-time start-up (not our code) is measured on its own here.
    const md0 = vscode.extensions.getExtension('vscode.markdown-language-features');
    const mdActivation = new GapSampler();
    const tMd = performance.now();
    mdActivation.start(tMd);
    const wasActive = md0?.isActive ?? false;
    await md0?.activate();
    // ...and starts its language client on the first Markdown document it sees.
    const warmDoc = await vscode.workspace.openTextDocument({ language: 'markdown', content: '# warm-up\n\n[link](<file:///tmp/x#L1>)\n' });
    await vscode.window.showTextDocument(warmDoc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    await new Promise((r) => setTimeout(r, 1000));
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
    await vscode.window.showTextDocument(editor.document);
    const mdMs = performance.now() - tMd;
    await new Promise((r) => setTimeout(r, 500));
    mdActivation.stop();
    await new Promise((r) => setTimeout(r, 500));
    const { out, ms, delayMs, gaps } = await summarizeMeasured();
    assert.ok(out, 'the command produced a summary');
    report('summarize.10000lines', {
      backgroundCompressionMs: Math.round(backgroundMs),
      cachedChunks: coverage.total,
      totalMs: Math.round(ms),
      engineMs: Math.round(out.result.ms),
      chunks: out.result.chunks,
      passages: out.result.passages.length,
      eventLoopDelayMs: delayMs,
      longestStallsMs: gaps.top(5),
      gcOver10Ms: gaps.gc(),
      phasesMs: out.phases,
      markdownExtensionActivation: wasActive ? 'already active' : { ms: Math.round(mdMs), longestStallsMs: mdActivation.top(2) },
      targets: { totalMs: 10_000, eventLoopMaxMs: 50 },
    });

    // The Markdown document is open beside the source: a real file in the extension's
    // storage (so that the Markdown preview follows its links), outside every workspace folder.
    const md = out.editor.document;
    assert.equal(md.languageId, 'markdown');
    assert.equal(md.uri.scheme, 'file', 'a real Markdown file');
    assert.match(md.uri.path, /\/globalStorage\/cat-lm\.cat-lm\/summaries\/[0-9a-f]{12}\/Summary of ten-thousand\.js\.md$/);
    assert.equal(vscode.workspace.getWorkspaceFolder(md.uri), undefined, 'not in the user\'s workspace');
    assert.equal(md.isDirty, false);
    assert.equal((await vscode.workspace.fs.readFile(md.uri)).toString(), md.getText(), 'saved on disk as shown');
    assert.equal(a.tracker.verdict(md).ok, false, 'CAT does not track or complete its own summaries');
    assert.notEqual(out.editor.viewColumn, editor.viewColumn);
    const text = md.getText();
    assert.match(text, /^# Summary: ten-thousand\.js/);
    assert.match(text, /## Map of the file\n\n_\d[\d,]* top-level declarations: /, 'the map from the engine\'s JavaScript parser');
    const mapText = text.slice(text.indexOf('## Map of the file'), text.indexOf('## Key passages'));
    assert.doesNotMatch(mapText, /^\s*- \[[^\]]*(\(\) callback|\\<function\\>|\(anonymous)[^\]]*\]/m, 'no anonymous callbacks in the map (the names language servers give them)');
    assert.match(text, /## Key passages\n\n_Cut at declaration boundaries .*scores \d\.\d{3}–\d\.\d{3} over \d+ candidates/);
    assert.ok(out.result.map && out.result.map.total > 0, 'the engine returned a map');
    assert.ok(out.result.scoreRange && out.result.scoreRange.max - out.result.scoreRange.min > 0.3, `scores separate: ${JSON.stringify(out.result.scoreRange)}`);
    assert.match(text, /## Overview \(generated by the model\)\n\n_The model is writing an overview/, 'overview announced while it is generated');
    assert.ok(out.result.passages.length > 0, 'the model chose passages');

    // Stage 2: the overview arrives in the background and the open summary document follows.
    const tOv = performance.now();
    const overview = await out.overview;
    const overviewMs = performance.now() - tOv + ms;
    await waitFor('the summary document to update', () => !/is writing an overview/.test(md.getText()), 10_000);
    assert.equal(md.isDirty, false, 'the update is saved');
    assert.equal((await vscode.workspace.fs.readFile(md.uri)).toString(), md.getText());
    if (overview) assert.ok(md.getText().includes('## Overview (generated by the model)') && md.getText().includes('may be wrong'));
    else assert.doesNotMatch(md.getText(), /## Overview/, 'an overview that failed its checks is left out, not announced as missing');
    report('summarize.10000lines.overview', { shown: overview !== undefined, readyAfterMs: Math.round(overviewMs), text: overview?.slice(0, 120) });

    // Every link is relative (the preview drops file: links), resolves from the summary file
    // to the source, and names a line inside it; passages' links land on their text.
    const src = editor.document;
    const final = md.getText();
    const links = markdownLinks(final).map((l) => ({ ...l, target: parseLineLink(l.href) }));
    assert.ok(links.length >= out.result.passages.length);
    for (const l of links) {
      assert.ok(l.target, `line link: ${l.href}`);
      assert.ok(!/^[a-z][a-z0-9+.-]*:/i.test(l.href) && !l.href.startsWith('/'), `relative link: ${l.href}`);
      assert.equal(resolveLink(md.uri, l.target.href).toString(), src.uri.toString());
      assert.ok(l.target.line >= 1 && l.target.line <= src.lineCount);
    }
    for (const p of out.result.passages) {
      assert.ok(links.some((l) => l.target!.line === p.startLine), `a link to passage line ${p.startLine}`);
      const first = p.text.split('\n')[0].replace(/…$/, '');
      assert.ok(src.lineAt(p.startLine - 1).text.startsWith(first), `passage at line ${p.startLine} shows that line's text`);
    }
    // The Markdown preview's own renderer (same markdown-it set-up and link validation as the
    // preview) turns every one of them into an <a>; before, it dropped file: links to plain text.
    const html = await vscode.commands.executeCommand<string>('markdown.api.render', md);
    const anchors = [...html.matchAll(/<a [^>]*data-href="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
    assert.deepEqual(anchors, links.map((l) => l.href), 'every line link is an anchor in the rendered preview');
    // Following a link as VS Code's Markdown extension resolves it (its language server: the
    // document links of the editor, the same resolution a click in the preview goes through)
    // opens the source at the line.
    const docLinks = await vscode.commands.executeCommand<vscode.DocumentLink[]>('vscode.executeLinkProvider', md.uri, links.length);
    const targets = docLinks.map((d) => d.target).filter((t): t is vscode.Uri => t !== undefined);
    report('summarize.10000lines.links', { links: links.length, renderedAnchors: anchors.length, documentLinks: docLinks.length, example: { href: links[0].href, target: targets[0]?.toString(true) } });
    assert.equal(targets.length, links.length, 'the Markdown extension resolves every link');
    for (const [i, target] of targets.slice(0, 3).entries()) {
      assert.equal(target.with({ fragment: '' }).toString(), src.uri.toString(), `target ${target.toString(true)}`);
      await vscode.commands.executeCommand('vscode.open', target);
      const active = vscode.window.activeTextEditor;
      assert.equal(active?.document.uri.toString(), src.uri.toString());
      assert.equal(active?.selection.active.line, links[i].target!.line - 1, `link ${links[i].href} opened line ${links[i].target!.line}`);
    }
  });

  it('summarizes an untitled document with plain line numbers (no link to nowhere)', async function () {
    this.timeout(120_000);
    await api();
    const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: realSource(60).replace(/^/, '# Notes\n\n') });
    await vscode.window.showTextDocument(doc);
    const out = await vscode.commands.executeCommand<SummaryOutcome | undefined>('cat.summarizeOpenFile');
    assert.ok(out, 'the command produced a summary');
    const md = out.editor.document;
    assert.equal(md.uri.scheme, 'file');
    assert.equal(path.basename(md.uri.fsPath), `Summary of ${path.basename(doc.uri.path)}.md`);
    assert.deepEqual(markdownLinks(md.getText()), []);
    assert.match(md.getText(), /^- [^[\]]+ · heading, line \d+( — .*)?$/m, 'map entries (the Markdown headings) with plain line numbers');
    await out.overview;
  });

  it('plain-text copy without the overview: passages only, no language extension in the host (reported)', async function () {
    this.timeout(600_000);
    const a = await api();
    const cfg = vscode.workspace.getConfiguration('cat');
    await cfg.update('summary.overview', false, vscode.ConfigurationTarget.Global);
    try {
      const editor = await open(tempFile('ten-thousand.txt', realSource(10_000)));
      const docId = editor.document.uri.toString();
      // Same text as the .js file: the chunk cache already holds every chunk.
      await waitFor('cache coverage', async () => {
        const c = (await a.engine.cacheStats(16)).coverage.find((x) => x.docId === docId);
        return c && c.total > 0 && c.cached >= c.total;
      }, 300_000, 250);
      const { out, ms, delayMs, gaps } = await summarizeMeasured();
      assert.ok(out && out.result.passages.length > 0);
      assert.equal(await out.overview, undefined);
      assert.doesNotMatch(out.editor.document.getText(), /## Overview/);
      report('summarize.10000lines.plaintext.noOverview', {
        totalMs: Math.round(ms),
        engineMs: Math.round(out.result.ms),
        eventLoopDelayMs: delayMs,
        longestStallsMs: gaps.top(3),
        phasesMs: out.phases,
      });
    } finally {
      await cfg.update('summary.overview', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('is offered in the editor title and context menus', () => {
    const menus = (vscode.extensions.getExtension('cat-lm.cat-lm')!.packageJSON.contributes.menus ?? {}) as Record<string, { command: string }[]>;
    for (const m of ['editor/title', 'editor/context']) assert.ok(menus[m].some((x) => x.command === 'cat.summarizeOpenFile'), m);
  });
});
