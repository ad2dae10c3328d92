// The decode loop shared by cat and dense: pick, stream, check stop rules and abort, step.
import type { Healer } from './recall/heal';
import type { Mixer } from './recall/mixer';
import type { Sampler } from './sampling';
import type { SeqState } from './state';
import { checkStop, type StopContext } from './stopRules';
import type { DocTokenizer } from './tokenizer';

export interface GenerateOptions {
  /** Most tokens in all, counting `prior`. */
  maxTokens: number;
  /** Tokens generated before (a resumed generation): the state's context already ends with
   * them; stop rules and the returned ids/text include them. */
  prior?: number[];
  sampler: Sampler;
  /** Ids that end generation (endoftext and structural specials). */
  stopIds: Set<number>;
  stop?: StopContext;
  /** performance.now() after which generation ends at the next line break (the text keeps its
   * complete lines; stop 'time'). */
  deadline?: number;
  signal?: AbortSignal;
  onToken?: (textSoFar: string) => void;
  /** Called with the logits of every step (tests compare them). */
  onLogits?: (logits: Float32Array, step: number) => void;
  /** Mixes the exact index into every step (recall/mixer.ts). */
  mixer?: Mixer;
  /** Token healing after a cursor inside a line: its bytes start the generated ones and are not shown. */
  healer?: Healer;
}

export interface GenerateResult {
  ids: number[];
  text: string;
  stop: string;
  /** ms from the start of the loop to the first token chosen (excludes prefill). */
  firstTokenMs: number;
  /** ms per decodeOne call. */
  stepMs: number[];
}

/** Text of the bytes (after the first `skip` bytes), minus a trailing incomplete UTF-8 sequence (it may complete next step). */
export function streamText(tok: DocTokenizer, ids: number[], skip = 0): string {
  const s = skip ? new TextDecoder().decode(tok.decodeBytes(ids).subarray(skip)) : tok.decodeText(ids);
  return s.endsWith('\uFFFD') ? s.replace(/\uFFFD+$/, '') : s;
}

export async function generate(state: SeqState, firstLogits: Float32Array, tok: DocTokenizer, o: GenerateOptions): Promise<GenerateResult> {
  const t0 = performance.now();
  const ids: number[] = [...(o.prior ?? [])];
  const first = ids.length;
  const stepMs: number[] = [];
  let logits = firstLogits;
  const skip = o.healer?.bytes.length ?? 0;
  let text = first ? streamText(tok, ids, skip) : '';
  let stop = 'max';
  let firstTokenMs = 0;
  for (let step = first; step < o.maxTokens; step++) {
    if (o.signal?.aborted) { stop = 'aborted'; break; }
    o.onLogits?.(logits, step);
    let row = logits;
    if (o.mixer) row = o.mixer.mix(logits);
    if (o.healer?.active) { if (row === logits) row = logits.slice(); o.healer.mask(row); }
    const id = o.sampler.pick(row);
    o.mixer?.advance(id, row);
    o.healer?.advance(id);
    if (step === first) firstTokenMs = performance.now() - t0;
    if (o.stopIds.has(id)) { stop = 'eos'; break; }
    ids.push(id);
    const full = streamText(tok, ids, skip);
    if (o.stop) {
      const d = checkStop(full, o.stop);
      if (d.stop) { text = d.text; stop = d.stop; if (text !== full) o.onToken?.(text); break; }
    }
    if (o.deadline !== undefined && performance.now() > o.deadline) {
      const nl = full.lastIndexOf('\n');
      if (nl >= 0 && full.slice(0, nl).trim()) { text = full.slice(0, nl); stop = 'time'; o.onToken?.(text); break; }
    }
    text = full;
    o.onToken?.(text);
    if (step + 1 >= o.maxTokens) { stop = 'max'; break; }
    if (o.signal?.aborted) { stop = 'aborted'; break; }
    const s = performance.now();
    logits = await state.decodeOne(id);
    stepMs.push(performance.now() - s);
  }
  return { ids, text, stop, firstTokenMs, stepMs };
}
