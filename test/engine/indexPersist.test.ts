// The persisted workspace index: segments written and read back; a restart confirms files sent
// again with the same content instead of tokenizing them; changed files are indexed afresh;
// files not sent again are dropped at the end of the pass; a corrupt file is ignored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Engine } from '../../src/engine/index';
import { decodeSegments, encodeSegments } from '../../src/engine/recall/indexPersist';
import { TokenIndex } from '../../src/engine/recall/tokenIndex';
import { seededRng } from '../../src/engine/sampling';
import { recordingLogger, TINY_CAT } from './helpers';

const SRC = path.resolve(__dirname, '..', '..', 'src', 'engine');
const files = ['generate.ts', 'sampling.ts', 'stopRules.ts', 'scoring.ts', 'docTokens.ts', 'utf8.ts'].map((f) => path.join(SRC, f));

test('segments round-trip through the file format; a flipped byte or a truncation is refused', () => {
  const r = seededRng(5);
  const idx = new TokenIndex({ merge: 500, maxSegment: 1 << 20 });
  for (let i = 0; i < 6; i++) {
    const ids = Int32Array.from({ length: 300 }, () => Math.floor(r() * 7));
    idx.update(`f${i}`, { ids, lineStarts: Int32Array.from([0, ids.length]) }, true, `key${i}`);
  }
  const segs = idx.segments();
  const buf = encodeSegments(segs);
  const back = decodeSegments(buf);
  assert.ok(Array.isArray(back));
  assert.equal(back.length, segs.length);
  assert.deepEqual([...back[0].sa.sa], [...segs[0].sa.sa]);
  assert.deepEqual([...back[0].files], [...segs[0].files]);
  const bad = Buffer.from(buf);
  bad[bad.length - 3] ^= 0xff;
  assert.match(decodeSegments(bad) as string, /checksum/);
  assert.match(decodeSegments(buf.subarray(0, 20)) as string, /not an index|checksum/);
});

test('engine restart: unchanged files come back from disk (same estimates), a changed one is re-indexed, unsent ones dropped', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catlm-index-'));
  const first = await Engine.load({ modelDir: TINY_CAT, provider: 'cpu', threads: 1, persistDir: dir });
  for (const f of files) assert.ok(first.indexFile(f, fs.readFileSync(f)).ok);
  const before = first.indexStats();
  const probe = first.tokenizer.encodeText(fs.readFileSync(files[0], 'utf8')).subarray(0, 400);
  const want = first.recall.index.lookup().estimate(probe.subarray(0, 300));
  await first.dispose();                                          // writes the segments
  const log = recordingLogger();
  const second = await Engine.load({ modelDir: TINY_CAT, provider: 'cpu', threads: 1, persistDir: dir, logger: log });
  assert.ok(log.lines.some((l) => /segments restored/.test(l)), log.lines.join('\n'));
  assert.equal(second.indexStats().workspaceFiles, 0, 'restored files wait to be sent again');
  assert.equal(second.recall.index.lookup().estimate(probe.subarray(0, 300)).k, 0, 'and are not searched until then');
  const merges = second.recall.index.merges;
  for (const f of files.slice(0, 5)) assert.ok(second.indexFile(f, fs.readFileSync(f)).ok);
  assert.equal(second.recall.index.merges, merges, 'nothing was tokenized or merged again');
  const got = second.recall.index.lookup().estimate(probe.subarray(0, 300));
  assert.equal(got.k, want.k);
  assert.deepEqual([...got.counts].sort(), [...want.counts].sort());
  second.indexFile(files[1], Buffer.from('// changed\n' + fs.readFileSync(files[1], 'utf8')));
  assert.equal(second.indexStats().workspaceFiles, 5);
  second.indexPassDone();                                         // files[5] was not sent again: dropped
  assert.equal(second.indexStats().workspaceFiles, 5);
  assert.ok(second.indexStats().tokens < before.tokens);
  await second.dispose();
  const segPath = fs.readdirSync(dir).filter((d) => d.startsWith('index-')).map((d) => path.join(dir, d, 'segments.bin'))[0];
  fs.writeFileSync(segPath, Buffer.from('CATINDX1 but not really'));
  const log3 = recordingLogger();
  const third = await Engine.load({ modelDir: TINY_CAT, provider: 'cpu', threads: 1, persistDir: dir, logger: log3 });
  assert.ok(log3.lines.some((l) => /^warn: workspace index: .* ignored/.test(l)), log3.lines.join('\n'));
  assert.ok(third.indexFile(files[0], fs.readFileSync(files[0])).ok, 'indexed afresh');
  assert.equal(third.indexStats().workspaceFiles, 1);
  await third.dispose();
});
