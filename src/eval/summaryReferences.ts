// Held-out documents that carry their own summary, for the summary-quality evaluation: the summary is cut out of the text
// the model sees and kept as the reference. Pure (text in, text out).
//   .py                   module docstring
//   .md / .rst / .txt     the first prose paragraph (the abstract under the title)
//   .js/.ts/...           a leading file comment (not a licence header)

export type ReferenceKind = 'py-docstring' | 'readme-abstract' | 'js-header';

export interface HeldOutDoc {
  kind: ReferenceKind;
  /** The document without its summary (what the model summarizes). */
  input: string;
  reference: string;
}

const MIN_REFERENCE_WORDS = 12;
const LICENCE = /licen[cs]e|copyright|\(c\)|all rights reserved|spdx|eslint|jshint|@flow|@ts-|prettier|istanbul/i;

function wordCount(s: string): number {
  return (s.match(/[A-Za-z]{2,}/g) ?? []).length;
}

function joinWithout(lines: string[], from: number, to: number): string {
  return [...lines.slice(0, from), ...lines.slice(to)].join('\n');
}

/** Python: the module docstring (first statement), removed from the input. */
export function pythonDocstring(text: string): HeldOutDoc | undefined {
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length && (lines[i].trim() === '' || lines[i].trim().startsWith('#'))) i++;
  if (i >= lines.length) return undefined;
  const m = /^\s*[rRuU]?("""|''')/.exec(lines[i]);
  if (!m) return undefined;
  const q = m[1];
  const startCol = lines[i].indexOf(q) + 3;
  let end = -1;
  let body = '';
  const firstRest = lines[i].slice(startCol);
  const close = firstRest.indexOf(q);
  if (close >= 0) {
    end = i;
    body = firstRest.slice(0, close);
  } else {
    const parts = [firstRest];
    for (let j = i + 1; j < lines.length; j++) {
      const k = lines[j].indexOf(q);
      if (k >= 0) {
        parts.push(lines[j].slice(0, k));
        end = j;
        break;
      }
      parts.push(lines[j]);
    }
    body = parts.join('\n');
  }
  if (end < 0) return undefined;
  const reference = body.trim();
  if (wordCount(reference) < MIN_REFERENCE_WORDS || LICENCE.test(reference.slice(0, 200))) return undefined;
  return { kind: 'py-docstring', input: joinWithout(lines, i, end + 1), reference };
}

/** Markdown/reStructuredText/plain text: the first prose paragraph after the title. */
export function readmeAbstract(text: string): HeldOutDoc | undefined {
  const lines = text.split('\n');
  let i = 0;
  if (lines[0]?.trim() === '---') {
    i = 1;
    while (i < lines.length && lines[i].trim() !== '---') i++;
    i++;
  }
  let fence = false;
  for (; i < lines.length; i++) {
    const l = lines[i].trim();
    if (/^(```|~~~)/.test(l)) fence = !fence;
    if (fence || l === '') continue;
    if (/^#{1,6}\s/.test(l) || /^(=+|-+|~+|\*+)$/.test(l) || /^\.\.\s/.test(l) || /^<[^>]+>/.test(l)) continue;
    if (/^(\[!\[|!\[|\[[^\]]*\]:|[-*+]\s|\d+\.\s|\||>)/.test(l)) continue;
    // a paragraph: consecutive non-blank lines
    let j = i;
    while (j < lines.length && lines[j].trim() !== '' && !/^(#{1,6}\s|```|~~~)/.test(lines[j].trim())) j++;
    const para = lines.slice(i, j).join('\n').trim();
    if (/^(=+|-+|~+)$/.test(lines[j]?.trim() ?? '')) {
      i = j;
      continue; // a setext heading, not a paragraph
    }
    if (wordCount(para) >= MIN_REFERENCE_WORDS && !LICENCE.test(para.slice(0, 200))) {
      return { kind: 'readme-abstract', input: joinWithout(lines, i, j), reference: para };
    }
    i = j;
  }
  return undefined;
}

/** JavaScript/TypeScript: the leading block (or // run of) comment describing the file. */
export function jsHeader(text: string): HeldOutDoc | undefined {
  const lines = text.split('\n');
  let i = 0;
  if (lines[0]?.startsWith('#!')) i = 1;
  while (i < lines.length && (lines[i].trim() === '' || /^['"]use strict['"];?$/.test(lines[i].trim()))) i++;
  if (i >= lines.length) return undefined;
  let end = -1;
  const raw: string[] = [];
  if (/^\s*\/\*/.test(lines[i])) {
    for (let j = i; j < lines.length; j++) {
      raw.push(lines[j]);
      if (lines[j].includes('*/')) {
        end = j;
        break;
      }
    }
  } else if (/^\s*\/\//.test(lines[i])) {
    let j = i;
    while (j < lines.length && /^\s*\/\//.test(lines[j])) raw.push(lines[j++]);
    end = j - 1;
  }
  if (end < 0) return undefined;
  const reference = raw
    .map((l) => l.replace(/^\s*(\/\*\*?|\*\/|\*|\/\/)\s?/, '').replace(/\*\/\s*$/, ''))
    .filter((l) => !/^@(param|returns?|throws|type|typedef|template|example|see|since|author|version|license|module|private|internal)\b/.test(l.trim()))
    .map((l) => l.replace(/^@(summary|description|file|fileoverview|overview)\s*/, ''))
    .join('\n')
    .trim();
  if (wordCount(reference) < MIN_REFERENCE_WORDS || LICENCE.test(reference.slice(0, 300))) return undefined;
  return { kind: 'js-header', input: joinWithout(lines, i, end + 1), reference };
}

export function extractHeldOut(fileName: string, text: string): HeldOutDoc | undefined {
  const ext = fileName.slice(fileName.lastIndexOf('.')).toLowerCase();
  if (ext === '.py') return pythonDocstring(text);
  if (ext === '.md' || ext === '.rst' || ext === '.txt') return readmeAbstract(text);
  if (['.js', '.mjs', '.cjs', '.jsx', '.ts', '.tsx', '.mts', '.cts'].includes(ext)) return jsHeader(text);
  return undefined;
}
