// Line completions on held-out packages with and without the exact index (the protocol of the
// workspace-index design note): rows model alone, index alone, copy heuristic, mixture,
// mixture + gate, dense + index, dense + index + gate; with 0 and 3 other files of the package
// open (their text in the index; their compressed entries as model context at the setting's
// default budget, and side by side at CROSS_FILE_AB entries: the rows "+ cross-file entries").
// Columns: exact match, edit similarity, shown, precision (exact among shown), right per case,
// ms p50/p90; and the gate's precision-coverage curve (threshold sweep over the mixture's
// suggestions).
//
//   npm run eval -- --only completion [--cases 500]      (part of the full `npm run eval`)
import type { Engine } from '../engine/index';
import { completionCases, copyHeuristic, lineIsCopyable, type CompletionCase } from './completionCases';
import { indexOnlyLine } from './indexOnly';
import { editSimilarity, mean } from './metrics';
import { runCase } from './runCase';
import { PackageWorkspace, workspaceOrder } from './workspaceSetting';

export interface Row {
  cases: number; exactMatch: number; editSimilarity: number; shown: number; precision: number; rightPerCase: number;
  msP50?: number; msP90?: number;
  /** Mixture rows: suggestions identical to the run without lookup drafting (all of them, if drafting is sound). */
  sameAsUndrafted?: number;
}

interface Outcome { pred: string; shown: boolean; ms?: number; confidence?: number }

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))] : NaN;
}

export function summarizeRow(cases: CompletionCase[], out: Outcome[]): Row {
  const em = out.map((o, i) => (o.pred === cases[i].expected ? 1 : 0));
  const shown = out.map((o) => (o.shown && o.pred.trim() !== '' ? 1 : 0));
  const right = em.map((e, i) => e * shown[i]);
  const ms = out.map((o) => o.ms).filter((x): x is number => x !== undefined);
  const nShown = shown.reduce((a: number, b) => a + b, 0);
  return {
    cases: cases.length, exactMatch: mean(em), editSimilarity: mean(out.map((o, i) => editSimilarity(o.pred, cases[i].expected))),
    shown: nShown / cases.length, precision: nShown ? right.reduce((a: number, b) => a + b, 0) / nShown : 0,
    rightPerCase: mean(right), ...(ms.length ? { msP50: pct(ms, 0.5), msP90: pct(ms, 0.9) } : {}),
  };
}

/** Precision and coverage of the gate at each threshold, from the ungated mixture's suggestions. */
export function gateCurve(cases: CompletionCase[], out: Outcome[]): { threshold: number; coverage: number; precision: number; rightPerCase: number }[] {
  const pts = [];
  for (let t = 0; t <= 1.0001; t += 0.05) {
    const shown = out.map((o) => o.pred.trim() !== '' && (o.confidence ?? 0) >= t);
    const n = shown.filter(Boolean).length;
    const right = out.filter((o, i) => shown[i] && o.pred === cases[i].expected).length;
    pts.push({ threshold: Number(t.toFixed(2)), coverage: n / cases.length, precision: n ? right / n : 0, rightPerCase: right / cases.length });
  }
  return pts;
}

/** One engine row over the cases (in `order`), results in case order. */
async function engineRow(eng: Engine, cases: CompletionCase[], order: number[], o: { others: boolean; useIndex: boolean; lookupDraft: boolean; contextEntryBudget?: number }, before?: (c: CompletionCase, i: number) => void): Promise<Outcome[]> {
  const out: Outcome[] = new Array(cases.length);
  for (const i of order) {
    before?.(cases[i], i);
    const r = await runCase(eng, cases[i], { ...o, minConfidence: 0 });
    out[i] = { pred: r.text, shown: r.text !== '', ms: r.ms, confidence: r.gate?.confidence };
  }
  return out;
}

/** Other files' entries in the side-by-side rows (the setting's default before session 14). */
const CROSS_FILE_AB = 1024;

export async function completionEval(cat: Engine, dense: Engine, root: string, files: string[], n: number, log: (m: string) => void) {
  const cases = completionCases(root, files, n, 41);
  const tok = cat.tokenizer, V = cat.contract.dims.vocabSize;
  const rows: Record<string, Row> = {};
  const curves: Record<string, ReturnType<typeof gateCurve>> = {};
  const inOrder = cases.map((_, i) => i);
  const putter = (setting: string) => (name: string, out: Outcome[]) => {
    rows[`${name}, ${setting}`] = summarizeRow(cases, out);
    log(`${name}, ${setting}: ${JSON.stringify(rows[`${name}, ${setting}`])}`);
  };
  const gated = (name: string, setting: string, eng: Engine, out: Outcome[], put: (name: string, out: Outcome[]) => void) => {
    if (!eng.recall.params?.gate) return;
    const thr = eng.recall.params.gate.threshold;
    put(`${name} + gate`, out.map((o) => ({ ...o, shown: o.shown && (o.confidence ?? 0) >= thr })));
    curves[`${name}, ${setting}`] = gateCurve(cases, out);
  };
  /** Per setting: the share of cases whose completed line is a whole line of the texts the index holds (what copying can reach). */
  const copyable: Record<string, number> = {};
  for (const open of [0, 3]) {
    const setting = `${open} open`;
    const others = (c: CompletionCase) => (open ? c.others.map((o) => o.text) : []);
    copyable[setting] = mean(cases.map((c) => (lineIsCopyable(c, others(c)) ? 1 : 0)));
    const put = putter(setting);
    put('copy heuristic', cases.map((c) => { const t0 = performance.now(); const pred = copyHeuristic(c.before, others(c)); return { pred, shown: pred !== '', ms: performance.now() - t0 }; }));
    put('index alone', cases.map((c) => { const t0 = performance.now(); const r = indexOnlyLine(tok, V, c.before, others(c)); return { pred: r.text, shown: r.text !== '', ms: performance.now() - t0 }; }));
    let undrafted: Outcome[] | undefined;
    for (const [name, eng, useIndex, lookupDraft] of [['model alone', cat, false, true], ['mixture, no lookup drafting', cat, true, false], ['mixture', cat, true, true], ['dense + index', dense, true, true]] as const) {
      const out = await engineRow(eng, cases, inOrder, { others: open > 0, useIndex, lookupDraft });
      put(name, out);
      if (!lookupDraft) { undrafted = out; continue; }    // its gated row would repeat the mixture's
      if (name === 'mixture' && undrafted) {             // drafting must not change a suggestion
        const plain = undrafted;
        const differ = out.filter((o, i) => o.pred !== plain[i].pred).length;
        if (differ) log(`lookup drafting changed ${differ} of ${out.length} suggestions (it must change none)`);
        rows[`mixture, ${setting}`].sameAsUndrafted = out.length - differ;
      }
      if (useIndex) gated(name, setting, eng, out, put);
    }
    if (open) {                                          // the other files' compressed entries as context, side by side
      for (const [name, useIndex] of [['model alone', false], ['mixture', true]] as const) {
        const label = `${name} + cross-file entries`;
        const out = await engineRow(cat, cases, inOrder, { others: true, useIndex, lookupDraft: true, contextEntryBudget: CROSS_FILE_AB });
        put(label, out);
        if (useIndex) gated(label, setting, cat, out, put);
      }
    }
  }
  // the workspace setting: 3 open and the rest of the package in the index, as the extension's workspace pass does
  const ws = new PackageWorkspace(root, files);
  const setting = 'workspace';
  const put = putter(setting);
  const order = workspaceOrder(cases);
  const wsTokens: number[] = [];
  const wsCopyable: number[] = [];
  for (const [name, eng] of [['mixture', cat], ['dense + index', dense]] as const) {
    const copies: Outcome[] = new Array(cases.length);
    const out = await engineRow(eng, cases, order, { others: true, useIndex: true, lookupDraft: true }, (c, i) => {
      const texts = ws.enter(eng, c);
      if (name === 'mixture') {
        const indexed = [...c.others.map((o) => o.text), ...texts];
        wsTokens.push(eng.indexStats().tokens);
        wsCopyable.push(lineIsCopyable(c, indexed) ? 1 : 0);
        const t0 = performance.now();
        const pred = copyHeuristic(c.before, indexed);
        copies[i] = { pred, shown: pred !== '', ms: performance.now() - t0 };
      }
    });
    if (name === 'mixture') put('copy heuristic', copies);
    put(name, out);
    gated(name, setting, eng, out, put);
    ws.leave(eng);
  }
  copyable[setting] = mean(wsCopyable);
  log(`completed line a whole line of the indexed text: ${JSON.stringify(copyable)}`);
  return { cases: cases.length, midLineShare: mean(cases.map((c) => (c.midLine ? 1 : 0))), rows, gateCurves: curves, copyable,
    workspace: { budgetTokens: ws.budgetTokens, indexTokensP50: pct(wsTokens, 0.5), indexTokensMax: Math.max(0, ...wsTokens) },
    thresholds: { cat: cat.recall.params?.gate?.threshold, dense: dense.recall.params?.gate?.threshold } };
}
