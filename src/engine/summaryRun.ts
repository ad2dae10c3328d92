// One summary of a document snapshot: the file's header and map (its language's parser),
// key passages (cut at declaration boundaries, ranked over the compressed chunk vectors and the
// file's text) and, when asked, a generated overview that is kept only if it passes the
// grounding checks. Engine.summarize supplies the model calls.
import type { WholeTokens } from './context';
import type { DocSnapshot } from './documents';
import { buildMap, outlineLanguage, parseOutline, type ParsedOutline } from './outline/index';
import { checkOverview } from './overviewCheck';
import { passageUnits } from './passageUnits';
import { DEFAULT_WEIGHTS, passageText, rankPassages, spanOf, type ScoreStats } from './summarize';
import type { KeyPassage, Logger, SummaryRequest, SummaryResult } from './types';

/** Passage sizes in tokens: smaller declarations are merged with their neighbours, larger ones split. */
export const PASSAGE_MIN_TOKENS = 48;
export const PASSAGE_MAX_TOKENS = 384;

export interface SummaryDeps {
  snap: DocSnapshot;
  chunkSize: number;
  log: Logger;
  whole(): WholeTokens;
  /** Vectors of every complete chunk of the whole sequence (reports 'compress' progress). */
  vectors(): Promise<Float32Array[]>;
  /** The generated overview's text, or undefined. */
  overview(): Promise<string | undefined>;
}

/** The snapshot's text (invalid UTF-8 replaced; the parsers only read it). */
function textOf(snap: DocSnapshot): string {
  return Buffer.from(snap.bytes).toString('utf8');
}

async function outlineOf(req: SummaryRequest, text: string, log: Logger): Promise<ParsedOutline | undefined> {
  if (req.outline === false) return undefined;
  const lang = outlineLanguage(req.languageId, req.fileName);
  if (!lang) {
    log.debug(`summary ${req.docId}: no outline parser for ${req.languageId ?? req.fileName ?? 'this document'}`);
    return undefined;
  }
  try {
    return await parseOutline(text, lang);
  } catch (e) {
    log.warn(`summary ${req.docId}: outline not available (${(e as Error).message})`);
    return undefined;
  }
}

export async function summarizeDocument(req: SummaryRequest, d: SummaryDeps): Promise<SummaryResult> {
  const t0 = performance.now();
  const timing: Record<string, number> = {};
  const lap = (name: string, since: number) => (timing[name] = Math.round(performance.now() - since));
  const snap = d.snap;
  const text = req.outline === false && !req.overview ? '' : textOf(snap);
  req.onProgress?.({ done: 0, total: 1, phase: 'outline' });
  const outline = await outlineOf(req, text, d.log);
  lap('outlineMs', t0);
  if (req.signal?.aborted) throw Object.assign(new Error('aborted'), { name: 'AbortError' });

  let passages: KeyPassage[] = [];
  let scoreRange: SummaryResult['scoreRange'];
  let chunks = 0;
  const k = req.maxPassages ?? 5;
  if (k > 0) {
    const tc = performance.now();
    const whole = d.whole();
    const vecs = await d.vectors();
    chunks = vecs.length;
    lap('compressMs', tc);
    const tr = performance.now();
    const lts = whole.lineTokenStarts;
    const covered = Math.min(snap.lineCount, lts.length - 1);
    const units = passageUnits(outline, {
      tokens: (a, b) => lts[Math.min(b + 1, covered)] - lts[Math.min(a, covered)],
      isBlank: (l) => snap.lineText(l).trim() === '',
      lineCount: covered, minTokens: PASSAGE_MIN_TOKENS, maxTokens: PASSAGE_MAX_TOKENS,
    });
    const spans = units.map((u) => ({ ...u, ...spanOf(lts, d.chunkSize, vecs.length, u.startLine, u.endLine) })).filter((s) => s.chunkTo > s.chunkFrom);
    const texts = spans.map((s) => passageText(snap, s.startLine, s.endLine, 20_000));
    const stats: ScoreStats = { min: 0, max: 0, candidates: 0 };
    const picks = rankPassages({ spans, vectors: vecs, texts, lineCount: covered, fileName: req.fileName }, k, req.rankWeights ?? DEFAULT_WEIGHTS, undefined, stats);
    if (stats.candidates) scoreRange = { min: round(stats.min), max: round(stats.max), candidates: stats.candidates };
    passages = picks.map((p) => ({
      startLine: p.startLine + 1, endLine: p.endLine + 1, score: round(p.score),
      text: passageText(snap, p.startLine, p.endLine), ...(p.label ? { label: p.label } : {}),
    }));
    lap('rankMs', tr);
  }

  let overview: string | undefined;
  let overviewRejected: SummaryResult['overviewRejected'];
  if (req.overview) {
    const to = performance.now();
    const generated = await d.overview();
    lap('overviewMs', to);
    if (generated) {
      const verdict = checkOverview(generated, text);
      if (verdict.ok) overview = `(generated) ${generated}`;
      else {
        overviewRejected = { reason: verdict.reason ?? 'failed its checks', text: generated };
        d.log.info(`summary ${req.docId}: generated overview left out: ${verdict.reason} (${JSON.stringify(generated.slice(0, 80))})`);
      }
    } else overviewRejected = { reason: 'the model wrote nothing', text: '' };
  }
  const built = outline ? buildMap(outline) : undefined;
  // a file without declarations or headings has no map (the section is left out)
  const map = built && built.total > 0 ? built : undefined;
  return {
    ...(outline?.header ? { header: outline.header } : {}), ...(map ? { map } : {}),
    passages, ...(scoreRange ? { scoreRange } : {}), overview, ...(overviewRejected ? { overviewRejected } : {}),
    chunks, ms: performance.now() - t0, timing,
  };
}

const round = (x: number) => Number(x.toFixed(4));
