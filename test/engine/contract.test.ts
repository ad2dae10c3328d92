// Model folder problems give errors that name the file and the problem; provider fallback is reported.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadContract, checkChunkSize, ContractError, sha256File } from '../../src/engine/contract';
import { Model, providerChain } from '../../src/engine/model';
import { Engine } from '../../src/engine/index';
import { TINY_CAT, TINY_CAT_WINDOW, TINY_DENSE, copyFixture, recordingLogger } from './helpers';

/** Validator: the error's message (not its name) matches. */
const msg = (re: RegExp) => (e: unknown) => e instanceof Error && re.test(e.message);

function editContract(dir: string, fn: (c: Record<string, unknown> & { files: Record<string, unknown> }) => void): void {
  const f = path.join(dir, 'contract.json');
  const c = JSON.parse(fs.readFileSync(f, 'utf8'));
  fn(c);
  fs.writeFileSync(f, JSON.stringify(c));
}

test('the fixtures verify', () => {
  const c = loadContract(TINY_CAT);
  assert.equal(c.kind, 'cat');
  assert.deepEqual(c.chunkSizes, [4, 8, 16, 32, 64]);
  assert.equal(loadContract(TINY_DENSE).kind, 'dense');
});

test('missing file is named', () => {
  const dir = copyFixture(TINY_CAT);
  fs.rmSync(path.join(dir, 'compressor.onnx'));
  assert.throws(() => loadContract(dir), (e: Error) => e instanceof ContractError && /^compressor\.onnx: missing/.test(e.message));
  fs.rmSync(path.join(dir, 'contract.json'));
  assert.throws(() => loadContract(dir), msg(/^contract\.json: missing in /));
});

test('sha256 mismatch names the file with both hashes', () => {
  const dir = copyFixture(TINY_CAT);
  const f = path.join(dir, 'tokenizer.json');
  const b = fs.readFileSync(f);
  b[b.length - 2] = b[b.length - 2] === 0x20 ? 0x0a : 0x20;
  fs.writeFileSync(f, b);
  assert.throws(() => loadContract(dir), msg(/^tokenizer\.json: sha256 mismatch \(expected [0-9a-f]{64}, got [0-9a-f]{64}\)$/));
});

test('truncated .onnx is reported as truncated', () => {
  const dir = copyFixture(TINY_CAT);
  const f = path.join(dir, 'decoder.onnx');
  const b = fs.readFileSync(f);
  fs.writeFileSync(f, b.subarray(0, 1000));
  assert.throws(() => loadContract(dir), msg(new RegExp(`^decoder\\.onnx: truncated \\(expected ${b.length} bytes, got 1000\\)$`)));
});

test('corrupt .onnx that matches its contract fails to load with the file named', async () => {
  const dir = copyFixture(TINY_DENSE);
  const f = path.join(dir, 'decoder.onnx');
  const b = fs.readFileSync(f);
  for (let i = 0; i < 64; i++) b[i * 97 % b.length] ^= 0x5a;
  fs.writeFileSync(f, b.subarray(0, 5000));
  editContract(dir, (c) => { c.files['decoder.onnx'] = { sha256: sha256File(f), bytes: 5000 }; });
  await assert.rejects(Model.load(dir, { provider: 'cpu' }), (e: Error) => e instanceof ContractError && /^decoder\.onnx: onnxruntime could not load it on cpu/.test(e.message));
});

test('wrong format version, wrong format, broken JSON', () => {
  const dir = copyFixture(TINY_CAT);
  editContract(dir, (c) => { c.formatVersion = 1; });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: formatVersion 1 is not supported by this engine \(supports 2, 3\)/));
  editContract(dir, (c) => { c.formatVersion = 2; c.format = 'something-else'; });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: format is "something-else"/));
  fs.writeFileSync(path.join(dir, 'contract.json'), '{"format": ');
  assert.throws(() => loadContract(dir), msg(/^contract\.json: not valid JSON/));
});

test('the window layout: version 3, a cat model, a window size and the attention-bias input; none of it for segments', () => {
  assert.equal(loadContract(TINY_CAT_WINDOW).window, 8);
  const dir = copyFixture(TINY_CAT_WINDOW);
  editContract(dir, (c) => { c.formatVersion = 2; });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: layout "window" needs formatVersion 3/));
  editContract(dir, (c) => { c.formatVersion = 3; delete c.window; });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: window must be a positive integer/));
  editContract(dir, (c) => { c.window = 8; (c.graphs as { decoder: { inputs: string[] } }).decoder.inputs.splice(4, 1); });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: graphs\.decoder\.inputs lacks "attn_bias"/));
  editContract(dir, (c) => { c.layout = 'sideways'; });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: layout "sideways" must be "segments" or "window"/));
  const seg = copyFixture(TINY_CAT);
  editContract(seg, (c) => { (c.graphs as { decoder: { inputs: string[] } }).decoder.inputs.push('attn_bias'); });
  assert.throws(() => loadContract(seg), msg(/^contract\.json: graphs\.decoder\.inputs has "attn_bias", which only the "window" layout takes/));
});

test('past inputs must name one decoder input per layer and head', () => {
  const dir = copyFixture(TINY_CAT);
  editContract(dir, (c) => { (c.graphs as { decoder: { past: { keys_b: string[][] } } }).decoder.past.keys_b[1].pop(); });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: graphs\.decoder\.past\.keys_b must name one decoder input per layer and head \(2 x 2\)/));
  editContract(dir, (c) => { delete (c.graphs as { decoder: { past?: unknown } }).decoder.past; });
  assert.throws(() => loadContract(dir), msg(/^contract\.json: graphs\.decoder\.past is missing/));
});

test('quality (held-out bits/byte): optional, validated, carried to the engine info', async () => {
  assert.equal(loadContract(TINY_CAT).quality, undefined, 'absent: unknown');
  const dir = copyFixture(TINY_CAT);
  const quality = { split: 'heldout', windows: 64, windowTokens: 512, seed: 0, tokens: 32768, bytes: 87803, bitsPerByte: { '4': 2.34, '64': 2.2 } };
  editContract(dir, (c) => { c.quality = quality; });
  assert.deepEqual(loadContract(dir).quality, quality);
  const e = await Engine.load({ modelDir: dir, provider: 'cpu', threads: 1 });
  try {
    assert.deepEqual(e.info.quality?.bitsPerByte, quality.bitsPerByte);
  } finally {
    await e.dispose();
  }
  const bad: [unknown, RegExp][] = [
    [[1, 2], /quality must be an object/],
    [{ ...quality, split: '' }, /quality\.split must name the split/],
    [{ ...quality, bytes: 0 }, /quality\.bytes must be a positive integer/],
    [{ ...quality, bitsPerByte: {} }, /quality\.bitsPerByte must map chunk sizes/],
    [{ ...quality, bitsPerByte: { '12': 2 } }, /quality\.bitsPerByte\["12"\] is not a trained chunk size \(expected 4, 8, 16, 32, 64\)/],
    [{ ...quality, bitsPerByte: { '4': 'low' } }, /quality\.bitsPerByte\["4"\] must be a positive number/],
  ];
  for (const [q, re] of bad) {
    editContract(dir, (c) => { c.quality = q; });
    assert.throws(() => loadContract(dir), (e: unknown) => e instanceof ContractError && re.test(e.message), JSON.stringify(q));
  }
  const dense = copyFixture(TINY_DENSE);
  editContract(dense, (c) => { c.quality = { ...quality, bitsPerByte: { dense: 2.5 } }; });
  assert.deepEqual(loadContract(dense).quality?.bitsPerByte, { dense: 2.5 });
  editContract(dense, (c) => { c.quality = quality; });
  assert.throws(() => loadContract(dense), msg(/^contract\.json: quality\.bitsPerByte\["4"\] is not "dense"/));
});

test('a chunk size the model was not trained for is refused clearly', () => {
  const c = loadContract(TINY_CAT);
  assert.equal(checkChunkSize(c, 16), 16);
  assert.throws(() => checkChunkSize(c, 12), msg(/^chunk size 12 is not one the model tiny-cat was trained for \(supported: 4, 8, 16, 32, 64\)$/));
  assert.equal(checkChunkSize(loadContract(TINY_DENSE), 12), 0, 'dense ignores chunk sizes');
});

test('provider chains: cuda and auto fall back to cpu, cpu is cpu', () => {
  assert.deepEqual(providerChain('auto'), ['cuda', 'cpu']);
  assert.deepEqual(providerChain('cuda'), ['cuda', 'cpu']);
  assert.deepEqual(providerChain('cpu'), ['cpu']);
});

test('CUDA unavailable: visible fallback to CPU with the error text (explicit cuda warns)', async () => {
  const log = recordingLogger();
  const e = await Engine.load({ modelDir: TINY_DENSE, provider: 'cuda', threads: 1, logger: log });
  try {
    assert.equal(e.info.provider.active, 'cpu');
    assert.equal(e.info.provider.skipped.length, 1);
    assert.equal(e.info.provider.skipped[0].provider, 'cuda');
    assert.match(e.info.provider.skipped[0].error, /^decoder\.onnx: .+/);
    assert.ok(log.lines.some((l) => /^warn: provider cuda unavailable, falling back/.test(l)), log.lines.join('\n'));
  } finally {
    await e.dispose();
  }
  const log2 = recordingLogger();
  const e2 = await Engine.load({ modelDir: TINY_DENSE, provider: 'cpu', threads: 1, logger: log2 });
  assert.deepEqual(e2.info.provider, { active: 'cpu', skipped: [] });
  await e2.dispose();
});

test('fim.measured: validated; useSuffix "auto" reads the text after the cursor only when it was measured to help', async () => {
  const measured = { split: 'val', cases: 200, plainBitsPerByte: 2.1, fimBitsPerByte: 2.0, suffixGain: 0.1 };
  const dir = copyFixture(TINY_CAT);
  editContract(dir, (c) => { c.fim = { maxSuffixTokens: 256, measured: { ...measured, suffixGain: 'big' } }; });
  assert.throws(() => loadContract(dir), msg(/fim\.measured\.suffixGain must be a number/));
  const text = Array.from({ length: 30 }, (_, i) => `function f${i}(a, b) {\n  return a * ${i} + b;\n}\n`).join('');
  const offsets = [5, 17, 40, 90, 200].map((l) => text.split('\n').slice(0, l % 60).join('\n').length + 1);
  const run = async (gain: number) => {
    editContract(dir, (c) => { c.fim = { maxSuffixTokens: 256, measured: { ...measured, suffixGain: gain } }; });
    const e = await Engine.load({ modelDir: dir, provider: 'cpu', threads: 1 });
    try {
      e.updateDocument('d', 1, text);
      // what the model read: the document window, plus the suffix when it was used
      const out: { auto: number[]; on: number[]; off: number[] } = { auto: [], on: [], off: [] };
      for (const offset of offsets) {
        for (const [k, useSuffix] of [['auto', 'auto'], ['on', true], ['off', false]] as const) {
          out[k].push((await e.complete({ docId: 'd', version: 1, offset, chunkSize: 8, mode: 'line', maxTokens: 2, useSuffix, useIndex: false })).timing?.contextTokens ?? -1);
        }
      }
      return { ...out, helps: e.suffixHelps };
    } finally {
      await e.dispose();
    }
  };
  const helps = await run(0.1), hurts = await run(-0.1);
  assert.ok(helps.on.every((n, i) => n > helps.off[i]), 'with the suffix the model reads more');
  assert.equal(helps.helps, true);
  assert.deepEqual(helps.auto, helps.on);
  assert.equal(hurts.helps, false);
  assert.deepEqual(hurts.auto, hurts.off);
});
