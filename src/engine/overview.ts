// The generated overview of a summary. It runs the decoder on the chunk-aligned window at the
// end of the document (the window warm() and completions at the end already ran) followed by a
// prompt, so their entries are reused (longest common prefix of entry keys) and only the prompt
// is new. It runs in preemptible turns: a completion arriving stops the current turn between
// decoder calls; the next turn resumes with what was done (entries kept, tokens so far).
import { abortError } from './chunkStore';
import { generate } from './generate';
import { Sampler } from './sampling';
import type { SeqState } from './state';
import type { DocTokenizer } from './tokenizer';
import type { Logger, ProgressReport } from './types';

export const OVERVIEW_PROMPT = '\n\n# Overview:';
export const OVERVIEW_MAX_TOKENS = 48;

export interface OverviewRun {
  /** The document's end window (as warm() runs it) and the index of its first token in the document sequence. */
  window: Int32Array;
  offset: number;
  chunkSize: number;
  tokenizer: DocTokenizer;
  vocabSize: number;
  stopIds: Set<number>;
  log: Logger;
  /** Progress: phase 'overview' counts decoder entries, 'overview-tokens' generated tokens. */
  onProgress?: (p: ProgressReport) => void;
  /** Runs fn alone on the model; `preempt` aborts when a completion arrives or the caller aborts. */
  turn<T>(fn: (preempt: AbortSignal) => Promise<T>): Promise<T>;
  /** The document's decoder state (shared with warm-up and completions). */
  state(): SeqState;
  /** Content keys of the complete chunks of a sequence starting at document index `offset`. */
  chunkKeys(seq: Int32Array, offset: number): string[];
  signal?: AbortSignal;
}

function join(a: ArrayLike<number>, b: ArrayLike<number>, c: ArrayLike<number> = []): Int32Array {
  const out = new Int32Array(a.length + b.length + c.length);
  out.set(a, 0);
  out.set(b, a.length);
  out.set(c, a.length + b.length);
  return out;
}

const isAbort = (e: unknown): boolean => (e as Error)?.name === 'AbortError';

/** The overview text (without the "(generated)" mark), or undefined when the model wrote nothing. */
export async function runOverview(o: OverviewRun): Promise<string | undefined> {
  const prompt = o.tokenizer.encodeText(OVERVIEW_PROMPT);
  const sampler = new Sampler(o.vocabSize);
  let ids: number[] = [];
  for (let turn = 1; ; turn++) {
    const res = await o.turn(async (preempt) => {
      const seq = join(o.window, prompt, ids);
      const state = o.state();
      let logits: Float32Array;
      try {
        logits = await state.prefill(seq, {
          chunkSize: o.chunkSize, chunkKeys: o.chunkKeys(seq, o.offset), signal: preempt,
          onProgress: (done, total) => o.onProgress?.({ done, total, phase: 'overview' }),
        });
      } catch (e) {
        if (isAbort(e)) return undefined;
        throw e;
      }
      o.log.debug(`overview turn ${turn}: prefill reused ${state.lastPrefill.reused} entries, computed ${state.lastPrefill.computed}`);
      let n = ids.length;
      return generate(state, logits, o.tokenizer, {
        maxTokens: OVERVIEW_MAX_TOKENS, prior: ids, sampler, stopIds: o.stopIds, signal: preempt,
        stop: { mode: 'line', linePrefix: OVERVIEW_PROMPT.trim() },
        onToken: () => o.onProgress?.({ done: ++n, total: OVERVIEW_MAX_TOKENS, phase: 'overview-tokens' }),
      });
    });
    if (o.signal?.aborted) throw abortError();
    if (res && res.stop !== 'aborted') return res.text.trim() || undefined;
    if (res) ids = res.ids;
    o.log.debug(`overview: turn ${turn} preempted by a completion (${ids.length} tokens so far); it resumes after it`);
  }
}
