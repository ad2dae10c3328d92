import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  balanceBrackets,
  isBlank,
  limitLines,
  postProcess,
  repeatsFollowingText,
  trimTrailingWhitespace,
} from '../../src/extension/inline/postprocess';

test('trimTrailingWhitespace trims every line end and the tail, keeps indentation', () => {
  assert.equal(trimTrailingWhitespace('  a = 1;   \n    b = 2;\t\n\n  '), '  a = 1;\n    b = 2;');
});

test('isBlank / limitLines', () => {
  assert.equal(isBlank(' \n\t '), true);
  assert.equal(isBlank(' x '), false);
  assert.equal(limitLines('a\nb\nc\nd', 2), 'a\nb');
  assert.equal(limitLines('a\nb', 5), 'a\nb');
});

test('repeatsFollowingText: same as the rest of the line, or as the next lines', () => {
  assert.equal(repeatsFollowingText('foo)', 'foo);', []), true);
  assert.equal(repeatsFollowingText('bar', 'foo);', []), false);
  assert.equal(repeatsFollowingText('\n  return x;\n}', '', ['  return x;', '}', 'next']), true);
  assert.equal(repeatsFollowingText('\n  return y;\n}', '', ['  return x;', '}']), false);
  assert.equal(repeatsFollowingText('\n\n  return x;', '', ['', '  return x;']), true);
});

test('balanceBrackets: cuts at a closer the editor already has after the cursor', () => {
  assert.equal(balanceBrackets('a, b)', 'line', ')'), 'a, b');
  assert.equal(balanceBrackets('f(a), b)', 'line', ')'), 'f(a), b');
});

test('balanceBrackets: cuts at a mismatched closer', () => {
  assert.equal(balanceBrackets('[1, 2)', 'line', ''), '[1, 2');
});

test('balanceBrackets: brackets inside strings are ignored', () => {
  assert.equal(balanceBrackets('"(" + x', 'line', ')'), '"(" + x');
  assert.equal(balanceBrackets("')' + y", 'line', ')'), "')' + y");
});

test('balanceBrackets: closing an outer block at end of line is allowed', () => {
  assert.equal(balanceBrackets('\n  return 1;\n}', 'multiline', ''), '\n  return 1;\n}');
});

test('balanceBrackets: multi-line drops trailing lines of an unclosed block, keeps the first line', () => {
  assert.equal(balanceBrackets('x = 1;\nif (a) {\n  b();', 'multiline', ''), 'x = 1;');
  assert.equal(balanceBrackets('if (a) {\n  b();', 'multiline', ''), 'if (a) {');
  assert.equal(balanceBrackets('f(1);\ng(2);', 'multiline', ''), 'f(1);\ng(2);');
});

test('postProcess: line mode keeps only the first line', () => {
  const out = postProcess('x + 1;   \nnext()', { mode: 'line', lineSuffix: '', followingLines: [], maxLines: 5 });
  assert.equal(out, 'x + 1;');
});

test('postProcess: blank and repeated suggestions are dropped', () => {
  assert.equal(postProcess('   \n  ', { mode: 'multiline', lineSuffix: '', followingLines: [], maxLines: 5 }), undefined);
  assert.equal(postProcess('\n}', { mode: 'multiline', lineSuffix: '', followingLines: ['}'], maxLines: 5 }), undefined);
});

test('postProcess: multi-line respects maxLines and CRLF', () => {
  const out = postProcess('a();\r\nb();\r\nc();\r\nd();', { mode: 'multiline', lineSuffix: '', followingLines: [], maxLines: 2 });
  assert.equal(out, 'a();\nb();');
});
