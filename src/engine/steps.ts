// Work cut into steps: a generator that yields where it may pause and returns its result. The
// synchronous callers drain it at once; the worker drains it in slices of a few milliseconds,
// giving the event loop back between them, so a completion request never waits behind a long
// file being indexed.

export type Steps<T> = Generator<void, T, void>;

/** Runs every step now. */
export function drain<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** When the running slice began. Every drainSliced shares it, so back-to-back calls (a pass over many
 * small files, each under a slice on its own) still give the event loop back every sliceMs. */
let sliceStart = -Infinity;

/** Runs the steps, pausing for a turn of the event loop whenever the running slice has lasted sliceMs
 * (checked after each step; the first step runs at once, so the call's synchronous part is the
 * generator's start, as with drain). */
export async function drainSliced<T>(steps: Steps<T>, sliceMs: number, pause: () => Promise<void> = nextTurn,
  now: () => number = () => performance.now()): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (now() - sliceStart >= sliceMs) {
      await pause();
      sliceStart = now();
    }
  }
}
