// The file map and header from the engine's parsers: TypeScript, JavaScript, Python, Markdown,
// a 39k-line declaration file, a file without declarations, bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildMap, flatDecls, outlineLanguage, parseOutline } from '../../src/engine/outline/index';
import { renderSummaryText } from '../../src/engine/summaryText';

const TS_SRC = `/**
 * Immutable lists: persistent vectors with structural sharing.
 * Every operation returns a new list.
 */
import { Node } from './node';

// ---- Constructors ----

/** Creates a list of the given elements. More text here. */
export function list<A>(...elements: A[]): List<A>;
export function list<A>(): List<A> {
  const local = [1, 2].map((x) => x * 2);
  return new List(local as never);
}

/**
 * Sums the list. Only numbers.
 * @category Folds
 */
export function sum(l: List<number>): number { return l.length; }

export class List<A> {
  /** Number of elements. */
  readonly length = 0;
  private secret = 1;
  constructor(readonly root: Node) {}
  /** The first element. */
  first(): A | undefined { return undefined; }
  map<B>(f: (a: A) => B): List<B> { return this as never; }
}

// ---- Queries ----

export const nth = (l: List<unknown>, i: number) => i;
export interface Options { lazy?: boolean }
export type Pred<A> = (a: A) => boolean;
const helper = () => 1;
export { helper as aliased };
export * from './more';
[1, 2, 3].forEach(function callback(x) { return x; });
`;

test('TypeScript: declarations, sections, overloads merged, members, docs, exports; no callbacks or locals', async () => {
  const p = await parseOutline(TS_SRC, 'ts');
  assert.equal(p.header?.source, 'doc comment');
  assert.match(p.header!.text, /^Immutable lists: persistent vectors/);
  assert.deepEqual([p.header!.startLine, p.header!.endLine], [1, 4]);
  const names = p.decls.map((d) => d.name);
  assert.deepEqual(names, ['list', 'sum', 'List', 'nth', 'Options', 'Pred', 'helper', '*']);
  const all = flatDecls(p.decls).map((d) => d.name);
  for (const hidden of ['local', 'x', 'callback', 'secret', 'f', 'elements']) assert.ok(!all.includes(hidden), `${hidden} is not a declaration of the map`);
  const list = p.decls[0];
  assert.equal(list.merged, 2, 'the overload and the implementation are one entry');
  assert.equal(list.doc, 'Creates a list of the given elements.');
  assert.equal(list.group, 'Constructors');
  assert.equal(list.startLine, 8, 'the passage starts at the doc comment (0-based)');
  assert.equal(p.decls[1].category, 'Folds');
  assert.equal(p.decls[1].group, 'Constructors');
  assert.equal(p.decls[1].doc, 'Sums the list.');
  assert.deepEqual(p.decls[2].children.map((c) => `${c.kind} ${c.name}`), ['property length', 'constructor constructor', 'method first', 'method map']);
  assert.equal(p.decls[3].kind, 'function', 'an arrow function const is a function');
  assert.equal(p.decls[3].group, 'Queries');
  assert.equal(p.decls.find((d) => d.name === 'helper')?.exported, true, 'exported by an export list under another name');
  assert.ok(p.exportedNames.includes('aliased'));
  assert.equal(p.decls.find((d) => d.name === 'nth')?.exported, true);
  assert.equal(p.decls.find((d) => d.name === '*')?.kind, 're-export');
  assert.ok(p.boilerplate.some((b) => b.from === 4 && b.to === 4), 'the import is boilerplate');
  const map = buildMap(p);
  assert.equal(map.groupedBy, 'section');
  assert.deepEqual(map.groups.map((g) => g.title), ['Constructors', 'Queries']);
  assert.equal(map.total, 8);
  assert.equal(map.more, 0);
});

test('JavaScript: CommonJS exports and an AMD module body', async () => {
  const cjs = `'use strict';\nfunction parse(s) { return s; }\nfunction format(x) { return String(x); }\nconst inner = 1;\nmodule.exports = { parse, format };\nexports.extra = function () {};\n`;
  const p = await parseOutline(cjs, 'js');
  assert.deepEqual(p.decls.map((d) => [d.name, !!d.exported]), [['parse', true], ['format', true], ['inner', false], ['extra', true]]);
  const amd = `define(["./core"], function (jQuery) {\n"use strict";\nvar rnotwhite = /\\S+/g;\nfunction Callbacks(options) { var list = []; return list; }\njQuery.Callbacks = Callbacks;\nreturn jQuery;\n});\n`;
  const q = await parseOutline(amd, 'js');
  assert.deepEqual(q.decls.map((d) => d.name), ['rnotwhite', 'Callbacks']);
});

const PY_SRC = `# Copyright (c) 2020 Example. Licensed under the MIT license.
"""Learning-rate schedulers: adjust the learning rate of an optimizer during training."""
import math
from typing import List

__all__ = ["StepLR", "cosine"]

# ---------------------------------------------------------------------------
# Schedulers
# ---------------------------------------------------------------------------

class StepLR:
    """Decays the learning rate every step_size epochs. By gamma."""

    def __init__(self, optimizer, step_size):
        self.step_size = step_size
        def local_helper():
            return 1

    def get_lr(self):
        '''Returns the learning rates.'''
        text = """not a def:
def fake(): pass
"""
        return [text]

    def _private(self):
        pass

@decorator(
    arg=1,
)
def cosine(t, total):
    """Cosine annealing."""
    return math.cos(t / total)

if HAS_TORCH:
    def torch_only():
        pass

MAX_EPOCHS = 100
_hidden = 3

if __name__ == "__main__":
    def main_only():
        pass
`;

test('Python: module docstring, __all__, sections, decorators, methods, transparent blocks; strings are not code', async () => {
  const p = await parseOutline(PY_SRC, 'python');
  assert.equal(p.header?.source, 'docstring');
  assert.match(p.header!.text, /^Learning-rate schedulers/);
  assert.deepEqual(p.decls.map((d) => d.name), ['StepLR', 'cosine', 'torch_only', 'MAX_EPOCHS', '_hidden']);
  const step = p.decls[0];
  assert.equal(step.group, 'Schedulers');
  assert.equal(step.doc, 'Decays the learning rate every step_size epochs.');
  assert.deepEqual(step.children.map((c) => c.name), ['__init__', 'get_lr'], 'public methods; no locals, no def inside a string');
  assert.equal(step.children[1].doc, 'Returns the learning rates.');
  const cos = p.decls[1];
  assert.equal(cos.startLine, 29, 'starts at its decorator (0-based)');
  assert.equal(cos.line, 32);
  assert.deepEqual(p.decls.filter((d) => d.exported).map((d) => d.name), ['StepLR', 'cosine'], '__all__ decides what is exported');
  assert.deepEqual(p.exportedNames, ['StepLR', 'cosine']);
  assert.ok(p.boilerplate.some((b) => b.from === 0 && b.to === 0), 'the licence line is boilerplate');
  assert.ok(p.boilerplate.some((b) => b.from === 2 && b.to === 3), 'the imports are boilerplate');
  assert.equal(p.decls[3].kind, 'constant');
});

test('Markdown: headings nest, code fences are not headings, the first paragraph is the header', async () => {
  const md = '---\ntitle: x\n---\n# Widget\n\n[![ci](badge.svg)](ci)\n\nWidget draws charts from tables of numbers, in the browser and on the server.\n\n## Install\n\nRun npm install.\n\n```sh\n# not a heading\n```\n\nUsage\n-----\n\nCall draw(). Then more.\n\n### Options\n\n## API\n';
  const p = await parseOutline(md, 'markdown');
  assert.equal(p.header?.source, 'first paragraph');
  assert.match(p.header!.text, /^Widget draws charts/);
  assert.equal(p.decls.length, 1);
  assert.deepEqual(p.decls[0].children.map((d) => [d.name, d.line + 1, d.doc]), [['Install', 10, 'Run npm install.'], ['Usage', 18, 'Call draw().'], ['API', 25, undefined]]);
  assert.deepEqual(p.decls[0].children[1].children.map((d) => d.name), ['Options']);
  const map = buildMap(p);
  assert.equal(map.groupedBy, 'heading');
  assert.deepEqual(map.groups[0].entries.map((e) => [e.name, e.depth]), [['Install', 0], ['Usage', 0], ['Options', 1], ['API', 0]]);
});

test('lib.dom.d.ts (39k lines): parsed within seconds, capped with a "more" line, sections kept', async () => {
  const file = path.join(path.dirname(require.resolve('typescript')), 'lib.dom.d.ts');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(text.split('\n').length > 30_000);
  const t0 = performance.now();
  const p = await parseOutline(text, outlineLanguage(undefined, file)!);
  const map = buildMap(p);
  const ms = performance.now() - t0;
  assert.ok(ms < 8000, `parsed and mapped in ${ms.toFixed(0)} ms`);
  assert.equal(p.header, undefined, 'the licence comment is not the file\'s description');
  assert.ok(map.total > 1000 && map.shown === 200 && map.more === map.total - 200);
  assert.ok(map.groups.every((g) => g.entries.every((e) => e.depth === 0)), 'huge files: top level only');
  assert.ok(map.groups.some((g) => g.title === 'Window APIs'));
  const shown = map.groups.flatMap((g) => g.entries);
  assert.ok(shown[shown.length - 1].line > text.split('\n').length / 2, 'the entries shown are spread over the file');
  const out = renderSummaryText({ map, passages: [], chunks: 0, ms: 0 }, { title: 'lib.dom.d.ts', lineCount: 39_429, chunkSize: 16, model: 'm', provider: 'cpu' });
  assert.match(out, /more top-level declarations \(\d[\d,]* interface/);
  assert.ok(out.split('\n').length < 260, 'the map stays short');
});

test('a file with no declarations, and bad input, give an empty map without throwing', async () => {
  for (const [text, lang] of [
    ['console.log(1);\nfoo(bar);\n', 'js'],
    ['x = 1 +\n', 'python'],
    ['', 'ts'],
    ['function (((( {{{ class', 'ts'],
    ['def broken(:\n  """unterminated\n', 'python'],
    ['\u0000\u0001\u0002binary\uFFFD', 'js'],
    [`const a = "${'x'.repeat(2_000_000)}";`, 'ts'],
    ['plain words, no headings at all', 'markdown'],
  ] as const) {
    const p = await parseOutline(text, lang);
    const map = buildMap(p);
    assert.ok(map.total === p.decls.length && map.more === 0, `${lang}: ${JSON.stringify(text.slice(0, 30))}`);
  }
  const none = await parseOutline('console.log(1);\n', 'js');
  assert.equal(none.decls.length, 0);
  await assert.rejects(parseOutline('x'.repeat(9 * 1024 * 1024), 'ts'), /not parsed/);
  assert.equal(outlineLanguage('go', 'a.go'), undefined);
  assert.equal(outlineLanguage(undefined, 'a.PY'), 'python');
  assert.equal(outlineLanguage('typescriptreact', 'a.js'), 'tsx');
});

test('doc sentences: a path or URL comment is not a description; @category groups when most declarations have one', async () => {
  const src = '// src/compiler/core.ts\nexport const a = 1;\n/** @category Math */\nexport function add() {}\n/**\n * Subtracts.\n * @category Math\n */\nexport function sub() {}\n/** @category Text */\nexport function upper() {}\nexport function other() {}\n';
  const p = await parseOutline(src, 'ts');
  assert.equal(p.decls[0].doc, undefined);
  assert.equal(p.decls[2].doc, 'Subtracts.');
  const map = buildMap(p);
  assert.equal(map.groupedBy, 'category');
  assert.deepEqual(map.groups.map((g) => [g.title, g.entries.map((e) => e.name)]), [['Math', ['add', 'sub']], ['Text', ['upper']], ['Other', ['a', 'other']]]);
});

test('line numbers count \\n only, as the editor and the engine do (a U+2028 inside a string does not shift them)', async () => {
  const src = 'const s = "a\u2028b";\n\nexport function after() {}\r\nexport class Later {}\n';
  const p = await parseOutline(src, 'ts');
  assert.deepEqual(p.decls.map((d) => [d.name, d.line]), [['s', 0], ['after', 2], ['Later', 3]]);
});
