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
  /** Most tokens the index may draft per decoder call (lookup drafting; 0 or undefined: off). */
  draftMax?: number;
  /** Token healing after a cursor inside a line: its bytes start the generated ones and are not shown. */
  healer?: Healer;
}

export interface GenerateResult {
  ids: number[];
  text: string;
  stop: string;
  /** ms from the start of the loop to the first token chosen (excludes prefill). */
  firstTokenMs: number;
  /** ms per decoder call (decodeOne, or decodeMany with drafted tokens). */
  stepMs: number[];
  /** Tokens drafted by the index / accepted by the sampler (lookup drafting). */
  drafted: number;
  accepted: number;
}

/** Most tokens drafted per decoder call (lookup drafting; bounded by the room left in a CAT chunk). */
export const DRAFT_MAX = 8;

/** Drafted tokens whose logits the decoder has computed: logits[i] predicts the token after ids[i]. */
interface Drafts { ids: number[]; logits: Float32Array[] }

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
  let drafts: Drafts | undefined;
  let drafted = 0, accepted = 0;
  const drafter = o.draftMax ? o.mixer : undefined;
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
    if (drafts && drafts.ids[0] === id) {               // a drafted token was picked: its logits are there
      drafts.ids.shift();
      logits = drafts.logits.shift() as Float32Array;
      accepted++;
      if (drafts.ids.length === 0) drafts = undefined;
      continue;
    }
    if (drafts) { state.rollback(drafts.ids.length); drafts = undefined; }
    const s = performance.now();
    const d = drafter ? drafter.draft(Math.min(o.draftMax ?? 0, state.draftRoom() - 1, o.maxTokens - step - 2)) : [];
    if (d.length > 0) {
      const rows = await state.decodeMany([id, ...d]);
      logits = rows[0];
      drafts = { ids: d, logits: rows.slice(1) };
      drafted += d.length;
    } else logits = await state.decodeOne(id);
    stepMs.push(performance.now() - s);
  }
  if (drafts) state.rollback(drafts.ids.length);       // the state ends at the last token kept
  return { ids, text, stop, firstTokenMs, stepMs, drafted, accepted };
}
