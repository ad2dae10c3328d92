import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineInfo } from '../../src/engine/types';
import { buildStatus, classifyLoadError, providerLabel } from '../../src/extension/status/statusText';

const info = (active: string, skipped: { provider: string; error: string }[] = []): EngineInfo => ({
  modelName: 'cat-code-small',
  kind: 'cat',
  chunkSizes: [4, 8, 16, 32, 64],
  defaultChunkSize: 16,
  contextLength: 4096,
  provider: { active, skipped },
});
const chunk = { setting: 16 as number | 'auto', effective: 16, trained: [4, 8, 16, 32, 64], targetMsPerToken: 25, sizes: [{ chunkSize: 16, samples: 3, msPerTokenP50: 7.5 }] };

test('ready: "CAT 16 · CPU" with latency, coverage and memory in the tooltip', () => {
  const v = buildStatus({
    engine: { kind: 'ready', modelDir: '/m', info: info('cpu'), requested: 'cpu' },
    chunk,
    stats: { entries: 10, bytes: 2 * 1024 * 1024, budgetBytes: 256 * 1024 * 1024, hits: 1, misses: 2, coverage: [{ docId: 'a', cached: 3, total: 4 }, { docId: 'b', cached: 5, total: 5 }] },
  });
  assert.equal(v.text, '$(sparkle) CAT 16 · CPU');
  assert.equal(v.severity, 'ok');
  assert.match(v.tooltip, /7\.5 ms\/token/);
  assert.match(v.tooltip, /8\/9 chunks/);
  assert.match(v.tooltip, /2\.0 MB\*\* of 256\.0 MB/);
});

test('CUDA asked for but CPU running: "CPU (CUDA unavailable)" and the error text', () => {
  const v = buildStatus({
    engine: { kind: 'ready', modelDir: '/m', info: info('cpu', [{ provider: 'cuda', error: 'libcudart.so.12: cannot open shared object file' }]), requested: 'cuda' },
    chunk: { ...chunk, setting: 'auto' },
  });
  assert.equal(v.text, '$(sparkle) CAT 16 (auto) · CPU (CUDA unavailable)');
  assert.equal(v.severity, 'warning');
  assert.match(v.tooltip, /CUDA skipped: libcudart/);
  assert.equal(providerLabel(info('cpu'), 'auto'), 'CPU');
});

test('model missing / corrupt / crash loop are told apart', () => {
  assert.equal(classifyLoadError("ENOENT: no such file or directory, open '/m/contract.json'"), 'model missing');
  assert.equal(classifyLoadError('decoder.onnx: sha256 mismatch'), 'model corrupt');
  assert.equal(classifyLoadError('engine crashed 6 times (last: x)'), 'engine stopped');
  const v = buildStatus({ engine: { kind: 'failed', modelDir: '/nope', message: 'contract.json not found in /nope' }, chunk });
  assert.equal(v.text, '$(error) CAT: model missing');
  assert.equal(v.severity, 'error');
  assert.match(v.tooltip, /cat\.modelPath/);
});

test('active document not handled: said in the text and the tooltip', () => {
  const v = buildStatus({
    engine: { kind: 'ready', modelDir: '/m', info: info('cpu'), requested: 'auto' },
    chunk,
    doc: { name: 'big.log', verdict: { ok: false, reason: 'tooLarge', message: 'file is too large for CAT (50.0 MB > 4.0 MB)' } },
  });
  assert.equal(v.text, '$(sparkle) CAT 16 · CPU · $(circle-slash) file too large');
  assert.match(v.tooltip, /big\.log/);
});

test('starting and restarting states', () => {
  assert.match(buildStatus({ engine: { kind: 'starting', modelDir: '/m' }, chunk }).text, /loading/);
  const r = buildStatus({ engine: { kind: 'restarting', modelDir: '/m', reason: 'out of memory', delayMs: 2000, attempt: 2 }, chunk });
  assert.match(r.text, /restarting/);
  assert.match(r.tooltip, /out of memory/);
});
