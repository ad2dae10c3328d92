// Renders a summary as Markdown with links that open the source at a line. Pure.
// Links are relative to the summary file's folder (see summaryPaths.ts): the Markdown preview
// refuses file: links but follows relative ones, and so does the editor.
import { entryDetail, mapCaption, moreLine } from '../../engine/summaryText';
import type { FileHeader, FileMap, KeyPassage, SummaryResult } from '../../engine/types';

export interface SummaryView {
  title: string;
  /**
   * Link to the source relative to the summary file's folder, without a fragment
   * (relativeHref); undefined when the source is not a file on disk (untitled, virtual):
   * then the summary shows plain line numbers.
   */
  sourceHref?: string;
  languageId: string;
  /** The file's own description (engine). */
  header?: FileHeader;
  /** The engine's map, or the editor's document symbols as one (outline.ts). */
  map?: FileMap;
  passages: KeyPassage[];
  scoreRange?: SummaryResult['scoreRange'];
  overview?: string;
  /** 'pending' while the model is still generating it; 'done' once it passed its checks or was left out. */
  overviewState?: 'pending' | 'done' | 'off';
  model: string;
  chunkSize: number;
  provider: string;
  chunks: number;
  ms: number;
  lineCount: number;
}

const MAX_PASSAGE_LINES = 12;

/** A link target that opens `href` at a 1-based line (VS Code reads the #L fragment). */
export function lineLink(href: string, line: number): string {
  const base = href.replace(/#.*$/, '');
  return `${base}#L${line}`;
}

/** Inverse of lineLink (for tests). */
export function parseLineLink(link: string): { href: string; line: number } | undefined {
  const m = /^(.*)#L(\d+)(?:-L?\d+)?$/.exec(link);
  if (!m) return undefined;
  return { href: m[1], line: Number(m[2]) };
}

/**
 * Every Markdown link in a text, in order, with its target: inline links `[t](<dest>)` /
 * `[t](dest)` and reference links `[t][ref]` resolved through `[ref]: <dest>` definitions.
 */
export function markdownLinks(md: string): { text: string; href: string }[] {
  const defs = new Map<string, string>();
  const defRe = /^\s{0,3}\[([^\]]+)\]:\s*(?:<([^>]*)>|(\S+))\s*$/gm;
  for (let m = defRe.exec(md); m; m = defRe.exec(md)) defs.set(m[1].toLowerCase(), m[2] ?? m[3]);
  const out: { text: string; href: string }[] = [];
  const re = /\[((?:\\.|[^\]\\])*)\](?:\((?:<([^>]*)>|([^)\s]*))\)|\[([^\]]+)\])/g;
  for (let m = re.exec(md); m; m = re.exec(md)) {
    const href = m[4] !== undefined ? defs.get(m[4].toLowerCase()) : (m[2] ?? m[3]);
    if (href !== undefined) out.push({ text: m[1], href });
  }
  return out;
}

function escapeText(s: string): string {
  return s.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

function fence(body: string): string {
  let ticks = '```';
  while (body.includes(ticks)) ticks += '`';
  return ticks;
}

/** An inline link (one click opens the line, in the preview; Ctrl+click in the editor), or the bare label. */
function link(label: string, href: string | undefined, line: number): string {
  return href === undefined ? label : `[${label}](<${lineLink(href, line)}>)`;
}

function passageBlock(p: KeyPassage, href: string | undefined, languageId: string, index: number): string {
  const lines = p.text.replace(/\r\n/g, '\n').split('\n');
  const shown = lines.slice(0, MAX_PASSAGE_LINES);
  const more = lines.length - shown.length;
  const body = shown.join('\n');
  const f = fence(body);
  const range = p.endLine > p.startLine ? `lines ${p.startLine}–${p.endLine}` : `line ${p.startLine}`;
  return [
    `${index}. ${link(range, href, p.startLine)}${p.label ? ` · ${escapeText(p.label)}` : ''} · score ${p.score.toFixed(3)}`,
    '',
    `   ${f}${languageId}`,
    ...body.split('\n').map((l) => `   ${l}`),
    `   ${f}`,
    more > 0 ? `   _… ${more} more line(s)_` : '',
  ]
    .filter((l, i, all) => !(l === '' && i === all.length - 1))
    .join('\n');
}

function headerBlock(h: FileHeader, href: string | undefined): string[] {
  const lines = h.text.replace(/\r\n/g, '\n').split('\n');
  const shown = lines.slice(0, 16);
  const where = h.endLine > h.startLine ? `lines ${h.startLine}–${h.endLine}` : `line ${h.startLine}`;
  return [
    '## What the file is', '',
    ...shown.map((l) => (l.trim() ? `> ${escapeText(l)}` : '>')),
    ...(lines.length > shown.length ? ['> …'] : []), '',
    `_The file's own words: its ${h.source}, ${link(where, href, h.startLine)}._`, '',
  ];
}

function mapBlock(m: FileMap, href: string | undefined): string[] {
  const out = [`## Map of the file${m.source === 'symbols' ? ' (from the editor\'s document symbols)' : ''}`, '', `_${escapeText(mapCaption(m))}._`, ''];
  for (const g of m.groups) {
    if (g.title) out.push(`### ${escapeText(g.title)}`, '');
    for (const e of g.entries) {
      out.push(`${'  '.repeat(e.depth)}- ${link(escapeText(e.name), href, e.line)} · ${escapeText(entryDetail(e))}, line ${e.line}${e.doc ? ` — ${escapeText(e.doc)}` : ''}`);
    }
    out.push('');
  }
  const more = moreLine(m);
  if (more) out.push(`_${escapeText(more)}_`, '');
  return out;
}

/** The summary, in the sections and order of the CLI's text (src/engine/summaryText.ts). */
export function renderSummaryMarkdown(v: SummaryView): string {
  const out: string[] = [];
  out.push(`# Summary: ${escapeText(v.title)}`, '');
  out.push(
    `_${v.lineCount} lines, ${v.chunks} chunks at C=${v.chunkSize}; model ${escapeText(v.model)} on ${v.provider.toUpperCase()}, ` +
      `${(v.ms / 1000).toFixed(2)} s. Computed locally; nothing left this machine._`,
    '',
  );
  if (v.header) out.push(...headerBlock(v.header, v.sourceHref));
  const overview = v.overview?.replace(/^\s*\(generated\)\s*/i, '').trim();
  if (overview) {
    out.push('## Overview (generated by the model)', '');
    out.push(...overview.split('\n').map((l) => `> ${escapeText(l)}`), '');
    out.push('_This overview is model-generated text and may be wrong; it passed checks that it is not repetitive and that every identifier it names is in the file._', '');
  } else if (v.overviewState === 'pending') {
    out.push('## Overview (generated by the model)', '', '_The model is writing an overview; it appears here if it passes its checks._', '');
  }
  if (v.map) out.push(...mapBlock(v.map, v.sourceHref));
  out.push('## Key passages', '');
  if (v.passages.length === 0) out.push('_No passages: the file is shorter than one chunk, or holds only its header, licence and imports._', '');
  else {
    const r = v.scoreRange;
    out.push(`_Cut at declaration boundaries and ranked from the model's compressed chunks and the file's own words${r ? `; scores ${r.min.toFixed(3)}–${r.max.toFixed(3)} over ${r.candidates} candidates` : ''}; best first._`, '');
    v.passages.forEach((p, i) => out.push(passageBlock(p, v.sourceHref, v.languageId, i + 1), ''));
  }
  return out.join('\n');
}
