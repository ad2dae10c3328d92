// Key passages from the compressed chunk vectors: line-aligned passages get the mean of
// their chunks' (normalized) vectors; salience = cosine centrality (similarity to the
// document's mean direction, i.e. mean similarity to all passages); selection is greedy
// maximal marginal relevance so the passages are diverse.
import type { DocSnapshot } from './documents';

export interface PassageSpan {
  startLine: number; // 0-based inclusive
  endLine: number; // 0-based inclusive
  /** Chunk indices [from, to) whose tokens overlap the passage. */
  chunkFrom: number;
  chunkTo: number;
}

export interface RankedPassage extends PassageSpan { score: number }

/**
 * Splits lines into passages of at least `minTokens` tokens, cutting preferably after a blank
 * line. lineTokenStarts[i] = token offset of line i in the sequence (last entry = end).
 */
export function passageSpans(lineTokenStarts: number[], C: number, nChunks: number, isBlank: (line: number) => boolean, minTokens = 96, maxTokens = 384): PassageSpan[] {
  const lines = lineTokenStarts.length - 1;
  const spans: PassageSpan[] = [];
  let start = 0;
  for (let i = 0; i < lines; i++) {
    const tokens = lineTokenStarts[i + 1] - lineTokenStarts[start];
    const last = i === lines - 1;
    const cut = last || tokens >= maxTokens || (tokens >= minTokens && (isBlank(i) || isBlank(i + 1)));
    if (!cut) continue;
    const from = Math.floor(lineTokenStarts[start] / C);
    const to = Math.min(nChunks, Math.ceil(lineTokenStarts[i + 1] / C));
    if (to > from) spans.push({ startLine: start, endLine: i, chunkFrom: from, chunkTo: to });
    start = i + 1;
  }
  return spans;
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

/** Ranks passages: returns up to k, best first, with their salience score. */
export function rankPassages(spans: PassageSpan[], vectors: Float32Array[], k: number, lambda = 0.7): RankedPassage[] {
  if (spans.length === 0 || vectors.length === 0) return [];
  const d = vectors[0].length;
  const unit = vectors.map((v) => normalize(Float64Array.from(v)));
  const pv = spans.map((s) => {
    const m = new Float64Array(d);
    for (let c = s.chunkFrom; c < s.chunkTo; c++) for (let i = 0; i < d; i++) m[i] += unit[c][i];
    return normalize(m);
  });
  const mean = new Float64Array(d);
  for (const v of pv) for (let i = 0; i < d; i++) mean[i] += v[i] / pv.length;
  // centrality: mean cosine similarity to all passages = dot(v, mean of unit vectors)
  const central = pv.map((v) => dot(v, mean));
  const chosen: number[] = [];
  const maxSim = new Float64Array(pv.length).fill(-1);
  const out: RankedPassage[] = [];
  while (chosen.length < Math.min(k, pv.length)) {
    let best = -1, bestScore = -Infinity;
    for (let i = 0; i < pv.length; i++) {
      if (chosen.includes(i)) continue;
      const red = chosen.length ? maxSim[i] : 0;
      const s = lambda * central[i] - (1 - lambda) * red;
      if (s > bestScore) { bestScore = s; best = i; }
    }
    chosen.push(best);
    out.push({ ...spans[best], score: central[best] });
    for (let i = 0; i < pv.length; i++) maxSim[i] = Math.max(maxSim[i], dot(pv[i], pv[best]));
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
