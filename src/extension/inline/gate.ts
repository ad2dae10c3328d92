// The confidence gate as the extension sees it: the setting's value (null = the model's
// calibrated threshold) and a tally of the suggestions shown and held back this session. Pure.
import type { CompletionResult } from '../../engine/types';

/** `cat.inline.minConfidence`: a number in 0..1 (clamped), or undefined for the model's threshold. */
export function parseMinConfidence(raw: unknown): number | undefined {
  if (typeof raw !== 'number' || !Number.isFinite(raw)) return undefined;
  return Math.min(1, Math.max(0, raw));
}

/** The engine held this suggestion back (it comes back with text '' and stop 'gated'). */
export function isGated(res: Pick<CompletionResult, 'stop' | 'gate'>): boolean {
  return res.stop === 'gated' || res.gate?.shown === false;
}

/** One line for the trace log about a held-back suggestion. */
export function heldBackLine(res: Pick<CompletionResult, 'gate' | 'indexMatch'>): string {
  const g = res.gate;
  if (!g) return 'suggestion held back by the gate';
  return (
    `suggestion held back: confidence ${g.confidence.toFixed(3)} < threshold ${g.threshold.toFixed(3)}` +
    (res.indexMatch ? `, index match ${res.indexMatch} tokens` : '') +
    `: ${JSON.stringify(g.heldBack ?? '')}`
  );
}

export interface TallyView {
  shown: number;
  heldBack: number;
  /** Threshold of the latest gated decision (undefined: no gate reported yet). */
  threshold?: number;
}

/**
 * Suggestions the model produced this session: shown (returned to the editor; a suggestion
 * reused from the cache while typing through it is not counted again) and held back by the gate.
 */
export class SuggestionTally {
  private shownCount = 0;
  private heldBackCount = 0;
  private threshold: number | undefined;

  /** Records one engine result and whether a suggestion was shown for it. */
  record(res: Pick<CompletionResult, 'stop' | 'gate'>, shown: boolean): void {
    if (res.gate) this.threshold = res.gate.threshold;
    if (isGated(res)) this.heldBackCount++;
    else if (shown) this.shownCount++;
  }

  get view(): TallyView {
    return { shown: this.shownCount, heldBack: this.heldBackCount, threshold: this.threshold };
  }
}
