import { test } from 'node:test';
import assert from 'node:assert/strict';
import { byteOffsetOfUtf16, lineStarts, utf16Length, utf8Runs, wellFormedLength } from '../../src/engine/utf8';

const B = (...x: number[]) => Uint8Array.from(x);

test('well-formed lengths follow Unicode Table 3-7', () => {
  assert.equal(wellFormedLength(B(0x41), 0), 1);
  assert.equal(wellFormedLength(B(0xc3, 0xa9), 0), 2);
  assert.equal(wellFormedLength(B(0xc0, 0x80), 0), 0, 'overlong 2-byte');
  assert.equal(wellFormedLength(B(0xe0, 0x80, 0x80), 0), 0, 'overlong 3-byte');
  assert.equal(wellFormedLength(B(0xed, 0xa0, 0x80), 0), 0, 'surrogate');
  assert.equal(wellFormedLength(B(0xf0, 0x9f, 0x98, 0x80), 0), 4);
  assert.equal(wellFormedLength(B(0xf4, 0x90, 0x80, 0x80), 0), 0, 'above U+10FFFF');
  assert.equal(wellFormedLength(B(0xe2, 0x82), 0), 0, 'truncated');
  assert.equal(wellFormedLength(B(0x80), 0), 0, 'lone continuation');
});

test('runs: an ill-formed byte is consumed alone', () => {
  const r = utf8Runs(B(0x61, 0xe2, 0x82, 0x62, 0xff, 0xc3, 0xa9));
  assert.deepEqual(r, [
    { valid: true, start: 0, end: 1 }, { valid: false, byte: 0xe2 }, { valid: false, byte: 0x82 },
    { valid: true, start: 3, end: 4 }, { valid: false, byte: 0xff }, { valid: true, start: 5, end: 7 },
  ]);
});

test('lines split after every LF; CRLF stays in the piece', () => {
  assert.deepEqual(lineStarts(Buffer.from('a\r\nb\n\nc')), [0, 3, 5, 6]);
  assert.deepEqual(lineStarts(Buffer.from('a\n')), [0]);
  assert.deepEqual(lineStarts(new Uint8Array(0)), []);
});

test('UTF-16 <-> byte offsets', () => {
  const b = Buffer.from('aé😀b', 'utf8');
  assert.equal(utf16Length(b), 5);
  assert.equal(byteOffsetOfUtf16(b, 2), 3);
  assert.equal(byteOffsetOfUtf16(b, 4), 7);
  assert.equal(byteOffsetOfUtf16(b, 99), b.length);
  assert.equal(utf16Length(B(0xff, 0x41)), 2);
});
