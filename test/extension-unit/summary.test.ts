import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { symbolsMap } from '../../src/extension/summarize/outline';
import { lineLink, markdownLinks, parseLineLink, renderSummaryMarkdown } from '../../src/extension/summarize/summaryMarkdown';
import { renderSummaryText } from '../../src/engine/summaryText';
import type { FileMap } from '../../src/engine/types';
import { foldersToPrune, relativeHref, summaryRelPath } from '../../src/extension/summarize/summaryPaths';

test('symbolsMap: top-level declarations with members, sorted, 1-based; locals, literals and anonymous callbacks dropped', () => {
  const syms = [
    { name: 'B', kind: 4, range: { start: { line: 20 } }, children: [{ name: 'm', kind: 5, range: { start: { line: 22 } } }, { name: 'tmp', kind: 12, range: { start: { line: 23 } } }] },
    { name: 'A', kind: 11, range: { start: { line: 2 } }, children: [{ name: 'inner', kind: 12, range: { start: { line: 3 } } }] },
    { name: 'x', kind: 13, location: { range: { start: { line: 40 } } } },
    { name: 'Array.from() callback', kind: 11, range: { start: { line: 44 } } },
    { name: '<function>', kind: 11, range: { start: { line: 45 } } },
    { name: 'length', kind: 19, range: { start: { line: 46 } } },
  ];
  const m = symbolsMap(syms)!;
  assert.equal(m.source, 'symbols');
  assert.deepEqual(m.groups[0].entries.map((e) => [e.name, e.kind, e.line, e.depth]), [
    ['A', 'function', 3, 0],
    ['B', 'class', 21, 0],
    ['m', 'method', 23, 1],
    ['x', 'constant', 41, 0],
  ]);
  assert.equal(m.total, 3);
  assert.deepEqual(m.byKind, { function: 1, class: 1, constant: 1 });
  assert.equal(symbolsMap([]), undefined);
  assert.equal(symbolsMap([{ name: 'k', kind: 19 }]), undefined);
});

test('symbolsMap caps: top level first, members within the budget, the rest counted', () => {
  const many = Array.from({ length: 250 }, (_, i) => ({ name: `f${i}`, kind: 11, range: { start: { line: i } }, children: [{ name: 'm', kind: 5, range: { start: { line: i } } }] }));
  const m = symbolsMap(many)!;
  assert.equal(m.shown, 200);
  assert.equal(m.more, 50);
  assert.deepEqual(m.moreByKind, { function: 50 });
  assert.ok(m.groups[0].entries.every((e) => e.depth === 0), 'huge files: top level only');
  const module = symbolsMap([{ name: 'mod', kind: 1, range: { start: { line: 0 } }, children: [{ name: 'only', kind: 11, range: { start: { line: 1 } } }] }])!;
  assert.deepEqual(module.groups[0].entries.map((e) => e.name), ['only'], 'a file-level module symbol is the file itself');
});

test('line links round-trip', () => {
  const l = lineLink('../../w/a%20b.ts', 42);
  assert.equal(l, '../../w/a%20b.ts#L42');
  assert.deepEqual(parseLineLink(l), { href: '../../w/a%20b.ts', line: 42 });
  assert.equal(parseLineLink('../x.ts'), undefined);
});

/** Resolve a link the way a browser (and VS Code's Markdown link resolution) does: against the summary file. */
function follow(summaryPath: string, link: string): string {
  return decodeURIComponent(new URL(link, pathToFileURL(summaryPath)).pathname);
}

test('relativeHref: resolved against the summary file it gives back the source, whatever its name', () => {
  const summary = '/home/u/.local/share/code/User/globalStorage/cat-lm.cat-lm/summaries/0123abcd4567/Summary of a.ts.md';
  const dir = summary.slice(0, summary.lastIndexOf('/'));
  for (const source of [
    '/work/project/src/a.ts',
    '/work/my project/src/weird #1 (copy) 100%.ts',
    '/work/ünï/cödé.py',
    '/home/u/.local/share/code/User/globalStorage/cat-lm.cat-lm/summaries/0123abcd4567/x.ts',
    '/home/u/notes.md',
  ]) {
    const href = relativeHref(dir, source);
    assert.ok(!href.startsWith('/') && !/^[a-z-]+:/i.test(href), `scheme-less and relative: ${href}`);
    assert.doesNotMatch(href, /[\s#<>()]/, `no raw space, #, <, >, parenthesis: ${href}`);
    assert.equal(follow(summary, lineLink(href, 7)), source);
    assert.equal(new URL(lineLink(href, 7), pathToFileURL(summary)).hash, '#L7');
  }
  assert.equal(relativeHref(dir, '/work/project/src/a.ts'), '../../../../../../../../../../work/project/src/a.ts');
});

test('relativeHref across Windows drives (URI paths): the drive letter never reads as a scheme', () => {
  const href = relativeHref('/c:/Users/u/AppData/Roaming/Code/User/globalStorage/cat-lm.cat-lm/summaries/abc', '/d:/src/a b.ts');
  assert.match(href, /^(\.\.\/)+d%3A\/src\/a%20b\.ts$/);
  // VS Code joins relative links to the document's URI path like RFC 3986 (`..` stops at the
  // root); WHATWG file: URLs would keep the drive, so resolve against a generic URL here.
  const resolved = new URL(href, 'http://h/c:/Users/u/AppData/Roaming/Code/User/globalStorage/cat-lm.cat-lm/summaries/abc/S.md');
  assert.equal(decodeURIComponent(resolved.pathname), '/d:/src/a b.ts');
});

test('summaryRelPath: one folder per source URI, a safe file name', () => {
  const a = summaryRelPath('file:///w/one/index.ts', 'index.ts');
  const b = summaryRelPath('file:///w/two/index.ts', 'index.ts');
  assert.match(a, /^[0-9a-f]{12}\/Summary of index\.ts\.md$/);
  assert.notEqual(a.split('/')[0], b.split('/')[0]);
  assert.equal(a, summaryRelPath('file:///w/one/index.ts', 'index.ts'), 'stable: a new summary of a file replaces the old one');
  assert.match(summaryRelPath('untitled:Untitled-1', 'a/b:c*?"<>|#%.'), /\/Summary of a_b_c________\.md$/);
  assert.match(summaryRelPath('x:', ''), /\/Summary of document\.md$/);
  assert.match(summaryRelPath('x:', 'a\u0001b'), /\/Summary of a_b\.md$/);
});

test('foldersToPrune: the least recently written beyond the limit, never an open one', () => {
  const f = (name: string, mtime: number, open = false) => ({ name, mtime, open });
  assert.deepEqual(foldersToPrune([f('a', 1), f('b', 2)], 2), []);
  assert.deepEqual(foldersToPrune([f('new', 9), f('old', 1), f('mid', 5)], 1), ['old', 'mid']);
  assert.deepEqual(foldersToPrune([f('new', 9), f('old', 1, true), f('mid', 5)], 2), ['mid']);
  assert.deepEqual(foldersToPrune([f('a', 1, true), f('b', 2, true)], 1), [], 'open summaries stay');
});

const MAP: FileMap = {
  source: 'typescript', groupedBy: 'section', total: 3, shown: 2, more: 1, moreByKind: { type: 1 }, byKind: { function: 2, type: 1 },
  groups: [{ title: 'Parsing', entries: [{ name: 'main', kind: 'function', line: 3, depth: 0, exported: true, doc: 'Runs it.' }, { name: 'Opts', kind: 'interface', line: 5, depth: 0, merged: 2 }] }],
};

test('renderSummaryMarkdown: header quoted as the file\'s words, map and passages link to their lines, overview marked generated', () => {
  const md = renderSummaryMarkdown({
    title: 'a.ts',
    sourceHref: '../../w/a.ts',
    languageId: 'typescript',
    header: { text: 'Parses *things*.\n\nSecond paragraph.', startLine: 1, endLine: 2, source: 'doc comment' },
    map: MAP,
    passages: [
      { startLine: 10, endLine: 10, score: 0.9, text: 'const s = "```";', label: 'const s' },
      { startLine: 30, endLine: 31, score: 0.5, text: 'b\nc' },
    ],
    scoreRange: { min: 0.1, max: 0.9, candidates: 12 },
    overview: '(generated) A module that does things.',
    model: 'cat-code-small',
    chunkSize: 16,
    provider: 'cpu',
    chunks: 12,
    ms: 1234,
    lineCount: 40,
  });
  const links = markdownLinks(md).map((l) => parseLineLink(l.href));
  assert.deepEqual(links, [
    { href: '../../w/a.ts', line: 1 },
    { href: '../../w/a.ts', line: 3 },
    { href: '../../w/a.ts', line: 5 },
    { href: '../../w/a.ts', line: 10 },
    { href: '../../w/a.ts', line: 30 },
  ]);
  assert.match(md, /## What the file is\n\n> Parses \\\*things\\\*\.\n>\n> Second paragraph\.\n\n_The file's own words: its doc comment, \[lines 1–2\]/);
  assert.match(md, /## Map of the file\n\n_3 top-level declarations: 2 function, 1 type; grouped by section\._\n\n### Parsing\n/);
  assert.match(md, /^- \[main\]\(<\.\.\/\.\.\/w\/a\.ts#L3>\) · function, exported, line 3 — Runs it\.$/m);
  assert.match(md, /^- \[Opts\]\(<\.\.\/\.\.\/w\/a\.ts#L5>\) · interface, 2 declarations, line 5$/m);
  assert.match(md, /_… 1 more top-level declarations \(1 type\)_/);
  assert.match(md, /^1\. \[line 10\]\(<\.\.\/\.\.\/w\/a\.ts#L10>\) · const s · score 0\.900$/m);
  assert.match(md, /scores 0\.100–0\.900 over 12 candidates; best first/);
  assert.doesNotMatch(md, /file:/, 'no file: links (the Markdown preview drops them)');
  assert.match(md, /## Overview \(generated by the model\)\n\n> A module that does things\./);
  assert.match(md, /model-generated/);
  assert.match(md, /````typescript\n {3}const s = "```";\n {3}````/);
  assert.match(md, /12 chunks at C=16/);
  const order = ['## What the file is', '## Overview', '## Map of the file', '## Key passages'].map((h) => md.indexOf(h));
  assert.deepEqual([...order].sort((a, b) => a - b), order, 'the sections come in the order of the CLI text');
});

test('renderSummaryMarkdown without a link target (untitled source): plain line numbers, no links', () => {
  const md = renderSummaryMarkdown({
    title: 'Untitled-1', languageId: 'markdown', map: { ...MAP, source: 'markdown', groupedBy: 'heading', groups: [{ entries: [{ name: 'Intro', kind: 'heading', line: 2, depth: 0 }] }] },
    passages: [{ startLine: 5, endLine: 6, score: 0.5, text: 'x\ny' }], model: 'm', chunkSize: 8, provider: 'cpu', chunks: 1, ms: 5, lineCount: 9,
  });
  assert.deepEqual(markdownLinks(md), []);
  assert.match(md, /^- Intro · heading, line 2$/m);
  assert.match(md, /^1\. lines 5–6 · score 0\.500$/m);
});

test('renderSummaryMarkdown without header, map, overview or passages leaves those sections out', () => {
  const md = renderSummaryMarkdown({
    title: 'x', languageId: 'plaintext', passages: [], model: 'm', chunkSize: 8, provider: 'cpu', chunks: 0, ms: 5, lineCount: 1,
  });
  assert.doesNotMatch(md, /Overview|What the file is|Map of the file/);
  assert.match(md, /## Key passages\n\n_No passages/);
});

test('markdownLinks resolves reference links and escaped labels', () => {
  const md = 'See [a \\[b\\]](<file:///x.ts#L2>) and [c][L9].\n\n[L9]: <file:///x.ts#L9>\n';
  assert.deepEqual(markdownLinks(md), [
    { text: 'a \\[b\\]', href: 'file:///x.ts#L2' },
    { text: 'c', href: 'file:///x.ts#L9' },
  ]);
});

test('renderSummaryMarkdown: overview pending, then left out when it did not pass its checks', () => {
  const base = {
    title: 'x', sourceHref: '../x', languageId: 'plaintext',
    passages: [], model: 'm', chunkSize: 8, provider: 'cpu', chunks: 1, ms: 5, lineCount: 1,
  };
  assert.match(renderSummaryMarkdown({ ...base, overviewState: 'pending' }), /## Overview \(generated by the model\)\n\n_The model is writing/);
  assert.doesNotMatch(renderSummaryMarkdown({ ...base, overviewState: 'done' }), /Overview/);
  assert.doesNotMatch(renderSummaryMarkdown({ ...base, overviewState: 'off' }), /Overview/);
});

test('the CLI text and the Markdown summary show the same sections, entries and passages', () => {
  const result = {
    header: { text: 'Parses things.', startLine: 1, endLine: 2, source: 'doc comment' },
    map: MAP,
    passages: [{ startLine: 10, endLine: 11, score: 0.9, text: 'const s = 1;\nconst t = 2;', label: 'const s' }],
    scoreRange: { min: 0.1, max: 0.9, candidates: 12 },
    overview: '(generated) Parses things with main.',
    chunks: 12, ms: 1234,
  };
  const text = renderSummaryText(result, { title: 'a.ts', lineCount: 40, chunkSize: 16, model: 'm', provider: 'cpu' });
  const md = renderSummaryMarkdown({ ...result, title: 'a.ts', sourceHref: '../a.ts', languageId: 'typescript', model: 'm', chunkSize: 16, provider: 'cpu', lineCount: 40 });
  const textOrder = ['What the file is', 'Overview', 'Map:', 'Key passages'].map((h) => text.indexOf(h));
  const mdOrder = ['## What the file is', '## Overview', '## Map of the file', '## Key passages'].map((h) => md.indexOf(h));
  assert.ok(textOrder.every((i) => i >= 0) && mdOrder.every((i) => i >= 0));
  assert.deepEqual([...textOrder].sort((a, b) => a - b), textOrder);
  assert.deepEqual([...mdOrder].sort((a, b) => a - b), mdOrder);
  for (const s of ['Parses things.', 'main', 'Opts', 'Runs it.', '1 more top-level declarations (1 type)', 'const s', '0.100', '0.900', '12 candidates']) {
    assert.ok(text.includes(s) && md.includes(s), `both show ${s}`);
  }
});
