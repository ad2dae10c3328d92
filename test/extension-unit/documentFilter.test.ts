import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyDocument, isInternalScheme } from '../../src/extension/documents/documentFilter';

const MB = 1024 * 1024;

test('ordinary text is accepted', () => {
  assert.deepEqual(classifyDocument('file', 11, 'hello world', 4 * MB), { ok: true });
  assert.deepEqual(classifyDocument('untitled', 0, '', 4 * MB), { ok: true });
});

test('over the size limit: refused with the sizes in the message', () => {
  const v = classifyDocument('file', 50 * MB, '', 4 * MB);
  assert.equal(v.ok, false);
  assert.ok(!v.ok && v.reason === 'tooLarge' && /50\.0 MB > cat\.maxFileSizeKB = 4\.0 MB/.test(v.message));
});

test('NUL bytes or mostly undecodable bytes: binary', () => {
  const nul = classifyDocument('file', 10, 'ab\u0000cd', 4 * MB);
  assert.ok(!nul.ok && nul.reason === 'binary');
  const junk = classifyDocument('file', 10, '\uFFFD\uFFFDa\uFFFD', 4 * MB);
  assert.ok(!junk.ok && junk.reason === 'binary');
});

test('a few invalid UTF-8 sequences: accepted with a note', () => {
  const v = classifyDocument('file', 1000, 'x'.repeat(999) + '\uFFFD', 4 * MB);
  assert.ok(v.ok && v.note && /1 byte sequence/.test(v.note));
});

test('VS Code internal schemes are not handled', () => {
  assert.equal(isInternalScheme('output'), true);
  assert.equal(isInternalScheme('vscode-settings'), true);
  assert.equal(isInternalScheme('file'), false);
  assert.equal(isInternalScheme('untitled'), false);
  const v = classifyDocument('output', 1, 'x', 4 * MB);
  assert.ok(!v.ok && v.reason === 'scheme');
});
