import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStop } from '../../src/engine/stopRules';

test('line mode stops at the newline and drops it (and a CR)', () => {
  assert.deepEqual(checkStop('foo(a)', { mode: 'line', linePrefix: 'x = ' }), { text: 'foo(a)' });
  assert.deepEqual(checkStop('foo(a)\r\nbar', { mode: 'line', linePrefix: 'x = ' }), { stop: 'newline', text: 'foo(a)' });
});

test('multiline: dedent to the cursor block ends the completion', () => {
  const ctx = { mode: 'multiline' as const, linePrefix: 'def f(x):' };
  assert.equal(checkStop('\n    y = x\n    return y\n', ctx).stop, undefined);
  const d = checkStop('\n    y = x\n    return y\ndef g', ctx);
  assert.deepEqual(d, { stop: 'indent', text: '\n    y = x\n    return y' });
});

test('multiline: a line inside a block keeps same-indent siblings, stops on dedent below', () => {
  const ctx = { mode: 'multiline' as const, linePrefix: '    ' };
  assert.equal(checkStop('a = 1\n    b = 2\n', ctx).stop, undefined);
  assert.equal(checkStop('a = 1\n    b = 2\nc', ctx).stop, 'indent');
});

test('multiline: blank line stops', () => {
  const d = checkStop('a = 1\n\nb', { mode: 'multiline', linePrefix: '' });
  assert.deepEqual(d, { stop: 'blank', text: 'a = 1' });
});

test('multiline: the closing bracket line balances and is kept', () => {
  const ctx = { mode: 'multiline' as const, linePrefix: 'if (x) {' };
  assert.equal(checkStop('\n  a();\n}', ctx).stop, undefined, 'waits for the line to end');
  assert.deepEqual(checkStop('\n  a();\n}\nfoo', ctx), { stop: 'brackets', text: '\n  a();\n}' });
});

test('multiline: maxLines', () => {
  const d = checkStop('\n  a\n  b\n  c\n', { mode: 'multiline', linePrefix: 'f {', maxLines: 2 });
  assert.deepEqual(d, { stop: 'max', text: '\n  a' });
});
