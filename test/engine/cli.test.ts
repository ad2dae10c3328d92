// cat-lm: output shapes and exit codes (0 ok, 2 usage, 1 runtime error with a one-line reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main, offsetOf } from '../../src/cli/main';
import { TINY_CAT, TINY_DENSE, sampleSource, tmpDir } from './helpers';

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join(''), err: err.join('') };
}

const dir = tmpDir('catlm-cli-');
const file = path.join(dir, 'a.ts');
fs.writeFileSync(file, sampleSource(60));
const cat = ['--model-dir', TINY_CAT, '--provider', 'cpu', '--threads', '1'];

test('complete --json prints one JSON object', async () => {
  const r = await run(['complete', file, '--line', '10', '--col', '5', '--chunk-size', '8', '--json', ...cat]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(typeof j.completion, 'string');
  assert.equal(j.chunkSize, 8);
  assert.equal(j.provider, 'cpu');
  assert.equal(typeof j.ms, 'number');
  const plain = await run(['complete', file, '--line', '61', '--context', file, ...cat]);
  assert.equal(plain.code, 0, plain.err);
});

test('eval --json: bits per byte over files, each scored from its start; dense too', async () => {
  const r = await run(['eval', '--json', '--chunk-size', '16', ...cat, file, file]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.deepEqual(Object.keys(j).slice(0, 5), ['bitsPerByte', 'tokens', 'bytes', 'model', 'chunkSize']);
  assert.equal(j.model, 'cat');
  assert.equal(j.chunkSize, 16);
  assert.equal(j.bytes, 2 * fs.statSync(file).size);
  assert.ok(j.bitsPerByte > 0 && j.bitsPerByte < 40);
  assert.equal(j.files[0].bitsPerByte, j.files[1].bitsPerByte, 'same file, same score: no state leaks between files');
  const d = await run(['eval', '--json', '--model-dir', TINY_DENSE, '--provider', 'cpu', file]);
  assert.equal(d.code, 0, d.err);
  assert.equal(JSON.parse(d.out).model, 'dense');
});

test('summarize --json', async () => {
  const r = await run(['summarize', file, '--json', '--passages', '2', ...cat]);
  assert.equal(r.code, 0, r.err);
  const j = JSON.parse(r.out);
  assert.equal(j.passages.length, 2);
  assert.ok(j.passages[0].startLine >= 1);
});

test('usage errors exit 2; runtime errors exit 1 with one line', async () => {
  for (const args of [[], ['frobnicate'], ['complete', file], ['complete', file, '--line', 'x'], ['complete', file, '--line', '999'], ['eval'], ['complete', file, '--line', '1', '--bogus'], ['eval', '--model', 'big', file]]) {
    const r = await run(args);
    assert.equal(r.code, 2, `${args.join(' ')} -> ${r.err}`);
    assert.match(r.err, /^cat-lm: .+\nusage:/);
  }
  for (const args of [['complete', path.join(dir, 'missing.ts'), '--line', '1', ...cat], ['complete', file, '--line', '1', '--chunk-size', '12', ...cat], ['eval', '--model-dir', dir, file]]) {
    const r = await run(args);
    assert.equal(r.code, 1, `${args.join(' ')} -> ${r.err}`);
    assert.match(r.err, /^cat-lm: error: [^\n]+\n$/);
  }
  const bin = path.join(dir, 'b.bin');
  fs.writeFileSync(bin, Uint8Array.from({ length: 5000 }, (_, i) => (i * 37) % 256));
  const r = await run(['complete', bin, '--line', '1', ...cat]);
  assert.equal(r.code, 1);
  assert.match(r.err, /binary file/);
});

test('line/column to UTF-16 offset', () => {
  const b = Buffer.from('ab\r\néx\nz');
  assert.equal(offsetOf(b, 1, undefined), 2);
  assert.equal(offsetOf(b, 2, 2), 5);
  assert.equal(offsetOf(b, 3, undefined), 8);
});

test('the real process exits with the code', () => {
  const tsx = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'tsx');
  const r = spawnSync(tsx, [path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.ts'), 'complete'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /complete needs exactly one FILE/);
});
