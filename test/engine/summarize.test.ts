// Key passages: cut at declaration boundaries (header, licence, imports out), ranked with
// scores that separate, duplicates dropped; the overview's grounding checks; the summary of a
// real file through the engine (header, map, passages, same sections in the CLI text).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/index';
import { parseOutline } from '../../src/engine/outline/index';
import { checkOverview, namedIdentifiers } from '../../src/engine/overviewCheck';
import { passageUnits, type UnitSizing } from '../../src/engine/passageUnits';
import { MODEL_ONLY, percentiles, proseShare, rankPassages, textWords } from '../../src/engine/summarize';
import { renderSummaryText } from '../../src/engine/summaryText';
import { TINY_CAT } from './helpers';

/** Sizing with 10 tokens per non-blank line. */
function sizing(text: string, minTokens = 25, maxTokens = 120): UnitSizing {
  const lines = text.split('\n');
  const t = (i: number) => (lines[i]?.trim() ? 10 : 1);
  return {
    tokens: (a, b) => { let n = 0; for (let i = a; i <= b; i++) n += t(i); return n; },
    isBlank: (l) => (lines[l] ?? '').trim() === '', lineCount: lines.length, minTokens, maxTokens,
  };
}

const SRC = [
  '/* Copyright (c) 2024 Someone. MIT License. */',
  'import { a } from "a";',
  'import { b } from "b";',
  '',
  '/** Parses input. */',
  'export function parse(s: string) {',
  '  const x = s.trim();',
  '  return x;',
  '}',
  '',
  'export class Big {',
  '  /** One. */',
  '  one() {',
  ...Array.from({ length: 12 }, (_, i) => `    step(${i});`),
  '  }',
  '  two() {',
  ...Array.from({ length: 12 }, (_, i) => `    more(${i});`),
  '  }',
  '}',
  '',
].join('\n');

test('passage units follow declarations; licence and imports are left out; a large class splits at its members', async () => {
  const outline = await parseOutline(SRC, 'ts');
  const units = passageUnits(outline, sizing(SRC));
  const labels = units.map((u) => u.label);
  assert.ok(units.every((u) => u.startLine >= 4), `nothing from the licence or imports: ${JSON.stringify(units)}`);
  assert.equal(units[0].startLine, 4, 'parse starts at its doc comment');
  assert.equal(units[0].label, 'function parse');
  assert.ok(labels.includes('method Big.one') && labels.includes('method Big.two'), labels.join(', '));
  const one = units.find((u) => u.label === 'method Big.one')!;
  assert.equal(SRC.split('\n')[one.startLine].trim(), '/** One. */');
  for (let i = 1; i < units.length; i++) assert.ok(units[i].startLine > units[i - 1].endLine, 'no overlaps');
  // without an outline: blank-line pieces
  const plain = passageUnits(undefined, sizing(SRC));
  assert.ok(plain.length >= 2 && plain[0].startLine === 0);
});

test('ranking: scores in [0, 1] that separate; duplicates dropped; diverse picks', () => {
  const texts = [
    '/** Parse a schema into a validator. */\nfunction compileSchema(schema) { return validator(schema); }',
    'function compileSchema(schema) { return validator(schema); }',
    'function compileSchema(schema) {   return validator(schema); }',
    'x = 1\ny = 2',
    '// validator cache for compiled schema\nconst cache = new Map();',
  ];
  const spans = texts.map((_, i) => ({ startLine: i * 3, endLine: i * 3 + 1, chunkFrom: i, chunkTo: i + 1 }));
  const v = (...x: number[]) => Float32Array.from(x);
  const vectors = [v(1, 0, 0), v(1, 0.1, 0), v(1, 0.1, 0), v(0, 1, 0), v(0.5, 0.5, 0.7)];
  const r = rankPassages({ spans, vectors, texts, lineCount: 15, fileName: '/src/compile/schema.js' }, 10);
  assert.equal(r.length, 4, 'the whitespace-only duplicate is dropped');
  assert.ok(r.every((p) => p.score >= 0 && p.score <= 1));
  const scores = r.map((p) => p.score);
  assert.ok(Math.max(...scores) - Math.min(...scores) > 0.3, `scores separate: ${scores.join(', ')}`);
  assert.notEqual(r[0].startLine, 9, 'the passage without the file\'s words is not first');
  assert.equal(r[r.length - 1].startLine, 9);
  assert.ok('model' in r[0].features && 'lexical' in r[0].features);
  const m = rankPassages({ spans, vectors, texts, lineCount: 15 }, 2, MODEL_ONLY);
  assert.equal(m.length, 2);
  assert.deepEqual(rankPassages({ spans: [], vectors: [], texts: [], lineCount: 0 }, 3), []);
});

test('ranking helpers: words, prose share, percentiles', () => {
  assert.deepEqual(textWords('getDaysInMonth(max_len, HTTPServer)'), ['get', 'days', 'month', 'max', 'len', 'http', 'server']);
  assert.equal(proseShare('// all prose here\n// more words'), 1);
  assert.equal(proseShare('const a = b + c;'), 0);
  assert.equal(proseShare('"""Docstring words here."""\nreturn value_of_x'), 0.5);
  assert.deepEqual(percentiles([3, 1, 2, 2]), [1, 0, 0.5, 0.5]);
});

test('overview checks: prose that names only identifiers of the file passes; junk is left out', () => {
  const file = 'export function parseSchema(s) {}\nexport const MAX_DEPTH = 3;\n';
  assert.deepEqual(checkOverview('Parses a schema with `parseSchema` and limits nesting to MAX_DEPTH levels.', file), { ok: true });
  assert.match(checkOverview('the the the the the the', file).reason!, /repetitive/);
  assert.match(checkOverview('short text', file).reason!, /too short/);
  assert.match(checkOverview('Calls loadConfig() to read the settings file first.', file).reason!, /loadConfig/);
  assert.match(checkOverview('}); } else { return x; } });', file).reason!, /too short|symbols/);
  assert.match(checkOverview('a schema for the schema for the schema for the tree', file).reason!, /repe/);
  assert.match(checkOverview('The module parses one schema and then it checks the result, and then it checks every nested keyword too.', file).reason!, /repeats "and then it"/);
  assert.deepEqual(namedIdentifiers('Uses `a.b` and fooBar() with snake_case but not Plain words.').sort(), ['a', 'b', 'fooBar', 'snake_case']);
});

const engines: Engine[] = [];
after(async () => { for (const e of engines) await e.dispose(); });

test('the engine summary of a TypeScript file: header, map, passages at declarations; the CLI text has the same sections', async () => {
  const e = await Engine.load({ modelDir: TINY_CAT, provider: 'cpu', threads: 1 });
  engines.push(e);
  const decls = Array.from({ length: 40 }, (_, i) => `/** Computes value ${i} of the series. */\nexport function value${i}(x: number): number {\n  const y = x * ${i};\n  return y + ${i};\n}\n`).join('\n');
  const text = `/**\n * Series helpers: values of a numeric series, computed one by one.\n */\nimport { z } from './z';\n\n${decls}`;
  e.updateDocument('f', 1, text);
  const s = await e.summarize({ docId: 'f', version: 1, chunkSize: 16, maxPassages: 3, fileName: '/w/series.ts' });
  assert.match(s.header?.text ?? '', /^Series helpers/);
  assert.equal(s.map?.total, 40);
  assert.equal(s.map?.groups[0].entries[0].doc, 'Computes value 0 of the series.');
  assert.equal(s.passages.length, 3);
  const lines = text.split('\n');
  for (const p of s.passages) {
    assert.match(p.label ?? '', /^function value\d+$/);
    assert.match(lines[p.startLine - 1], /^\/\*\* Computes value/, 'a passage starts at a declaration\'s doc comment');
    assert.ok(p.startLine > 4, 'not the header or the import');
  }
  assert.ok(s.scoreRange && s.scoreRange.max - s.scoreRange.min > 0.1 && s.scoreRange.candidates >= 15, JSON.stringify(s.scoreRange));
  assert.ok(s.timing && 'outlineMs' in s.timing && 'rankMs' in s.timing);
  const out = renderSummaryText(s, { title: 'series.ts', lineCount: lines.length, chunkSize: 16, model: 'tiny', provider: 'cpu' });
  assert.match(out, /What the file is \(its own doc comment, lines 1-3\):\n {2}\| Series helpers/);
  assert.match(out, /Map: 40 top-level declarations: 40 function/);
  assert.match(out, /value39 \(function, exported\) line \d+ - Computes value 39 of the series\./);
  assert.match(out, /Key passages \(3, best first; scores /);
  // a file without declarations: no map section, passages all the same
  const script = Array.from({ length: 60 }, (_, i) => `console.log(${i}, 'line ${i} of a script without declarations');`).join('\n');
  e.updateDocument('s', 1, script);
  const n = await e.summarize({ docId: 's', version: 1, chunkSize: 16, maxPassages: 2, fileName: 'run.js' });
  assert.equal(n.map, undefined);
  assert.equal(n.header, undefined);
  assert.ok(n.passages.length > 0);
  assert.doesNotMatch(renderSummaryText(n, { title: 'run.js', lineCount: 60, chunkSize: 16, model: 'tiny', provider: 'cpu' }), /Map:/);
  // an overview alone: no parsing, no passages
  const o = await e.summarize({ docId: 'f', version: 1, chunkSize: 16, maxPassages: 0, outline: false, overview: true });
  assert.equal(o.passages.length, 0);
  assert.equal(o.map, undefined);
  assert.ok(o.overview !== undefined ? /^\(generated\) /.test(o.overview) : o.overviewRejected !== undefined);
});
