// Which workspace files the indexer sends: languages, globs, .gitignore, content filters,
// the token budget and the order (nearest to the open documents first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as engineLimits from '../../src/engine/recall/workspaceFiles';
import {
  approxTokens, contentProblem, directoryDistance, escapeGlob, excludeGlob, fileExtension, GitIgnores, includeWithIgnoresGlob,
  languageExtensions, MAX_INDEX_FILE_BYTES, MINIFIED_LINE_BYTES, MINIFIED_MEAN_LINE, planIndex, TokenRate, type Candidate,
} from '../../src/extension/index/indexSelection';

test('the pre-filter uses the engine limits for index-only files', () => {
  assert.equal(MAX_INDEX_FILE_BYTES, engineLimits.MAX_INDEX_FILE_BYTES);
  assert.equal(MINIFIED_LINE_BYTES, engineLimits.MINIFIED_LINE_BYTES);
  assert.equal(MINIFIED_MEAN_LINE, engineLimits.MINIFIED_MEAN_LINE);
});

test('extensions: lower case, none for dotfiles and extension-less names; the open documents give the languages', () => {
  assert.equal(fileExtension('/w/src/A.TS'), 'ts');
  assert.equal(fileExtension('/w/.gitignore'), undefined);
  assert.equal(fileExtension('/w/Makefile'), undefined);
  assert.equal(fileExtension('/w/v1.2/readme'), undefined);
  assert.equal(fileExtension('/w/x.d.ts'), 'ts');
  assert.deepEqual(languageExtensions(['/a/x.ts', '/b/y.TS', '/c/z.py', '/d/Makefile']), ['py', 'ts']);
});

test('include and exclude globs', () => {
  assert.equal(includeWithIgnoresGlob([]), undefined);
  assert.equal(includeWithIgnoresGlob(['ts']), '**/{*.ts,.gitignore}');
  assert.equal(includeWithIgnoresGlob(['js', 'ts']), '**/{*.js,*.ts,.gitignore}');
  assert.equal(escapeGlob('a{b}*'), 'a[{]b[}][*]');
  const ex = excludeGlob({ '**/node_modules': true, '**/dist': false, '**/*.map': { when: '$(basename).js' } }, { '**/out': true, '**/node_modules': true });
  assert.equal(ex, '{**/.git,**/.hg,**/.svn,**/node_modules,**/out}');
  assert.equal(excludeGlob(undefined), '{**/.git,**/.hg,**/.svn}');
});

test('.gitignore: root and nested rules, negation, ignored directories hide their files', () => {
  const g = new GitIgnores();
  g.add('', 'node_modules/\n*.log\nbuild\n!keep.log\n');
  g.add('pkg/sub', 'generated/\n/local.ts\n');
  assert.equal(g.ignores('node_modules/a/index.js'), true);
  assert.equal(g.ignores('src/node_modules/x.js'), true);
  assert.equal(g.ignores('debug.log'), true);
  assert.equal(g.ignores('keep.log'), false);
  assert.equal(g.ignores('build/out.js'), true);
  assert.equal(g.ignores('src/main.ts'), false);
  assert.equal(g.ignores('pkg/sub/generated/x.ts'), true);
  assert.equal(g.ignores('pkg/sub/local.ts'), true);
  assert.equal(g.ignores('pkg/sub/deeper/local.ts'), false, 'an anchored rule applies to its own directory only');
  assert.equal(g.ignores('pkg/generated/x.ts'), false, 'nested rules stay below their directory');
  assert.equal(g.size, 2);
});

test('content: binary, minified and huge files are refused with a reason; ordinary code passes', () => {
  const code = Buffer.from('export function f(a: number): number {\n  return a + 1;\n}\n');
  assert.equal(contentProblem(code), undefined);
  assert.equal(contentProblem(new Uint8Array(0)), undefined);
  assert.match(contentProblem(Buffer.concat([code, Buffer.from([0, 1, 2])]))!, /binary/);
  assert.match(contentProblem(Buffer.from('var a=' + 'x,'.repeat(600) + ';\n'))!, /minified \(a line of 1208 bytes\)/);
  // no line over the limit, but 250 bytes per line on average
  const wide = Buffer.from(Array.from({ length: 20 }, () => 'y'.repeat(249)).join('\n'));
  assert.match(contentProblem(wide)!, /minified \(\d+ bytes per line\)/);
  assert.match(contentProblem(Buffer.alloc(MAX_INDEX_FILE_BYTES + 1, 0x61))!, /over 1 MiB/);
  // invalid UTF-8 is not binary (the engine encodes it as byte tokens)
  assert.equal(contentProblem(Buffer.concat([code, Buffer.from([0xc3, 0x28, 0xff, 0x0a])])), undefined);
});

test('directory distance', () => {
  assert.equal(directoryDistance('w/src/a.ts', 'w/src/b.ts'), 0);
  assert.equal(directoryDistance('w/src/a.ts', 'w/src/x/b.ts'), 1);
  assert.equal(directoryDistance('w/test/a.ts', 'w/src/x/b.ts'), 3);
  assert.equal(directoryDistance('w/a.ts', 'v/a.ts'), 2);
});

test('budget: approximate tokens, nearest files first, files that do not fit are skipped', () => {
  assert.equal(approxTokens(32), 10);
  assert.equal(approxTokens(33), 11);
  const c = (path: string, size: number): Candidate => ({ id: `file:///${path}`, path, size });
  const files = [c('w/lib/far.ts', 3200), c('w/src/near.ts', 3200), c('w/src/deep/b.ts', 320), c('w/src/deep/a.ts', 6400), c('w/big.ts', 2 * 1024 * 1024)];
  const all = planIndex(files, 1e9, ['w/src/main.ts']);
  assert.deepEqual(all.chosen.map((x) => x.path), ['w/src/near.ts', 'w/src/deep/a.ts', 'w/src/deep/b.ts', 'w/lib/far.ts']);
  assert.equal(all.tooLarge, 1);
  assert.equal(all.tokens, 1000 + 2000 + 100 + 1000);
  // 1,500 tokens: near.ts (1,000) fits, deep/a.ts (2,000) does not, deep/b.ts (100) does, far.ts does not
  const some = planIndex(files, 1500, ['w/src/main.ts']);
  assert.deepEqual(some.chosen.map((x) => x.path), ['w/src/near.ts', 'w/src/deep/b.ts']);
  assert.equal(some.tokens, 1100);
  assert.equal(some.overBudget, 2);
  assert.deepEqual(planIndex(files, 0, ['w/src/main.ts']).chosen, []);
  // no open document in the workspace: by path
  assert.deepEqual(planIndex(files, 1e9, []).chosen.map((x) => x.path), ['w/lib/far.ts', 'w/src/deep/a.ts', 'w/src/deep/b.ts', 'w/src/near.ts']);
});

test('bytes per token: 3.2 until 64 KiB are measured, then the measured rate (clamped); other index changes ignored', () => {
  const r = new TokenRate();
  assert.equal(r.bytesPerToken, 3.2);
  r.observe(32 * 1024, 12_000);
  assert.equal(r.bytesPerToken, 3.2, 'not enough measured yet');
  r.observe(-Infinity, 5); // a batch that replaced files
  r.observe(1000, -40); // the index shrank meanwhile (a file opened)
  r.observe(32 * 1024, 13_000);
  assert.equal(r.bytesPerToken, (64 * 1024) / 25_000);
  const c = (path: string, size: number): Candidate => ({ id: path, path, size });
  // at 2.62 bytes/token the same 3 files need more tokens: the budget admits fewer
  const files = [c('w/a.ts', 2620), c('w/b.ts', 2620), c('w/c.ts', 2620)];
  assert.equal(planIndex(files, 2500, []).chosen.length, 3);
  assert.equal(planIndex(files, 2500, [], r.bytesPerToken).chosen.length, 2);
  const wild = new TokenRate();
  wild.observe(100_000, 1);
  assert.equal(wild.bytesPerToken, 8);
});

test('planning 20,000 candidates costs under 50 ms of CPU (best of 3: the first call also pays for JIT compilation)', () => {
  const files: Candidate[] = Array.from({ length: 20_000 }, (_, i) => ({ id: `f${i}`, path: `w/p${i % 50}/q${i % 7}/f${i}.ts`, size: 1000 + (i % 4000) }));
  const open = Array.from({ length: 20 }, (_, i) => `w/p${i}/q0/open.ts`);
  const times: number[] = [];
  for (let k = 0; k < 3; k++) {
    // CPU time, not wall time: this shared machine's other work would otherwise be measured
    const c0 = process.cpuUsage();
    const plan = planIndex(files, 2_000_000, open);
    const c = process.cpuUsage(c0);
    times.push((c.user + c.system) / 1000);
    assert.ok(plan.chosen.length > 0 && plan.tokens <= 2_000_000);
    assert.ok(plan.chosen.slice(0, 10).every((x) => /^w\/p\d+\/q0\//.test(x.path)), 'files beside an open document come first');
  }
  assert.ok(Math.min(...times) < 50, `planIndex took ${times.map((t) => t.toFixed(1)).join(', ')} ms of CPU`);
});
