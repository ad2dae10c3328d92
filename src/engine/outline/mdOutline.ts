// Markdown (and reStructuredText-style) outline, following CommonMark's block structure: front
// matter, fenced code blocks (never read as headings), ATX headings (`# …`) and setext headings
// (a line underlined with === or ---). Headings nest by level; each carries the first sentence
// of the paragraph under it. The header is the document's first prose paragraph.
import { firstSentence, isLicence } from './comments';
import type { Decl, ParsedOutline } from './types';

interface Block { kind: 'heading' | 'para' | 'other'; line: number; end: number; level?: number; text: string }

/** Headings and paragraphs, in order (0-based lines). */
export function markdownBlocks(text: string): Block[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const out: Block[] = [];
  let i = 0;
  if (lines[0]?.trim() === '---') {
    const close = lines.findIndex((l, k) => k > 0 && (l.trim() === '---' || l.trim() === '...'));
    if (close > 0) i = close + 1;
  }
  while (i < lines.length) {
    const l = lines[i];
    const fence = /^ {0,3}(`{3,}|~{3,})/.exec(l);
    if (fence) {
      const mark = fence[1];
      let j = i + 1;
      while (j < lines.length && !new RegExp(`^ {0,3}${mark[0] === '`' ? '`' : '~'}{${mark.length},}\\s*$`).test(lines[j])) j++;
      out.push({ kind: 'other', line: i, end: Math.min(j, lines.length - 1), text: '' });
      i = j + 1; continue;
    }
    const atx = /^ {0,3}(#{1,6})(?:\s+(.*?))?\s*#*\s*$/.exec(l);
    if (atx) { out.push({ kind: 'heading', line: i, end: i, level: atx[1].length, text: (atx[2] ?? '').trim() }); i++; continue; }
    if (l.trim() === '') { i++; continue; }
    // a paragraph: consecutive lines that start no other block; a setext underline ends it as a heading
    let j = i;
    const para: string[] = [];
    while (j < lines.length && lines[j].trim() !== '' && !/^ {0,3}(#{1,6}(\s|$)|`{3,}|~{3,})/.test(lines[j])) {
      if (para.length && /^ {0,3}(=+|-+)\s*$/.test(lines[j])) {
        out.push({ kind: 'heading', line: i, end: j, level: lines[j].trim()[0] === '=' ? 1 : 2, text: para.join(' ').trim() });
        para.length = 0;
        j++;
        i = j;
        break;
      }
      para.push(lines[j]);
      j++;
    }
    if (para.length) {
      const t = para.join('\n');
      const prose = !/^\s*([-*+]\s|\d+[.)]\s|>|\||<|!\[|\[!\[|\[[^\]]*\]:|\.\.\s)/.test(t);
      out.push({ kind: prose ? 'para' : 'other', line: i, end: j - 1, text: t });
      i = j;
    }
  }
  return out;
}

export function parseMarkdown(text: string): ParsedOutline {
  const blocks = markdownBlocks(text);
  const lineCount = text.split('\n').length;
  const roots: Decl[] = [];
  const stack: Decl[] = [];
  let header: ParsedOutline['header'];
  const headings = blocks.filter((b) => b.kind === 'heading' && b.text);
  for (const [bi, b] of blocks.entries()) {
    if (b.kind === 'para' && !header && !isLicence(b.text) && (b.text.match(/[A-Za-z]{2,}/g) ?? []).length >= 6) {
      header = { text: b.text.trim(), startLine: b.line + 1, endLine: b.end + 1, source: 'first paragraph' };
    }
    if (b.kind !== 'heading' || !b.text) continue;
    const level = b.level ?? 1;
    const next = headings.find((h) => h.line > b.line && (h.level ?? 1) <= level);
    const para = blocks.slice(bi + 1).find((x) => x.kind !== 'other');
    const d: Decl = {
      name: b.text.replace(/[*_`]/g, ''), kind: 'heading', level, line: b.line, startLine: b.line,
      endLine: next ? next.line - 1 : lineCount - 1, children: [],
    };
    if (para?.kind === 'para') { const s = firstSentence(para.text); if (s) d.doc = s; }
    while (stack.length && (stack[stack.length - 1].level ?? 1) >= level) stack.pop();
    (stack.length ? stack[stack.length - 1].children : roots).push(d);
    stack.push(d);
  }
  return { language: 'markdown', decls: roots, header, boilerplate: [], exportedNames: [] };
}
