// When to restart a crashed engine worker: exponential backoff, and give up after too
// many crashes in a short window (the status bar then says so). Pure; clock injected.

export interface RestartPolicyOptions {
  baseDelayMs: number;
  maxDelayMs: number;
  /** Crashes tolerated inside windowMs before giving up. */
  maxCrashes: number;
  windowMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxCrashes: 5,
  windowMs: 5 * 60_000,
};

export type RestartDecision = { restart: true; delayMs: number; attempt: number } | { restart: false; crashes: number };

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(private readonly opts: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** Record a crash at time `now` (ms) and decide what to do. */
  onCrash(now: number): RestartDecision {
    this.crashes = this.crashes.filter((t) => now - t < this.opts.windowMs);
    this.crashes.push(now);
    const n = this.crashes.length;
    if (n > this.opts.maxCrashes) return { restart: false, crashes: n };
    const delayMs = Math.min(this.opts.maxDelayMs, this.opts.baseDelayMs * 2 ** (n - 1));
    return { restart: true, delayMs, attempt: n };
  }

  /** A manual restart or a settings change starts over. */
  reset(): void {
    this.crashes = [];
  }
}
