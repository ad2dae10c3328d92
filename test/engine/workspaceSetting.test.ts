// The completion evaluation's workspace setting: which files of a package it indexes for a case
// (open extensions, no build output, no twin of an open file, never the open files themselves)
// and that the engine's index holds exactly those, and nothing once it is left.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { lineIsCopyable, type CompletionCase } from '../../src/eval/completionCases';
import { PackageWorkspace, defaultWorkspaceBudget, isBuildOutput, stem, workspaceOrder } from '../../src/eval/workspaceSetting';
import { tinyEngineLoader } from './helpers';

const { load } = tinyEngineLoader();

function tree(): { root: string; files: string[] } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'cat-ws-'));
  const put = (rel: string, text: string) => { fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true }); fs.writeFileSync(path.join(root, rel), text); };
  const js = (name: string) => `export function ${name}(a, b) {\n  return a + b;\n}\n`;
  put('pkg/src/a.js', js('a'));
  put('pkg/src/b.js', js('b'));
  put('pkg/src/c.js', js('c'));
  put('pkg/lib/d.js', js('d'));
  put('pkg/a.cjs', js('a'));             // a twin of the case's file (another build)
  put('pkg/dist/all.js', js('all'));     // build output
  put('pkg/src/e.py', 'def e():\n    return 1\n');
  put('other/src/x.js', js('x'));        // another package
  const files = ['pkg/src/a.js', 'pkg/src/b.js', 'pkg/src/c.js', 'pkg/lib/d.js', 'pkg/a.cjs', 'pkg/dist/all.js', 'pkg/src/e.py', 'other/src/x.js'].map((f) => path.join(root, f));
  return { root, files };
}

function caseOf(root: string, file: string, others: string[]): CompletionCase {
  return { file: path.join(root, file), before: 'export function a(', expected: 'a, b) {', midLine: true, others: others.map((f) => ({ file: path.join(root, f), text: fs.readFileSync(path.join(root, f), 'utf8') })) };
}

test('stem and build output', () => {
  assert.equal(stem('pkg/lib/core.ts'), 'core');
  assert.equal(stem('pkg/dist/core.d.ts'), 'core');
  assert.equal(stem('pkg/.eslintrc.js'), '.eslintrc');
  assert.equal(isBuildOutput('pkg/dist/x/y.js'), true);
  assert.equal(isBuildOutput('pkg/src/dist.js'), false);
  assert.equal(isBuildOutput('dist/src/a.js'), false, 'the first segment is the package, not a folder of it');
  assert.ok(defaultWorkspaceBudget() > 0);
});

test('plan: same package, open extensions, no open file, twin or build output', () => {
  const { root, files } = tree();
  const ws = new PackageWorkspace(root, files, 1_000_000);
  const plan = ws.plan(caseOf(root, 'pkg/src/a.js', ['pkg/src/b.js'])).map((x) => x.path).sort();
  assert.deepEqual(plan, ['pkg/lib/d.js', 'pkg/src/c.js']);
  assert.deepEqual(new PackageWorkspace(root, files, 0).plan(caseOf(root, 'pkg/src/a.js', [])), [], 'a zero budget indexes nothing');
});

test('enter keeps the engine index to the plan; leave empties it', async () => {
  const { root, files } = tree();
  const eng = await load();
  const ws = new PackageWorkspace(root, files, 1_000_000);
  const texts = ws.enter(eng, caseOf(root, 'pkg/src/a.js', ['pkg/src/b.js']));
  assert.equal(texts.length, 2);
  assert.equal(eng.indexStats().workspaceFiles, 2);
  ws.enter(eng, caseOf(root, 'pkg/src/c.js', []));              // a.js, b.js and d.js now; c.js is the case's own file
  assert.equal(eng.indexStats().workspaceFiles, 3);
  ws.leave(eng);
  assert.equal(eng.indexStats().workspaceFiles, 0);
});

test('workspace order groups a package\'s cases by path', () => {
  const { root } = tree();
  const cs = [caseOf(root, 'pkg/src/b.js', []), caseOf(root, 'other/src/x.js', []), caseOf(root, 'pkg/src/a.js', [])];
  assert.deepEqual(workspaceOrder(cs), [1, 2, 0]);
});

test('copyable: the completed line is a whole line before the cursor or of a text', () => {
  const c: CompletionCase = { file: 'a.js', before: 'const x = 1;\nlet y = 2;\n  ret', expected: 'urn x;', midLine: true, others: [] };
  assert.equal(lineIsCopyable(c, []), false);
  assert.equal(lineIsCopyable(c, ['function f() {\n  return x;\r\n}']), true);
  assert.equal(lineIsCopyable(c, ['  return x + 1;']), false, 'a line that only starts the same is not a copy');
  assert.equal(lineIsCopyable({ ...c, before: 'let y = 2;\nlet', expected: ' y = 2;' }, []), true);
});
