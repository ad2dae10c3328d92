// EngineClient against an in-memory worker double speaking the real protocol: restarts
// after a crash, a hang (request timeout) and a real out-of-memory (resourceLimits);
// load failures are reported, not retried; cancellation reaches the worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { Logger } from '../../src/engine/types';
import { EngineClient, type EngineState } from '../../src/extension/engineClient';
import { EngineCrashedError, EngineTimeoutError, EngineUnavailableError, isAbortError } from '../../src/extension/engine/errors';
import { RestartPolicy } from '../../src/extension/engine/restartPolicy';

const DOUBLE = `
const { parentPort } = require('node:worker_threads');
const pending = new Map();
let cancels = 0;
const indexed = new Map();
const info = { modelName: 'double', kind: 'cat', chunkSizes: [8, 16], defaultChunkSize: 16, contextLength: 1024,
  provider: { active: 'cpu', skipped: [] } };
const reply = (id, value) => parentPort.postMessage({ kind: 'result', id, value });
parentPort.on('message', (m) => {
  if (m.kind === 'cancel') {
    cancels++;
    const p = pending.get(m.id);
    if (p) { pending.delete(m.id); parentPort.postMessage({ kind: 'error', id: m.id, error: { name: 'AbortError', message: 'aborted', code: 'aborted' } }); }
    return;
  }
  const { id, op, args } = m;
  if (op === 'load') {
    if (args.modelDir === '/missing') return parentPort.postMessage({ kind: 'error', id, error: { name: 'ContractError', message: 'contract.json not found in /missing', code: 'load' } });
    parentPort.postMessage({ kind: 'log', level: 'info', message: 'double loaded' });
    return reply(id, { info, requested: args.provider });
  }
  if (op === 'complete') {
    if (args.docId === 'crash') process.exit(3);
    if (args.docId === 'hang') { while (true) {} }
    if (args.docId === 'oom') { const keep = []; while (true) keep.push(new Array(1e6).fill({ a: Math.random() })); }
    if (args.docId === 'slow') { pending.set(id, true); return; }
    if (args.docId === 'echo') return reply(id, { text: JSON.stringify({ useIndex: args.useIndex, minConfidence: args.minConfidence }), ms: 1, tokens: 0, chunkSize: 16, provider: 'cpu', stop: 'gated', gate: { confidence: 0.1, threshold: 0.5, shown: false, heldBack: 'x' } });
    return reply(id, { text: 'ok', ms: 1, tokens: 1, chunkSize: args.chunkSize, provider: 'cpu', stop: 'eos' });
  }
  if (op === 'indexFile') { indexed.set(args.fileId, args.text.length); return reply(id, { ok: args.text instanceof Uint8Array, reason: args.text.constructor.name }); }
  if (op === 'removeIndexFile') { indexed.delete(args.fileId); return reply(id, null); }
  if (op === 'indexStats') return reply(id, { documents: indexed.size, workspaceFiles: indexed.size, tokens: [...indexed.values()].reduce((a, b) => a + b, 0), bytes: 0 });
  if (op === 'stats') return reply(id, { entries: cancels, bytes: 0, budgetBytes: 1, hits: 0, misses: 0, coverage: [] });
  return reply(id, null);
});
parentPort.postMessage({ kind: 'ready' });
`;

const lines: string[] = [];
const log: Logger = {
  trace: (m) => lines.push(m),
  debug: (m) => lines.push(m),
  info: (m) => lines.push(m),
  warn: (m) => lines.push(m),
  error: (m) => lines.push(m),
};

function client(maxCrashes = 5, completeTimeoutMs = 400): EngineClient {
  return new EngineClient({
    createWorker: () => new Worker(DOUBLE, { eval: true, resourceLimits: { maxOldGenerationSizeMb: 48, maxYoungGenerationSizeMb: 8 } }),
    log,
    policy: new RestartPolicy({ baseDelayMs: 20, maxDelayMs: 100, maxCrashes, windowMs: 60_000 }),
    timeouts: { complete: completeTimeoutMs },
  });
}

function waitFor(c: EngineClient, kind: EngineState['kind'], ms = 10_000): Promise<EngineState> {
  return new Promise((resolve, reject) => {
    if (c.state.kind === kind) return resolve(c.state);
    const timer = setTimeout(() => reject(new Error(`state ${kind} not reached (now ${c.state.kind})`)), ms);
    const sub = c.onDidChangeState((s) => {
      if (s.kind !== kind) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(s);
    });
  });
}

const req = (docId: string, signal?: AbortSignal) => ({ docId, version: 1, offset: 0, chunkSize: 16, mode: 'line' as const, maxTokens: 4, signal });

test('loads, answers, forwards worker logs; loads count as events', async () => {
  const c = client();
  let loads = 0;
  c.onDidLoad(() => loads++);
  const s = await c.start({ modelDir: '/m', provider: 'cpu' });
  assert.equal(s.kind, 'ready');
  assert.equal(loads, 1);
  assert.equal((await c.complete(req('a'))).text, 'ok');
  assert.ok(lines.some((l) => l.includes('[engine] double loaded')));
  await c.dispose();
  assert.equal(c.state.kind, 'stopped');
});

test('index ops reach the worker (bytes stay bytes); completion args carry useIndex and minConfidence', async () => {
  const c = client();
  await c.start({ modelDir: '/m', provider: 'cpu' });
  assert.deepEqual(await c.indexFile('file:///w/a.ts', new Uint8Array([0x61, 0x62, 0x0a])), { ok: true, reason: 'Uint8Array' });
  await c.indexFile('file:///w/b.ts', new Uint8Array(5));
  assert.deepEqual(await c.indexStats(), { documents: 2, workspaceFiles: 2, tokens: 8, bytes: 0 });
  await c.removeIndexFile('file:///w/a.ts');
  assert.equal((await c.indexStats()).workspaceFiles, 1);
  const res = await c.complete({ ...req('echo'), useIndex: false, minConfidence: 0.25 });
  assert.deepEqual(JSON.parse(res.text), { useIndex: false, minConfidence: 0.25 });
  assert.equal(res.stop, 'gated');
  assert.equal(res.gate?.heldBack, 'x');
  await c.dispose();
  await assert.rejects(c.indexStats(), EngineUnavailableError);
});

test('a model that cannot load is reported, not retried; requests fail fast', async () => {
  const c = client();
  const s = await c.start({ modelDir: '/missing', provider: 'cpu' });
  assert.equal(s.kind, 'failed');
  assert.match(s.kind === 'failed' ? s.message : '', /contract\.json not found/);
  await assert.rejects(c.complete(req('a')), EngineUnavailableError);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(c.state.kind, 'failed');
  await c.dispose();
});

test('a crashed worker is restarted with backoff and documents must be re-sent (onDidLoad)', async () => {
  const c = client();
  let loads = 0;
  c.onDidLoad(() => loads++);
  await c.start({ modelDir: '/m', provider: 'cpu' });
  const restarting = waitFor(c, 'restarting');
  await assert.rejects(c.complete(req('crash')), EngineCrashedError);
  await restarting;
  await waitFor(c, 'ready');
  assert.equal(loads, 2);
  assert.equal((await c.complete(req('a'))).text, 'ok');
  await c.dispose();
});

test('a hung worker (request timeout) is terminated and restarted', async () => {
  const c = client();
  await c.start({ modelDir: '/m', provider: 'cpu' });
  await assert.rejects(c.complete(req('hang')), EngineTimeoutError);
  const s = await waitFor(c, 'restarting');
  assert.equal(s.kind, 'restarting');
  await waitFor(c, 'ready');
  assert.equal((await c.complete(req('a'))).text, 'ok');
  await c.dispose();
});

test('an out-of-memory worker (resourceLimits) is reported as such and restarted', async () => {
  const c = client(5, 60_000); // filling the heap can take a while on a busy machine: no hang timeout
  await c.start({ modelDir: '/m', provider: 'cpu' });
  const restarting = waitFor(c, 'restarting', 30_000);
  await assert.rejects(c.complete(req('oom')), EngineCrashedError);
  const s = await restarting;
  assert.match(s.kind === 'restarting' ? s.reason : '', /out of memory/i);
  await waitFor(c, 'ready');
  await c.dispose();
});

test('cancellation rejects at once and reaches the worker', async () => {
  const c = client();
  await c.start({ modelDir: '/m', provider: 'cpu' });
  const ac = new AbortController();
  const p = c.complete(req('slow', ac.signal));
  ac.abort();
  await assert.rejects(p, (e) => isAbortError(e));
  const stats = await c.cacheStats(16);
  assert.equal(stats.entries, 1, 'the double counted one cancel message');
  await c.dispose();
});

test('gives up after too many crashes and says so', async () => {
  const c = client(1);
  await c.start({ modelDir: '/m', provider: 'cpu' });
  await assert.rejects(c.complete(req('crash')), EngineCrashedError);
  await waitFor(c, 'ready');
  const failed = waitFor(c, 'failed');
  await assert.rejects(c.complete(req('crash')), EngineCrashedError);
  const s = await failed;
  assert.match(s.kind === 'failed' ? s.message : '', /crashed 2 times/);
  await c.dispose();
});
