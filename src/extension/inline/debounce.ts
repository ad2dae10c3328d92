// Debounce for inline completion requests: wait after the last keystroke, longer when the
// user types in fast bursts (so we fire on a pause, not on every key). Pure + a sleep.

export interface DebounceOptions {
  adaptive: boolean;
  /** Fixed delay, or the minimum when adaptive. */
  baseMs: number;
  /** Upper bound of the adaptive delay. */
  maxMs: number;
}

/** Keystroke gaps longer than this end a typing burst and are not averaged. */
const BURST_GAP_MS = 1000;
const WINDOW = 12;

export class AdaptiveDebounce {
  private readonly stamps = new Map<string, number[]>();

  recordKeystroke(docId: string, now: number): void {
    const list = this.stamps.get(docId) ?? [];
    list.push(now);
    if (list.length > WINDOW + 1) list.splice(0, list.length - WINDOW - 1);
    this.stamps.set(docId, list);
  }

  forget(docId: string): void {
    this.stamps.delete(docId);
  }

  /** Median gap between recent keystrokes of the current burst, or undefined. */
  typingGapMs(docId: string): number | undefined {
    const list = this.stamps.get(docId);
    if (!list || list.length < 3) return undefined;
    const gaps: number[] = [];
    for (let i = 1; i < list.length; i++) {
      const g = list[i] - list[i - 1];
      if (g <= BURST_GAP_MS) gaps.push(g);
    }
    if (gaps.length < 2) return undefined;
    gaps.sort((a, b) => a - b);
    return gaps[Math.floor(gaps.length / 2)];
  }

  delayMs(docId: string, opts: DebounceOptions): number {
    if (!opts.adaptive) return opts.baseMs;
    const gap = this.typingGapMs(docId);
    if (gap === undefined) return opts.baseMs;
    return Math.max(opts.baseMs, Math.min(opts.maxMs, Math.round(gap * 1.5)));
  }
}

/** Resolve true after ms, or false as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
