import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { definitionOutline, flattenSymbols, headingOutline, textOutline } from '../../src/extension/summarize/outline';
import { lineLink, markdownLinks, parseLineLink, renderSummaryMarkdown } from '../../src/extension/summarize/summaryMarkdown';
import { foldersToPrune, relativeHref, summaryRelPath } from '../../src/extension/summarize/summaryPaths';

test('flattenSymbols: sorted, nested with depth, locals dropped, 1-based lines', () => {
  const syms = [
    { name: 'B', kind: 4, range: { start: { line: 20 } }, children: [{ name: 'm', kind: 5, range: { start: { line: 22 } } }, { name: 'tmp', kind: 12, range: { start: { line: 23 } } }] },
    { name: 'A', kind: 11, range: { start: { line: 2 } } },
    { name: 'x', kind: 13, location: { range: { start: { line: 40 } } } },
  ];
  assert.deepEqual(flattenSymbols(syms), [
    { name: 'A', kind: 'function', line: 3, depth: 0 },
    { name: 'B', kind: 'class', line: 21, depth: 0 },
    { name: 'm', kind: 'method', line: 23, depth: 1 },
  ]);
});

test('headingOutline: ATX and setext headings, code fences skipped', () => {
  const md = '# Title\n\ntext\n\n## Part\n```\n# not a heading\n```\nSub\n---\n';
  assert.deepEqual(headingOutline(md).map((h) => [h.name, h.line, h.depth]), [
    ['Title', 1, 0],
    ['Part', 5, 1],
    ['Sub', 9, 1],
  ]);
});

test('definitionOutline finds code definitions across languages', () => {
  const src = 'import x\n\nclass Foo:\n    def bar(self):\n        pass\n\nexport async function baz() {}\nfn main() {}\n';
  assert.deepEqual(definitionOutline(src).map((d) => [d.name, d.kind, d.line]), [
    ['Foo', 'class', 3],
    ['bar', 'function', 4],
    ['baz', 'function', 7],
    ['main', 'function', 8],
  ]);
  assert.equal(textOutline('# H\nclass X {}', 'markdown').length, 1);
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

test('renderSummaryMarkdown: outline and passages link to their lines; overview marked generated', () => {
  const md = renderSummaryMarkdown({
    title: 'a.ts',
    sourceHref: '../../w/a.ts',
    languageId: 'typescript',
    outline: [{ name: 'main', kind: 'function', line: 3, depth: 0 }],
    outlineSource: 'symbols',
    passages: [
      { startLine: 30, endLine: 31, score: 0.5, text: 'b\nc' },
      { startLine: 10, endLine: 10, score: 0.9, text: 'const s = "```";' },
    ],
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
    { href: '../../w/a.ts', line: 3 },
    { href: '../../w/a.ts', line: 10 },
    { href: '../../w/a.ts', line: 30 },
  ]);
  assert.match(md, /^- \[main\]\(<\.\.\/\.\.\/w\/a\.ts#L3>\) · function, line 3$/m);
  assert.match(md, /^1\. \[line 10\]\(<\.\.\/\.\.\/w\/a\.ts#L10>\) · salience 0\.900$/m);
  assert.doesNotMatch(md, /file:/, 'no file: links (the Markdown preview drops them)');
  assert.match(md, /## Overview \(generated by the model\)\n\n> A module that does things\./);
  assert.match(md, /model-generated/);
  assert.match(md, /````typescript\n {3}const s = "```";\n {3}````/);
  assert.match(md, /12 chunks at C=16/);
});

test('renderSummaryMarkdown without a link target (untitled source): plain line numbers, no links', () => {
  const md = renderSummaryMarkdown({
    title: 'Untitled-1', languageId: 'plaintext', outline: [{ name: 'Intro', kind: 'heading', line: 2, depth: 0 }], outlineSource: 'text',
    passages: [{ startLine: 5, endLine: 6, score: 0.5, text: 'x\ny' }], model: 'm', chunkSize: 8, provider: 'cpu', chunks: 1, ms: 5, lineCount: 9,
  });
  assert.deepEqual(markdownLinks(md), []);
  assert.match(md, /^- Intro · heading, line 2$/m);
  assert.match(md, /^1\. lines 5–6 · salience 0\.500$/m);
});

test('renderSummaryMarkdown without overview or outline says so', () => {
  const md = renderSummaryMarkdown({
    title: 'x', languageId: 'plaintext', outline: [], outlineSource: 'text',
    passages: [], model: 'm', chunkSize: 8, provider: 'cpu', chunks: 0, ms: 5, lineCount: 1,
  });
  assert.doesNotMatch(md, /Overview/);
  assert.match(md, /No symbols or headings found/);
  assert.match(md, /returned no passages/);
});

test('markdownLinks resolves reference links and escaped labels', () => {
  const md = 'See [a \\[b\\]](<file:///x.ts#L2>) and [c][L9].\n\n[L9]: <file:///x.ts#L9>\n';
  assert.deepEqual(markdownLinks(md), [
    { text: 'a \\[b\\]', href: 'file:///x.ts#L2' },
    { text: 'c', href: 'file:///x.ts#L9' },
  ]);
});

test('renderSummaryMarkdown: overview pending, then none', () => {
  const base = {
    title: 'x', sourceHref: '../x', languageId: 'plaintext', outline: [], outlineSource: 'text' as const,
    passages: [], model: 'm', chunkSize: 8, provider: 'cpu', chunks: 1, ms: 5, lineCount: 1,
  };
  assert.match(renderSummaryMarkdown({ ...base, overviewState: 'pending' }), /## Overview \(generated by the model\)\n\n_The model is writing/);
  assert.match(renderSummaryMarkdown({ ...base, overviewState: 'done' }), /produced no overview/);
  assert.doesNotMatch(renderSummaryMarkdown({ ...base, overviewState: 'off' }), /Overview/);
});
