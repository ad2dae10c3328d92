import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gainTexts, recallCases } from '../../src/eval/recall';

const filler = Array.from({ length: 40 }, (_, i) => `const v${i} = compute(${i}); // line ${i}`).join('\n');
const words = (s: string) => s.split(/\s+/).length;

test('recall cases: definition first, filler of the asked distance, use of the first word last', () => {
  const [k] = recallCases(filler, 100, 1, 7, words);
  const name = /export function (\w+)\(/.exec(k.text)?.[1] ?? '';
  assert.ok(name.endsWith(k.expected) && name.length > k.expected.length);
  assert.ok(k.distanceTokens >= 100);
  assert.ok(k.text.endsWith(`const shifted = ${name.slice(0, name.length - k.expected.length)}`));
});

test('recall gain texts: same use line, definitions differ only in the name', () => {
  const [k] = recallCases(filler, 60, 1, 3, words);
  const chars = (t: string) => t.length;
  const g = gainTexts(k, 5, chars);
  const name = /export function (\w+)\(/.exec(k.text)?.[1] ?? '';
  assert.equal(g.useLine, `const shifted = ${name}(items, options);\n`);
  assert.ok(g.withDef.endsWith(g.useLine) && g.control.endsWith(g.useLine));
  const other = /export function (\w+)\(/.exec(g.control)?.[1] ?? '';
  assert.notEqual(other, name);
  assert.equal(g.control, g.withDef.replace(name, other));
  assert.equal(g.withDef.split(name).length - 1, 2, 'the matching name appears in the definition and the use');
  assert.equal(g.control.split(name).length - 1, 1, 'the control defines another name');
  assert.equal(g.control.length, g.withDef.length, 'a control name of the same length (token count stand-in)');
});
