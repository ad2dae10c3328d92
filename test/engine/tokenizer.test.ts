import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DocTokenizer, bytesToUnicode } from '../../src/engine/tokenizer';
import { FIXTURES, TINY_CAT } from './helpers';

const tok = DocTokenizer.fromFile(path.join(TINY_CAT, 'tokenizer.json'), 4096);

test('golden file: ids identical to the Python pipeline', () => {
  const golden = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'tokenizer_golden.json'), 'utf8')) as { cases: { bytes_b64: string; ids: number[] }[] };
  assert.ok(golden.cases.length >= 10);
  for (const c of golden.cases) {
    const bytes = Buffer.from(c.bytes_b64, 'base64');
    assert.deepEqual(Array.from(tok.encodeBytes(bytes, false)), c.ids, `encoding of ${JSON.stringify(bytes.toString('latin1').slice(0, 60))}`);
    assert.deepEqual(Buffer.from(tok.decodeBytes(c.ids)), bytes, 'decodes back to the same bytes');
  }
});

test('arbitrary bytes round-trip (NUL, invalid UTF-8, CRLF, specials text)', () => {
  let seed = 12345;
  const rnd = () => { seed = (seed * 1103515245 + 12345) >>> 0; return seed >>> 16; };
  for (let k = 0; k < 40; k++) {
    const n = rnd() % 300;
    const b = Uint8Array.from({ length: n }, () => (rnd() % 5 === 0 ? 0x0a : rnd() % 256));
    const ids = tok.encodeBytes(b);
    assert.deepEqual(Buffer.from(tok.decodeBytes(ids)), Buffer.from(b));
  }
  const special = Buffer.from('a<|endoftext|>b\r\n\u0000\n');
  assert.deepEqual(Buffer.from(tok.decodeBytes(tok.encodeBytes(special))), special);
});

test('invalid bytes map to the byte-level vocabulary entries', () => {
  const table = bytesToUnicode();
  const ids = tok.encodeBytes(Uint8Array.from([0xff]));
  assert.equal(ids.length, 1);
  assert.equal(ids[0], tok.byteId(0xff));
  assert.equal(table[0xff], 'ÿ');
});

test('per-line cache: re-encoding after an edit only encodes the changed line', () => {
  const t = DocTokenizer.fromFile(path.join(TINY_CAT, 'tokenizer.json'), 4096);
  const lines = Array.from({ length: 50 }, (_, i) => `line ${i} = value(${i});\n`);
  t.encodeText(lines.join(''));
  const misses = t.lineCacheMisses;
  lines[20] = 'line 20 = changed();\n';
  const a = t.encodeText(lines.join(''));
  assert.equal(t.lineCacheMisses - misses, 1);
  assert.deepEqual(Array.from(a), Array.from(t.encodeBytes(Buffer.from(lines.join('')), false)));
});
