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

/** Runs the steps, pausing for a turn of the event loop whenever a slice has run sliceMs. */
export async function drainSliced<T>(steps: Steps<T>, sliceMs: number, pause: () => Promise<void> = nextTurn): Promise<T> {
  let t0 = performance.now();
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    if (performance.now() - t0 >= sliceMs) {
      await pause();
      t0 = performance.now();
    }
  }
}
