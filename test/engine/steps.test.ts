import assert from 'node:assert/strict';
import test from 'node:test';
import { drain, drainSliced, type Steps } from '../../src/engine/steps';

let clock = 0;                                            // a test clock: steps advance it, nothing else does
const now = () => clock;

/** n steps that each take `ms` of the test clock, then return `value`. */
function* work(n: number, ms: number, value: number): Steps<number> {
  for (let i = 0; i < n; i++) { clock += ms; yield; }
  return value;
}

test('drainSliced returns what drain returns, and runs the first step before it returns to the caller', async () => {
  assert.equal(drain(work(3, 0, 7)), 7);
  let started = false;
  const steps = (function* (): Steps<string> { started = true; yield; return 'done'; })();
  const p = drainSliced(steps, 1000, async () => undefined, now);
  assert.equal(started, true, 'a request made right after the call sees the generator started');
  assert.equal(await p, 'done');
});

test('one long call pauses every slice', async () => {
  let pauses = 0;
  clock += 1000;
  assert.equal(await drainSliced(work(40, 1, 3), 4, async () => { pauses++; }, now), 3);
  assert.equal(pauses, 10);                               // after the first step (a new slice), then every 4 ms
});

test('back-to-back calls share one slice: many short calls still give the event loop back', async () => {
  let pauses = 0;
  const pause = async () => { pauses++; };
  clock += 1000;
  // 40 calls of 1 ms each (two steps of 0.5 ms): none lasts a slice on its own, together they last ten
  for (let f = 0; f < 40; f++) assert.equal(await drainSliced(work(2, 0.5, f), 4, pause, now), f);
  assert.equal(pauses, 10, 'a clock per call would pause none');
});
