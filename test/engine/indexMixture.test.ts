// The index mixture, token healing and the confidence gate, on the tiny real fixture model (its
// own predictions are near random, so what the index adds is plain to see).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Engine } from '../../src/engine/index';
import { healCount } from '../../src/engine/recall/heal';
import { Mixer } from '../../src/engine/recall/mixer';
import { TokenIndex } from '../../src/engine/recall/tokenIndex';
import { workspaceTokens } from '../../src/engine/recall/workspaceFiles';
import { copyFixture, recallParams, tinyEngineLoader } from './helpers';

const { load } = tinyEngineLoader();

/** High lambda for long sparse matches; a gate that trusts long first matches only. */
const params = () => recallParams({ long: [0.9, 0.98], gate: { logK0: 4 }, bias: -6, threshold: 0.5 });

const repeated = [
  'function area(width: number, height: number): number {',
  '  return width * height;',
  '}',
  'const first = computeTotal(orders, taxRate, discountCode);',
  'console.log("first", first);',
  '',
].join('\n');

test('mixture probabilities sum to 1 and put the index mass on the next token of a long match', async () => {
  const eng = await load();
  const tok = eng.tokenizer, V = eng.contract.dims.vocabSize;
  const dt = workspaceTokens(Buffer.from(repeated), tok).tokens;
  assert.ok(dt);
  const idx = new TokenIndex();
  idx.update('d', dt);
  const ctx = tok.encodeText(repeated + 'const second = computeTotal(orders,');
  const mixer = new Mixer(idx.lookup(), params(), ctx, V);
  assert.ok(mixer.estimate.k >= 4 && mixer.estimate.sparse, `k ${mixer.estimate.k}`);
  const logits = Float32Array.from({ length: V }, (_, i) => Math.sin(i) * 3);
  const row = mixer.mix(logits);
  let s = 0, best = 0;
  for (let i = 0; i < V; i++) { s += Math.exp(row[i]); if (row[i] > row[best]) best = i; }
  assert.ok(Math.abs(s - 1) < 1e-4, `sum ${s}`);
  assert.equal(best, [...mixer.estimate.counts.keys()][0]);
  const alone = new Mixer(undefined, undefined, ctx, V);
  const none = alone.mix(logits);
  assert.equal(none, logits, 'model alone (lambda 0): the logits pass unchanged');
  alone.advance(7, none);
  let z = 0;
  for (let i = 0; i < V; i++) z += Math.exp(logits[i]);
  assert.ok(Math.abs(alone.steps[0].logP - (logits[7] - Math.log(z))) < 1e-4, 'the recorded log-probability is normalized');
});

test('retyping the start of a repeated line completes its rest (line start and mid-word, healed); the gate shows it', async () => {
  const eng = await load();
  eng.recall.params = params();
  for (const [typed, rest] of [['const second = computeTotal(', 'orders, taxRate, discountCode);'], ['const second = computeTotal(ord', 'ers, taxRate, discountCode);']]) {
    const text = repeated + typed;
    eng.updateDocument('r', 1, text);
    const r = await eng.complete({ docId: 'r', version: 1, offset: text.length, chunkSize: 4, mode: 'line', maxTokens: 24 });
    assert.equal(r.text, rest, `after ${JSON.stringify(typed)}`);
    assert.ok(r.gate?.shown && r.gate.confidence >= 0.5, JSON.stringify(r.gate));
    const off = await eng.complete({ docId: 'r', version: 1, offset: text.length, chunkSize: 4, mode: 'line', maxTokens: 24, useIndex: false });
    assert.notEqual(off.text, rest, 'the tiny model alone does not know it');
    eng.closeDocument('r');
  }
});

test('healing takes back every token of a word cut short (" b" "re" "a" of " break"), never the line before', async () => {
  const eng = await load();
  const tok = eng.tokenizer, file = eng.contract.tokenizer.special.file;
  const cut = [file, ...tok.encodeText('x = 1;\n    brea')];
  const n = healCount(cut, tok);
  assert.ok(n >= 2, `the fixture spells " brea" in ${n} token(s)`);
  assert.equal(Buffer.from(tok.decodeBytes(cut.slice(cut.length - n))).toString(), ' brea');
  assert.equal(healCount([file, ...tok.encodeText('re\na')], tok), 1, 'the newline and the line before it stay');
  assert.equal(healCount([file], tok), 0);
  eng.recall.params = params();
  const text = 'switch (x) {\n  case 1:\n    total += 1;\n    break;\n  case 2:\n    total += 1;\n    brea';
  eng.updateDocument('h', 1, text);
  const r = await eng.complete({ docId: 'h', version: 1, offset: text.length, chunkSize: 4, mode: 'line', maxTokens: 8 });
  assert.equal(r.text, 'k;', JSON.stringify(r));
  assert.ok((r.indexMatch ?? 0) >= 8, `the query reaches back over the earlier line: k ${r.indexMatch}`);
  eng.closeDocument('h');
});

test('the gate holds back a low-confidence suggestion (stop gated, empty text); minConfidence 0 shows it', async () => {
  const eng = await load();
  eng.recall.params = params();
  const text = repeated + 'zq';
  eng.updateDocument('g', 1, text);
  const r = await eng.complete({ docId: 'g', version: 1, offset: text.length, chunkSize: 4, mode: 'line', maxTokens: 8 });
  assert.equal(r.stop, 'gated');
  assert.equal(r.text, '');
  assert.ok(r.gate && !r.gate.shown && r.gate.confidence < 0.5);
  const all = await eng.complete({ docId: 'g', version: 1, offset: text.length, chunkSize: 4, mode: 'line', maxTokens: 8, minConfidence: 0 });
  assert.equal(all.gate?.shown, all.text.trim() !== '', 'shown unless blank');
  if (all.text.trim()) assert.equal(all.text, r.gate.heldBack);
});

test('a contract that names a missing or corrupt recall file fails to load with the file named', async () => {
  const dir = copyFixture(path.join(__dirname, '..', 'fixtures', 'tiny-cat'));
  const cPath = path.join(dir, 'contract.json');
  const c = JSON.parse(fs.readFileSync(cPath, 'utf8'));
  c.recall = { file: 'recall.json' };
  fs.writeFileSync(cPath, JSON.stringify(c));
  await assert.rejects(Engine.load({ modelDir: dir, provider: 'cpu', threads: 1 }), /recall\.json/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('index-only files: binary, minified and huge ones are refused with a reason; stats count the rest', async () => {
  const eng = await load();
  assert.equal(eng.indexFile('w/a.ts', 'export const a = 1;\n').ok, true);
  assert.match(eng.indexFile('w/b.bin', Buffer.from([0, 0, 0, 1, 2, 0, 255, 0, 0, 7])).reason ?? '', /binary/);
  assert.match(eng.indexFile('w/c.min.js', 'x'.repeat(5000)).reason ?? '', /minified/);
  assert.match(eng.indexFile('w/d.ts', 'a\n'.repeat(600_000)).reason ?? '', /not indexed/);
  const st = eng.indexStats();
  assert.equal(st.workspaceFiles, 1);
  assert.ok(st.tokens > 0 && st.bytes > 0);
  eng.removeIndexFile('w/a.ts');
  assert.equal(eng.indexStats().workspaceFiles, 0);
});

test('a recall file whose gate features are not the engine\'s (in order) fails to load, naming the feature', async () => {
  const dir = copyFixture(path.join(__dirname, '..', 'fixtures', 'tiny-cat'));
  const write = (recall: unknown) => {                  // recall.json, named by the contract with its checksum
    const bytes = Buffer.from(JSON.stringify(recall));
    fs.writeFileSync(path.join(dir, 'recall.json'), bytes);
    const c = JSON.parse(fs.readFileSync(path.join(dir, 'contract.json'), 'utf8'));
    c.recall = { file: 'recall.json' };
    c.files['recall.json'] = { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
    fs.writeFileSync(path.join(dir, 'contract.json'), JSON.stringify(c));
  };
  const p = params();
  const swapped = [...p.gate!.features];
  [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
  write({ ...p, gate: { ...p.gate, features: swapped } });
  await assert.rejects(Engine.load({ modelDir: dir, provider: 'cpu', threads: 1 }), /gate feature 0 is "minLogP"/);
  write({ ...p, gate: { ...p.gate, features: p.gate!.features.slice(0, 5), weights: p.gate!.weights.slice(0, 5) } });
  const eng = await Engine.load({ modelDir: dir, provider: 'cpu', threads: 1 });   // a prefix of the list loads
  await eng.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('a long workspace file indexed in slices frees the event loop and ends as indexFile does; a later request or a removal wins', async () => {
  const src = fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'engine', 'index.ts'), 'utf8');
  const big = Array.from({ length: 12 }, (_, i) => src.replace(/Engine/g, `Engine${i}`)).join('\n');
  const small = 'export const small = 1;\n';
  const whole = await load();
  assert.equal(whole.indexFile('w/big.ts', big).ok, true);
  const sliced = await load();
  let turns = 0, done = false;
  const tick = () => { turns++; if (!done) setImmediate(tick); };
  setImmediate(tick);
  assert.equal((await sliced.indexFileSliced('w/big.ts', big, 1)).ok, true);
  done = true;
  assert.ok(turns > 5, `the event loop turned ${turns} times while a ${big.length}-byte file was indexed`);
  assert.deepEqual(sliced.indexStats(), whole.indexStats());
  const ctxs = [big.slice(1000, 1400), big.slice(50_000, 50_300), 'export class Engine7 {'];
  for (const c of ctxs) {
    const ids = Array.from(whole.tokenizer.encodeLine(Buffer.from(c)));
    const a = whole.recall.index.lookup().estimate(ids), b = sliced.recall.index.lookup().estimate(ids);
    assert.deepEqual([b.k, b.total, [...b.counts]], [a.k, a.total, [...a.counts]]);
  }
  const later = await load();
  const first = later.indexFileSliced('w/x.ts', big, 1);
  const second = later.indexFileSliced('w/x.ts', small, 1);
  await Promise.all([first, second]);
  const onlySmall = await load();
  onlySmall.indexFile('w/x.ts', small);
  assert.deepEqual(later.indexStats(), onlySmall.indexStats(), 'the later (small) content is what stays');
  const removed = await load();
  const pending = removed.indexFileSliced('w/y.ts', big, 1);
  removed.removeIndexFile('w/y.ts');
  await pending;
  assert.equal(removed.indexStats().workspaceFiles, 0, 'removed while it was being indexed: not indexed');
});
