// The summary overview runs on the end window warm() prepared (its entries are reused) and
// yields to completions, resuming with what it had; resumed == uninterrupted.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../src/engine/index';
import { TINY_CAT, recordingLogger, sampleSource } from './helpers';

const engines: Engine[] = [];
after(async () => { for (const e of engines) await e.dispose(); });
async function load(extra: Partial<Parameters<typeof Engine.load>[0]> = {}): Promise<Engine> {
  // a small context so this document (~21k tokens) is longer than the end window
  const e = await Engine.load({ modelDir: TINY_CAT, provider: 'cpu', threads: 1, maxContextTokens: 4096, ...extra });
  engines.push(e);
  return e;
}
const text = sampleSource(1500);

test('overview reuses the end-window entries warm() computed', async () => {
  const e = await load();
  e.updateDocument('a', 1, text);
  await e.warm('a', 16);
  const state = e.stateOf('a', 16);
  const warmed = state.lastPrefill.reused + state.lastPrefill.computed;
  assert.ok(warmed > 10, `warm-up ran the decoder over the end window (${warmed} entries)`);
  const s = await e.summarize({ docId: 'a', version: 1, chunkSize: 16, maxPassages: 2, overview: true });
  assert.ok(s.overview === undefined || s.overview.startsWith('(generated) '));
  assert.ok(s.overview !== undefined || s.overviewRejected, 'an overview left out says why');
  assert.ok(state.lastPrefill.reused >= warmed, `reused ${state.lastPrefill.reused} of the ${warmed} warmed entries`);
  const promptChunks = Math.ceil(e.tokenizer.encodeText('\n\n# Overview:').length / 16);
  assert.ok(state.lastPrefill.computed <= promptChunks, `only entries completed by the prompt are new (computed ${state.lastPrefill.computed})`);
  // the completion at the end reuses them too
  const c = await e.complete({ docId: 'a', version: 1, offset: text.length, chunkSize: 16, mode: 'line', maxTokens: 1 });
  assert.equal(c.timing?.computedRows, 0);
});

test('completions preempt the overview (prefill and generation); it resumes to the same text', async () => {
  const ref = await load();
  ref.updateDocument('a', 1, text);
  const expected = await ref.summarize({ docId: 'a', version: 1, chunkSize: 4, maxPassages: 1, overview: true });
  const written = (r: typeof expected) => r.overview ?? r.overviewRejected?.text;
  assert.ok(written(expected), 'the tiny model writes an overview here (shown or left out by the checks)');

  const log = recordingLogger();
  const e = await load({ logger: log });
  e.updateDocument('a', 1, text);
  const events: string[] = [];
  const completions: Promise<unknown>[] = [];
  const ask = (name: string) => completions.push(
    e.complete({ docId: 'a', version: 1, offset: text.length, chunkSize: 4, mode: 'line', maxTokens: 1 }).then(() => events.push(name)));
  let inPrefill = false, inTokens = false;
  const s = await e.summarize({
    docId: 'a', version: 1, chunkSize: 4, maxPassages: 1, overview: true,
    onProgress: (p) => {
      if (p.phase === 'overview' && p.done < p.total && !inPrefill) { inPrefill = true; ask('completion during prefill'); }
      if (p.phase === 'overview-tokens' && p.done === 5 && !inTokens) { inTokens = true; ask('completion during generation'); }
    },
  });
  events.push('summary');
  await Promise.all(completions);
  assert.ok(inPrefill && inTokens, 'both preemption points were reached');
  assert.deepEqual(events, ['completion during prefill', 'completion during generation', 'summary']);
  assert.equal(log.lines.filter((l) => /overview: turn \d+ preempted by a completion/.test(l)).length, 2, log.lines.join('\n'));
  assert.ok(e.stateOf('a', 4).lastPrefill.reused > 1, 'the resumed turn reused the entries');
  assert.equal(written(s), written(expected));
  assert.equal(s.overview, expected.overview);
});

test('an aborted overview rejects with AbortError and leaves the engine usable', async () => {
  const e = await load();
  e.updateDocument('a', 1, text);
  const ac = new AbortController();
  await assert.rejects(
    e.summarize({ docId: 'a', version: 1, chunkSize: 4, overview: true, signal: ac.signal, onProgress: (p) => { if (p.phase === 'overview-tokens') ac.abort(); } }),
    (err: Error) => err.name === 'AbortError',
  );
  const c = await e.complete({ docId: 'a', version: 1, offset: text.length, chunkSize: 4, mode: 'line', maxTokens: 1 });
  assert.equal(typeof c.text, 'string');
});
