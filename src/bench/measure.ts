// The measurements behind `npm run bench`. Everything here is timed on the real engine and
// model; nothing is estimated except the decision to skip a run that would take too long
// (reported as skipped, never as a number).
import type { Engine } from '../engine/index';
import { argmaxRow } from '../engine/runner';

export interface ContextRow {
  model: 'cat' | 'dense';
  chunkSize: number;
  contextTokens: number;
  decodeMsP50: number | null;
  decodeMsP90: number | null;
  ttftColdMs: number | null;
  ttftWarmMs: number | null;
  prefillMs: number | null;
  contextBytes: number | null;
  note?: string;
}

export interface EditRow { model: 'cat' | 'dense'; chunkSize: number; where: 'top' | 'middle' | 'bottom'; line: number; lines: number; tokens: number; prefillMs: number; ttftMs: number; reusedRows: number; computedRows: number }
export interface CompressionRow { chunkSize: number; tokens: number; ms: number; tokensPerSecond: number }

export const pct = (xs: number[], p: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};
const r1 = (x: number) => Math.round(x * 100) / 100;

/** [file] + tokens of the text, as the engine builds it when the whole text fits. */
export function docSeq(engine: Engine, text: string): Int32Array {
  const ids = engine.tokenizer.encodeText(text);
  const seq = new Int32Array(ids.length + 1);
  seq[0] = engine.contract.tokenizer.special.file;
  seq.set(ids, 1);
  return seq;
}

export async function measureContext(engine: Engine, C: number, text: string, contextTokens: number, steps: number, warmRuns: number): Promise<ContextRow> {
  const kind = engine.contract.kind;
  const docId = `bench-ctx-${contextTokens}`;
  engine.clearCache();
  engine.updateDocument(docId, 1, text);
  const req = { docId, version: 1, offset: text.length, chunkSize: C, mode: 'line' as const, maxTokens: 1 };
  const cold = await engine.complete(req);
  const warm: number[] = [];
  for (let i = 0; i < warmRuns; i++) warm.push((await engine.complete(req)).timing?.firstTokenMs ?? NaN);
  // decode latency: greedy steps on the document's state (crossing chunk boundaries for cat)
  const state = engine.stateOf(docId, C);
  let logits = await state.prefill(docSeq(engine, text), { chunkSize: C });
  const stepMs: number[] = [];
  const V = engine.contract.dims.vocabSize;
  for (let i = 0; i < steps; i++) {
    const id = argmaxRow(logits, V);
    const t = performance.now();
    logits = await state.decodeOne(id);
    stepMs.push(performance.now() - t);
  }
  const bytes = state.contextBytes();
  engine.closeDocument(docId);
  return {
    model: kind, chunkSize: C, contextTokens,
    decodeMsP50: r1(pct(stepMs, 0.5)), decodeMsP90: r1(pct(stepMs, 0.9)),
    ttftColdMs: r1(cold.timing?.firstTokenMs ?? NaN), ttftWarmMs: r1(pct(warm, 0.5)),
    prefillMs: r1(cold.timing?.prefillMs ?? NaN), contextBytes: bytes,
  };
}

/** One-line edits at the top, middle and bottom of a document; completion at its end after each. */
export async function measureEdits(engine: Engine, C: number, text: string): Promise<EditRow[]> {
  const docId = 'bench-edit';
  engine.clearCache();
  const lines = text.split('\n');
  let v = 1;
  engine.updateDocument(docId, v, text);
  const req = (version: number, t: string) => ({ docId, version, offset: t.length, chunkSize: C, mode: 'line' as const, maxTokens: 1 });
  await engine.complete(req(v, text));
  const out: EditRow[] = [];
  const n = lines.length;
  // edits accumulate (top, then middle, then bottom): each one is measured against the
  // previous version, so no time is spent restoring the text in between
  const edited = [...lines];
  for (const [where, line] of [['top', Math.floor(n * 0.02)], ['middle', Math.floor(n / 2)], ['bottom', n - 5]] as const) {
    edited[line] = `  /* edited */ ${edited[line]}`;
    const t = edited.join('\n');
    engine.updateDocument(docId, ++v, t);
    const r = await engine.complete(req(v, t));
    out.push({
      model: engine.contract.kind, chunkSize: C, where, line: line + 1, lines: n, tokens: r.timing?.contextTokens ?? 0,
      prefillMs: r1(r.timing?.prefillMs ?? NaN), ttftMs: r1(r.timing?.firstTokenMs ?? NaN),
      reusedRows: r.timing?.reusedRows ?? 0, computedRows: r.timing?.computedRows ?? 0,
    });
  }
  engine.closeDocument(docId);
  return out;
}

/** Background compression throughput: every chunk of `seq`, cold store, batched calls. */
export async function measureCompression(engine: Engine, C: number, seq: Int32Array): Promise<CompressionRow> {
  engine.clearCache();
  const n = Math.floor(seq.length / C);
  const chunks = Array.from({ length: n }, (_, i) => seq.subarray(i * C, (i + 1) * C));
  const keys = chunks.map((_, i) => engine.store.key(C, seq, i * C));
  const t = performance.now();
  await engine.vectors(C, chunks, keys);
  const ms = performance.now() - t;
  return { chunkSize: C, tokens: n * C, ms: r1(ms), tokensPerSecond: Math.round((n * C) / (ms / 1000)) };
}

/** TTFT p50 of `runs` completions at the end of the document (after one untimed call). */
export async function ttftP50(engine: Engine, docId: string, version: number, offset: number, C: number, runs: number, extra: Record<string, unknown> = {}): Promise<number> {
  const req = { docId, version, offset, chunkSize: C, mode: 'line' as const, maxTokens: 1, ...extra };
  await engine.complete(req);
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) xs.push((await engine.complete(req)).timing?.firstTokenMs ?? NaN);
  return r1(pct(xs, 0.5));
}

/** Characters typed by typingTtftP50, one per request. */
export const TYPED = '\n  const result = compute(value, options);\n  if (!result) return undefined;\n  return result.total;';

/** TTFT p50 while typing: each run appends one character of TYPED at the end of the document
 * (a new version) and completes there, as the inline provider does on every keystroke; the
 * document is left as it was. */
export async function typingTtftP50(engine: Engine, docId: string, text: string, C: number, runs: number, extra: Record<string, unknown> = {}): Promise<number> {
  let t = text;
  let v = 1000;
  const req = (version: number, offset: number) => ({ docId, version, offset, chunkSize: C, mode: 'line' as const, maxTokens: 1, ...extra });
  engine.updateDocument(docId, v, t);
  await engine.complete(req(v, t.length));
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    t += TYPED[i % TYPED.length];
    engine.updateDocument(docId, ++v, t);
    xs.push((await engine.complete(req(v, t.length))).timing?.firstTokenMs ?? NaN);
  }
  engine.updateDocument(docId, ++v, text);
  return r1(pct(xs, 0.5));
}
