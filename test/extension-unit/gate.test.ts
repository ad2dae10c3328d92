// The confidence gate as the extension sees it: the setting, the tally, the trace line, and
// what the status bar's tooltip says about the gate and the workspace index.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineInfo } from '../../src/engine/types';
import { indexLines, tallyLine } from '../../src/extension/index/indexText';
import { heldBackLine, isGated, parseMinConfidence, SuggestionTally } from '../../src/extension/inline/gate';
import { buildStatus } from '../../src/extension/status/statusText';

test('cat.inline.minConfidence: null or absent = the model threshold; numbers clamped to 0..1', () => {
  assert.equal(parseMinConfidence(null), undefined);
  assert.equal(parseMinConfidence(undefined), undefined);
  assert.equal(parseMinConfidence('0.5'), undefined);
  assert.equal(parseMinConfidence(Number.NaN), undefined);
  assert.equal(parseMinConfidence(0), 0);
  assert.equal(parseMinConfidence(0.35), 0.35);
  assert.equal(parseMinConfidence(2), 1);
  assert.equal(parseMinConfidence(-1), 0);
});

test('tally: shown, held back by the gate, and results with nothing to show are told apart', () => {
  const t = new SuggestionTally();
  assert.deepEqual(t.view, { shown: 0, heldBack: 0, threshold: undefined });
  t.record({ stop: 'newline' }, true); // no gate (model without recall.json)
  t.record({ stop: 'gated', gate: { confidence: 0.2, threshold: 0.6, shown: false, heldBack: 'foo()' } }, false);
  t.record({ stop: 'eos', gate: { confidence: 0.9, threshold: 0.6, shown: true } }, true);
  t.record({ stop: 'eos', gate: { confidence: 0.9, threshold: 0.6, shown: true } }, false); // blank after post-processing
  assert.deepEqual(t.view, { shown: 2, heldBack: 1, threshold: 0.6 });
  assert.equal(isGated({ stop: 'gated' }), true);
  assert.equal(isGated({ stop: 'eos', gate: { confidence: 0, threshold: 0.5, shown: false } }), true);
  assert.equal(isGated({ stop: 'eos' }), false);
});

test('held-back trace line has the confidence, the threshold and the text', () => {
  const line = heldBackLine({ gate: { confidence: 0.1234, threshold: 0.5, shown: false, heldBack: 'return a;\n' }, indexMatch: 7 });
  assert.equal(line, 'suggestion held back: confidence 0.123 < threshold 0.500, index match 7 tokens: "return a;\\n"');
  assert.equal(heldBackLine({}), 'suggestion held back by the gate');
});

test('index lines: files and tokens of the budget, open documents, a pass in progress, off states', () => {
  const v = { enabled: true, budgetTokens: 2_000_000, files: 120, tokens: 456_789, planned: 123 };
  const lines = indexLines({ ...v, running: { done: 40, total: 80 } }, { documents: 123, workspaceFiles: 120, tokens: 500_000, bytes: 1 });
  assert.deepEqual(lines, [
    'Workspace index: **120 files**, ~456,789 of the 2,000,000-token budget.',
    'Indexing: 40/80 files…',
    'Exact index in the engine: 500,000 tokens (3 open documents, 120 workspace files).',
  ]);
  assert.deepEqual(indexLines({ ...v, files: 1 }), ['Workspace index: **1 file**, ~456,789 of the 2,000,000-token budget.']);
  assert.match(indexLines({ ...v, budgetTokens: 0 })[0], /open documents only/);
  assert.deepEqual(indexLines({ ...v, enabled: false }), ['Exact index: off (`cat.index.enabled`).']);
  assert.equal(tallyLine({ shown: 3, heldBack: 1234, threshold: 0.625 }), 'Suggestions this session: **3 shown**, **1,234 held back** by the confidence gate (threshold 0.63).');
});

test('the status tooltip carries the tally and the index when the engine is ready', () => {
  const info: EngineInfo = { modelName: 'm', kind: 'cat', chunkSizes: [16], defaultChunkSize: 16, contextLength: 4096, provider: { active: 'cpu', skipped: [] } };
  const chunk = { setting: 16 as number | 'auto', effective: 16, trained: [16], targetMsPerToken: 25, sizes: [] };
  const index = { view: { enabled: true, budgetTokens: 1000, files: 2, tokens: 300, planned: 2 }, stats: { documents: 3, workspaceFiles: 2, tokens: 400, bytes: 1 } };
  const v = buildStatus({ engine: { kind: 'ready', modelDir: '/m', info, requested: 'cpu' }, chunk, tally: { shown: 5, heldBack: 7 }, index });
  assert.match(v.tooltip, /\*\*5 shown\*\*, \*\*7 held back\*\*/);
  assert.match(v.tooltip, /\*\*2 files\*\*, ~300 of the 1,000-token budget/);
  assert.match(v.tooltip, /400 tokens \(1 open document, 2 workspace files\)/);
  const loading = buildStatus({ engine: { kind: 'starting', modelDir: '/m' }, chunk, tally: { shown: 5, heldBack: 7 }, index });
  assert.doesNotMatch(loading.tooltip, /held back/);
});
