// The summary-quality evaluation's pure parts: ROUGE and reference extraction.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { exportedNames, namedIn } from '../../src/eval/summaryExports';
import { lcsLength, rouge1Recall, rougeLRecall, words } from '../../src/eval/rouge';
import { extractHeldOut, jsHeader, pythonDocstring, readmeAbstract } from '../../src/eval/summaryReferences';

test('words: identifiers split, lower-cased, stop words dropped', () => {
  assert.deepEqual(words('getDaysInMonth(max_len, HTTPServer2)'), ['get', 'days', 'month', 'max', 'len', 'http', 'server', '2']);
  assert.deepEqual(words('The cat and the hat', false), ['the', 'cat', 'and', 'the', 'hat']);
});

test('ROUGE-1 / ROUGE-L recall with clipped counts', () => {
  const ref = ['a1', 'b1', 'c1', 'a1'];
  assert.equal(rouge1Recall(ref, ['a1', 'c1']), 0.5);
  assert.equal(rouge1Recall(ref, ['a1', 'a1', 'a1', 'b1', 'c1']), 1);
  assert.equal(rouge1Recall([], ['x']), 0);
  assert.equal(lcsLength(['a', 'b', 'c', 'd'], ['b', 'x', 'd', 'a']), 2);
  assert.equal(rougeLRecall(['a', 'b', 'c', 'd'], ['a', 'c', 'd']), 0.75);
});

const body = Array.from({ length: 5 }, (_, i) => `def f${i}(x):\n    return x + ${i}`).join('\n');

test('python module docstring is the reference and is removed from the input', () => {
  const src = `#!/usr/bin/env python\n"""Stochastic weight averaging utilities: keep a running average of the\nmodel parameters during training and update batch norm statistics."""\nimport torch\n${body}\n`;
  const d = pythonDocstring(src)!;
  assert.equal(d.kind, 'py-docstring');
  assert.match(d.reference, /^Stochastic weight averaging/);
  assert.doesNotMatch(d.input, /running average/);
  assert.match(d.input, /import torch/);
  assert.equal(pythonDocstring(`"""Short."""\n${body}`), undefined);
  assert.equal(pythonDocstring(`import os\n${body}`), undefined);
});

test('README abstract: first prose paragraph after title and badges', () => {
  const md = '# jquery\n\n[![build](x.svg)](y)\n\njQuery is a fast, small and feature-rich JavaScript library that makes document traversal,\nevent handling and animation simple across browsers.\n\n## Install\n\nnpm install jquery\n';
  const d = readmeAbstract(md)!;
  assert.match(d.reference, /^jQuery is a fast/);
  assert.doesNotMatch(d.input, /feature-rich/);
  assert.match(d.input, /## Install/);
});

test('JS header comment (not a licence) is the reference; @param lines dropped', () => {
  const js = '/**\n * @summary Return the number of days in the month of the given date, taking leap years\n * and the calendar of the given time zone into account when computing it.\n * @param date the date\n */\nexport function getDaysInMonth(date) {\n  return 30;\n}\n';
  const d = jsHeader(js)!;
  assert.match(d.reference, /^Return the number of days/);
  assert.doesNotMatch(d.reference, /@param|the date$/);
  assert.match(d.input, /^export function/);
  const lic = '/*! jQuery v3 | (c) OpenJS Foundation and other contributors | jquery.org/license, released under the MIT License */\nvar a = 1;\n';
  assert.equal(jsHeader(lic), undefined);
  assert.equal(extractHeldOut('x.cts', js)?.kind, 'js-header');
  assert.equal(extractHeldOut('x.png', js), undefined);
});

test('exports of a module, read by the TypeScript checker and Python\'s ast; names found as whole words', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catlm-exports-'));
  const ts = path.join(dir, 'm.ts');
  fs.writeFileSync(ts, 'export function alpha() {}\nexport const beta = 1;\nfunction hidden() {}\nconst gamma = 2;\nexport { gamma as delta };\nexport default class Main {}\n');
  assert.deepEqual(exportedNames(ts).sort(), ['alpha', 'beta', 'delta']);
  const cjs = path.join(dir, 'c.js');
  fs.writeFileSync(cjs, 'function parse() {}\nmodule.exports = { parse, format: () => 1 };\n');
  assert.deepEqual(exportedNames(cjs).sort(), ['format', 'parse']);
  const py = path.join(dir, 'p.py');
  fs.writeFileSync(py, 'import os\ndef run(): pass\nclass Thing: pass\n_private = 1\nLIMIT = 3\n');
  assert.deepEqual(exportedNames(py), ['run', 'Thing', 'LIMIT']);
  fs.writeFileSync(py, '__all__ = ["run", "imported"]\ndef run(): pass\ndef other(): pass\n');
  assert.deepEqual(exportedNames(py), ['run', 'imported']);
  assert.deepEqual(namedIn('alpha (function) line 1; betaX', ['alpha', 'beta']), ['alpha']);
});
