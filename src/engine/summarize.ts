// Key passages. Each passage (cut at declaration boundaries, passageUnits.ts) gets the mean of
// its chunks' compressed vectors; the ranking combines, as percentile ranks within the file:
//   model     how central the passage's vector is among the file's passages once the
//             direction every chunk shares is removed (degree centrality of centred cosines);
//   lexical   how much of the file's own vocabulary (identifier parts weighted tf-idf over the
//             passages) the passage carries (centroid);
//   prose     the share of its words in comments and docstrings (where a file explains itself);
//   name      how many words of the file's name (and folder) it mentions;
//   exported  whether it declares something the file exports;
//   position  how early it comes.
// The weights were chosen on the validation split (corpus/val), not on the held-out split the
// evaluation reports (src/eval/summaryQuality.ts); exported and position weigh 0 by default.
// Duplicates (same text once whitespace is ignored) are dropped, then a greedy maximal marginal
// relevance pass keeps the picks diverse (word overlap). Scores are in [0, 1] and separate.
import type { DocSnapshot } from './documents';

export interface PassageSpan {
  startLine: number; // 0-based inclusive
  endLine: number; // 0-based inclusive
  /** Chunk indices [from, to) whose tokens overlap the passage. */
  chunkFrom: number;
  chunkTo: number;
  label?: string;
  exported?: boolean;
}

export interface RankedPassage extends PassageSpan { score: number; features: Record<string, number> }

export interface RankWeights { model: number; lexical: number; prose: number; name: number; exported: number; position: number }
export const DEFAULT_WEIGHTS: RankWeights = { model: 0.5, lexical: 1, prose: 0.5, name: 0.5, exported: 0, position: 0 };
/** The vectors alone (the evaluation's ablation). */
export const MODEL_ONLY: RankWeights = { model: 1, lexical: 0, prose: 0, name: 0, exported: 0, position: 0 };

/** Chunk range of lines from..to, given each line's token start (last entry = end). */
export function spanOf(lineTokenStarts: number[], C: number, nChunks: number, from: number, to: number): { chunkFrom: number; chunkTo: number } {
  return { chunkFrom: Math.floor(lineTokenStarts[from] / C), chunkTo: Math.min(nChunks, Math.ceil(lineTokenStarts[to + 1] / C)) };
}

function normalize(v: Float64Array): Float64Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

const CENTRALITY_SAMPLE = 384;

/** Degree centrality of each passage over centred, normalized passage vectors. */
export function modelCentrality(spans: PassageSpan[], vectors: Float32Array[]): number[] {
  if (vectors.length === 0) return spans.map(() => 0);
  const d = vectors[0].length;
  const unit = vectors.map((v) => normalize(Float64Array.from(v)));
  const pv = spans.map((s) => {
    const m = new Float64Array(d);
    for (let c = s.chunkFrom; c < Math.min(s.chunkTo, unit.length); c++) for (let i = 0; i < d; i++) m[i] += unit[c][i];
    return normalize(m);
  });
  const mean = new Float64Array(d);
  for (const v of pv) for (let i = 0; i < d; i++) mean[i] += v[i] / pv.length;
  const centred = pv.map((v) => normalize(v.map((x, i) => x - mean[i])));
  // against at most CENTRALITY_SAMPLE passages spread over the file (a 10,000-line file has ~2,500)
  const step = Math.max(1, centred.length / CENTRALITY_SAMPLE);
  const ref = Array.from({ length: Math.min(centred.length, CENTRALITY_SAMPLE) }, (_, k) => Math.floor(k * step));
  return centred.map((v, i) => {
    let s = 0, n = 0;
    for (const j of ref) if (j !== i) { s += Math.max(0, dot(v, centred[j])); n++; }
    return n ? s / n : 0;
  });
}

const STOP = new Set('the a an and or of to in is it for on with as by be this that are was at from not if else return var let const function def class self new true false null none undefined import export default public private static void int string number boolean any'.split(' '));

/** Identifier parts and words of a text, lower-cased (camelCase and snake_case split), stop words out. */
export function textWords(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/[A-Za-z][A-Za-z0-9]*/g)) {
    for (const p of m[0].split(/(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])/)) {
      const w = p.toLowerCase();
      if (w.length > 1 && !STOP.has(w)) out.push(w);
    }
  }
  return out;
}

/** Share of a passage's words that are in comments or docstrings. */
export function proseShare(text: string): number {
  let prose = 0, all = 0, inDoc: string | undefined;
  for (const line of text.split('\n')) {
    const t = line.trim();
    const n = (t.match(/[A-Za-z]{2,}/g) ?? []).length;
    all += n;
    const opens = /^[rRuUbBfF]*("""|''')/.exec(t);
    let isProse = inDoc !== undefined || /^(\/\/|\/\*|\*|#(?!!)|<!--)/.test(t);
    if (inDoc !== undefined) { if (t.includes(inDoc)) inDoc = undefined; } else if (opens) {
      isProse = true;
      if (!t.slice(opens[0].length).includes(opens[1])) inDoc = opens[1];
    }
    const trailing = /\s(\/\/|#)\s(.*)$/.exec(t);
    if (isProse) prose += n; else if (trailing) prose += (trailing[2].match(/[A-Za-z]{2,}/g) ?? []).length;
  }
  return all ? prose / all : 0;
}

/** Percentile ranks in [0, 1] (ties share their mean rank). */
export function percentiles(xs: number[]): number[] {
  if (xs.length <= 1) return xs.map(() => 1);
  const idx = xs.map((x, i) => [x, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(xs.length);
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && idx[j + 1][0] === idx[i][0]) j++;
    for (let k = i; k <= j; k++) out[idx[k][1]] = (i + j) / 2 / (xs.length - 1);
    i = j + 1;
  }
  return out;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const w of a) if (b.has(w)) inter++;
  const u = a.size + b.size - inter;
  return u ? inter / u : 0;
}

export interface RankInput {
  spans: PassageSpan[];
  /** Compressed vectors of the file's chunks (index = chunk). */
  vectors: Float32Array[];
  /** Each span's full text. */
  texts: string[];
  lineCount: number;
  /** The file's name (with its folder), for the name feature. */
  fileName?: string;
  /** Raw feature values computed elsewhere (evaluation of variants), replacing the built-in ones. */
  features?: Partial<Record<keyof RankWeights, number[]>>;
}

/** Range of the scores over every candidate (filled in by rankPassages). */
export interface ScoreStats { min: number; max: number; candidates: number }

/** Ranks passages: up to k, best first, each with its score in [0, 1] and its features. */
export function rankPassages(input: RankInput, k: number, weights: RankWeights = DEFAULT_WEIGHTS, lambda = 0.75, stats?: ScoreStats): RankedPassage[] {
  const seen = new Set<string>();
  const keep: number[] = [];
  input.texts.forEach((t, i) => {
    const key = t.replace(/\s+/g, ' ').trim();
    if (!key || seen.has(key)) return;
    seen.add(key);
    keep.push(i);
  });
  if (keep.length === 0) return [];
  const spans = keep.map((i) => input.spans[i]);
  const words = keep.map((i) => textWords(input.texts[i]));
  const sets = words.map((w) => new Set(w));
  const df = new Map<string, number>();
  for (const s of sets) for (const w of s) df.set(w, (df.get(w) ?? 0) + 1);
  const tf = new Map<string, number>();
  for (const ws of words) for (const w of ws) tf.set(w, (tf.get(w) ?? 0) + 1);
  const n = spans.length;
  const nameWords = new Set(textWords((input.fileName ?? '').split(/[\\/]/).slice(-2).join(' ').replace(/\.\w+$/, '')));
  const weight = (w: string) => Math.log(1 + (tf.get(w) ?? 0)) * Math.log(1 + n / (df.get(w) ?? 1));
  const raw: Record<keyof RankWeights, number[]> = {
    model: modelCentrality(spans, input.vectors),
    lexical: sets.map((s) => { let x = 0; for (const w of s) x += weight(w); return x / (1 + s.size) ** 0.25; }),
    prose: keep.map((i) => proseShare(input.texts[i])),
    name: sets.map((s) => { let x = 0; for (const w of nameWords) if (s.has(w)) x++; return x; }),
    exported: spans.map((s) => (s.exported ? 1 : 0)),
    position: spans.map((s) => 1 - s.startLine / Math.max(1, input.lineCount)),
  };
  const keys = Object.keys(raw) as (keyof RankWeights)[];
  for (const f of keys) { const given = input.features?.[f]; if (given) raw[f] = keep.map((i) => given[i]); }
  const pct = Object.fromEntries(keys.map((f) => [f, percentiles(raw[f])])) as Record<keyof RankWeights, number[]>;
  const total = keys.reduce((s, f) => s + weights[f], 0) || 1;
  const score = spans.map((_, i) => keys.reduce((s, f) => s + weights[f] * pct[f][i], 0) / total);
  if (stats) Object.assign(stats, { min: Math.min(...score), max: Math.max(...score), candidates: n });
  const chosen: number[] = [];
  const maxSim = new Float64Array(n);
  const out: RankedPassage[] = [];
  while (chosen.length < Math.min(k, n)) {
    let best = -1, bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      if (chosen.includes(i)) continue;
      const s = lambda * score[i] - (1 - lambda) * maxSim[i];
      if (s > bestScore) { bestScore = s; best = i; }
    }
    chosen.push(best);
    out.push({ ...spans[best], score: score[best], features: Object.fromEntries(keys.map((f) => [f, Number(pct[f][best].toFixed(3))])) });
    for (let i = 0; i < n; i++) maxSim[i] = Math.max(maxSim[i], jaccard(sets[i], sets[best]));
  }
  return out;
}

/** Lines from..to (0-based, inclusive) of the snapshot, cut at maxChars. */
export function passageText(snap: DocSnapshot, from: number, to: number, maxChars = 600): string {
  const lines: string[] = [];
  let n = 0;
  for (let i = from; i <= to && n < maxChars; i++) { const t = snap.lineText(i); lines.push(t); n += t.length + 1; }
  const s = lines.join('\n');
  return s.length > maxChars ? `${s.slice(0, maxChars)}…` : s;
}
