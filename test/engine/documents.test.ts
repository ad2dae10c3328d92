import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_DOCUMENT_LIMITS, DocumentStore } from '../../src/engine/documents';

const store = () => new DocumentStore(DEFAULT_DOCUMENT_LIMITS, 65536);

test('UTF-16 offsets map to line and byte column (CRLF, astral, end of document)', () => {
  const s = store();
  const text = 'ab\r\né😀x\nlast';
  const { snap } = s.update('d', 1, text);
  assert.ok(snap);
  assert.equal(snap.lineCount, 3);
  assert.deepEqual(snap.position(0), { line: 0, byteCol: 0 });
  assert.deepEqual(snap.position(4), { line: 1, byteCol: 0 }, 'after CRLF');
  assert.deepEqual(snap.position(5), { line: 1, byteCol: 2 }, 'after é');
  assert.deepEqual(snap.position(7), { line: 1, byteCol: 6 }, 'after the surrogate pair');
  assert.deepEqual(snap.position(text.length), { line: 2, byteCol: 4 });
  assert.deepEqual(snap.position(1e9), { line: 2, byteCol: 4 }, 'clamped');
  const { snap: s2 } = s.update('e', 1, 'x\n');
  assert.deepEqual(s2?.position(2), { line: 1, byteCol: 0 }, 'after a final newline: an empty last line');
  assert.deepEqual(s2?.positionOfLineCol(2, 1), { line: 1, byteCol: 0 });
});

test('byte input maps offsets the same way (invalid bytes count one unit)', () => {
  const { snap } = store().update('d', 1, Uint8Array.from([0x61, 0xff, 0x62, 0x0a, 0x63]));
  assert.ok(snap);
  assert.deepEqual(snap.position(2), { line: 0, byteCol: 2 });
  assert.deepEqual(snap.position(4), { line: 1, byteCol: 0 });
  assert.equal(snap.utf16Length, 5);
});

test('empty document is fine', () => {
  const { snap, check } = store().update('d', 1, '');
  assert.deepEqual(check, { ok: true });
  assert.equal(snap?.lineCount, 0);
  assert.deepEqual(snap?.position(0), { line: 0, byteCol: 0 });
});

test('NUL bytes and invalid UTF-8 are accepted and reported as encoded losslessly', () => {
  const bytes = Buffer.concat([Buffer.from('int main() {\n'.repeat(20)), Buffer.from([0, 0xff, 0x0a])]);
  const { check } = store().update('d', 1, bytes);
  assert.equal(check.ok, true);
  assert.match(check.reason ?? '', /1 NUL and 1 invalid UTF-8 bytes; they are encoded losslessly/);
});

test('binary files are refused with a reason', () => {
  const bytes = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256);
  const s = store();
  const { check, snap } = s.update('bin', 1, bytes);
  assert.equal(check.ok, false);
  assert.match(check.reason ?? '', /^binary file: \d+ NUL/);
  assert.equal(snap, undefined);
  assert.throws(() => s.get('bin', 1), /not open/);
});

test('huge files and very long lines are accepted with a cap message', () => {
  const big = Buffer.alloc(9 * 1024 * 1024, 'abcdefghi\n');
  const c1 = store().update('big', 1, big).check;
  assert.equal(c1.ok, true);
  assert.match(c1.reason ?? '', /large file \(9\.0 MB\): context is capped at the 65536 tokens/);
  const line = Buffer.alloc(2 * 1024 * 1024, 'x');
  const c2 = store().update('min', 1, line).check;
  assert.match(c2.reason ?? '', /line 1 is 2\.0 MB long \(minified\?\)/);
});

test('versions: exact version or a clear error; older snapshots kept a while', () => {
  const s = store();
  for (let v = 1; v <= 5; v++) s.update('d', v, `v${v}`);
  assert.equal(s.get('d', 5).version, 5);
  assert.equal(s.get('d', 3).version, 3);
  assert.throws(() => s.get('d', 1), /version 1 is not available \(known: 3, 4, 5\)/);
  assert.throws(() => s.get('zz', 1), /not open/);
  s.close('d');
  assert.throws(() => s.get('d', 5), /not open/);
});
