// Python outline from a tokenizer that follows Python's lexical rules (string literals with
// prefixes and triple quotes, comments, bracket nesting and backslash continuations make
// logical lines; indentation makes blocks): top-level functions, classes (with their public
// methods) and assignments, their docstrings, decorators, `__all__`, section banners, the
// module docstring and the licence/import boilerplate. Locals and parameters never appear:
// only statements at the module level (and a class body's) are read.
import { bannerTitle, commentLines, firstSentence, isLicence } from './comments';
import { mergeSameName, mergeRanges } from './tsOutline';
import type { Decl, ParsedOutline } from './types';

interface Logical {
  /** 0-based first and last physical line. */
  start: number;
  end: number;
  indent: number;
  /** The code with every string literal replaced by "S" and comments removed. */
  code: string;
  /** The contents of its string literals, in order. */
  strings: string[];
}

interface CommentLine { line: number; indent: number; raw: string }

/** Splits Python source into logical lines and standalone comment lines. */
export function pythonLines(text: string): { lines: Logical[]; comments: CommentLine[] } {
  const lines: Logical[] = [];
  const comments: CommentLine[] = [];
  const n = text.length;
  let i = 0, line = 0;
  while (i < n) {
    // start of a physical line outside any logical line
    let indent = 0;
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\f')) { indent += text[i] === '\t' ? 8 - (indent % 8) : 1; i++; }
    if (i >= n) break;
    if (text[i] === '\n' || text[i] === '\r') { if (text[i] === '\r' && text[i + 1] === '\n') i++; i++; line++; continue; }
    if (text[i] === '#') {
      const e = eol(text, i);
      comments.push({ line, indent, raw: text.slice(i, e) });
      i = e; continue;
    }
    const start = line;
    let depth = 0, code = '';
    const strings: string[] = [];
    while (i < n) {
      const c = text[i];
      if (c === '#') { i = eol(text, i); continue; }
      if (c === '\\' && (text[i + 1] === '\n' || text[i + 1] === '\r')) { i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 2; line++; code += ' '; continue; }
      if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        i++; line++;
        if (depth <= 0) break;
        code += ' '; continue;
      }
      const q = stringAt(text, i);
      if (q) {
        strings.push(q.body);
        for (let k = i; k < q.end; k++) if (text[k] === '\n') line++;
        code += 'S';
        i = q.end; continue;
      }
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') depth = Math.max(0, depth - 1);
      code += c;
      i++;
    }
    lines.push({ start, end: Math.max(start, line - 1), indent, code: code.trim(), strings });
  }
  return { lines, comments };
}

function eol(text: string, i: number): number {
  while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
  return i;
}

/** A string literal starting at i (with its prefix), or undefined. */
function stringAt(text: string, i: number): { end: number; body: string } | undefined {
  let j = i;
  while (j < text.length && j - i < 3 && /[rRbBuUfF]/.test(text[j])) j++;
  const q = text[j];
  if (q !== '"' && q !== "'") return undefined;
  if (j > i && /[\w$]/.test(text[i - 1] ?? '')) return undefined; // part of a name
  const triple = text.startsWith(q.repeat(3), j);
  const open = triple ? 3 : 1;
  let k = j + open;
  while (k < text.length) {
    const c = text[k];
    if (c === '\\') { k += 2; continue; }
    if (!triple && (c === '\n' || c === '\r')) break; // unterminated: ends at the line
    if (triple ? text.startsWith(q.repeat(3), k) : c === q) return { end: k + open, body: text.slice(j + open, k) };
    k++;
  }
  return { end: k, body: text.slice(j + open, k) };
}

const DEF = /^(?:async\s+)?def\s+([A-Za-z_]\w*)/;
const CLASS = /^class\s+([A-Za-z_]\w*)/;
const ASSIGN = /^([A-Za-z_]\w*)\s*(?::[^=]*)?=(?!=)/;
const TRANSPARENT = /^(if|elif|else|try|except|finally|with)\b/;

export function parsePython(text: string): ParsedOutline {
  const { lines, comments } = pythonLines(text);
  const boilerplate: { from: number; to: number }[] = [];
  const decls: Decl[] = [];
  let all: string[] | undefined;
  let allLine: number | undefined;
  let section: string | undefined;
  let ci = 0;
  const bannerBefore = (line: number) => {
    // comment runs (consecutive lines) before `line` at indent 0
    while (ci < comments.length && comments[ci].line < line) {
      let j = ci;
      while (j + 1 < comments.length && comments[j + 1].line === comments[j].line + 1 && comments[j + 1].line < line) j++;
      const run = comments.slice(ci, j + 1);
      if (run[0].indent === 0) {
        const raw = run.map((c) => c.raw).join('\n');
        if (isLicence(raw)) boilerplate.push({ from: run[0].line, to: run[run.length - 1].line });
        else { const t = bannerTitle(commentLines(raw), raw); if (t) section = t; }
      }
      ci = j + 1;
    }
  };
  const docOf = (idx: number, indent: number): string | undefined => {
    const next = lines[idx + 1];
    if (!next || next.indent <= indent || next.code !== 'S') return undefined;
    return firstSentence(dedent(next.strings[0] ?? ''));
  };
  /** Index of the last logical line of the block opened at idx. */
  const blockEnd = (idx: number): number => {
    const ind = lines[idx].indent;
    let j = idx + 1;
    while (j < lines.length && lines[j].indent > ind) j++;
    return j - 1;
  };
  const isPublic = (name: string) => !name.startsWith('_');

  let header: ParsedOutline['header'];
  let first = true;
  let decorator: number | undefined;
  const visit = (idx: number, indent: number, into: Decl[], members: boolean): number => {
    const l = lines[idx];
    if (l.indent !== indent) return idx;
    if (!members) bannerBefore(l.start);
    const code = l.code;
    if (code.startsWith('@')) { decorator ??= l.start; return idx; }
    const def = DEF.exec(code), cls = CLASS.exec(code);
    const startLine = decorator ?? l.start;
    decorator = undefined;
    if (def || cls) {
      const end = blockEnd(idx);
      const name = (def ?? cls)![1];
      if (members && (!isPublic(name) && name !== '__init__')) return end;
      const d: Decl = {
        name, kind: members ? (name === '__init__' ? 'constructor' : 'method') : def ? 'function' : 'class',
        line: l.start, startLine, endLine: lines[end].end, children: [], doc: docOf(idx, indent),
      };
      if (!d.doc) delete d.doc;
      if (!members) d.group = section;
      if (cls && !members) {
        const body = lines[idx + 1];
        if (body && body.indent > indent) for (let j = idx + 1; j <= end; j++) j = visit(j, body.indent, d.children, true);
        d.children = mergeSameName(d.children);
      }
      into.push(d);
      return end;
    }
    if (members) return idx;
    if (/^(import|from)\s/.test(code)) { boilerplate.push({ from: l.start, to: l.end }); return idx; }
    const a = ASSIGN.exec(code);
    if (a) {
      if (a[1] === '__all__') { all = [...(all ?? []), ...l.strings]; allLine ??= l.start; return idx; }
      if (!a[1].startsWith('__')) into.push({ name: a[1], kind: /^[A-Z][A-Z0-9_]*$/.test(a[1]) ? 'constant' : 'variable', line: l.start, startLine, endLine: l.end, children: [], group: section });
      return idx;
    }
    if (/^__all__\s*(\+=|\.extend\()/.test(code)) { all = [...(all ?? []), ...l.strings]; return idx; }
    if (TRANSPARENT.test(code) && !/^if\s+__name__\s*==/.test(code)) {
      const end = blockEnd(idx);
      const body = lines[idx + 1];
      if (body && body.indent > indent) for (let j = idx + 1; j <= end; j++) j = visit(j, body.indent, into, false);
      return end;
    }
    return idx;
  };
  for (let idx = 0; idx < lines.length; idx++) {
    const l = lines[idx];
    if (first) {
      first = false;
      if (l.code === 'S' && l.indent === 0) {
        const body = dedent(l.strings[0] ?? '').trim();
        bannerBefore(l.start);
        if ((body.match(/[A-Za-z]{2,}/g) ?? []).length >= 4 && !isLicence(body)) header = { text: body, startLine: l.start + 1, endLine: l.end + 1, source: 'docstring' };
        continue;
      }
    }
    if (l.indent !== 0) continue;
    idx = visit(idx, 0, decls, false);
  }
  bannerBefore(Infinity);
  const merged = mergeSameName(decls);
  const exported = all ? new Set(all) : undefined;
  for (const d of merged) d.exported = exported ? exported.has(d.name) : isPublic(d.name);
  // names __all__ exports that the module does not define itself (imported, then re-exported)
  const defined = new Set(merged.map((d) => d.name));
  const imported = (all ?? []).filter((n) => !defined.has(n));
  if (imported.length && allLine !== undefined) {
    merged.push({ name: imported.join(', '), kind: 're-export', doc: 'imported and listed in __all__', exported: true, line: allLine, startLine: allLine, endLine: allLine, children: [] });
    merged.sort((a, b) => a.line - b.line);
  }
  return { language: 'python', decls: merged, header, boilerplate: mergeRanges(boilerplate), exportedNames: all ?? merged.filter((d) => d.exported).map((d) => d.name) };
}

/** A docstring without its common indentation (PEP 257). */
function dedent(s: string): string {
  const lines = s.replace(/\r\n?/g, '\n').split('\n');
  const rest = lines.slice(1).filter((l) => l.trim());
  const ind = rest.length ? Math.min(...rest.map((l) => /^\s*/.exec(l)![0].length)) : 0;
  return [lines[0].trim(), ...lines.slice(1).map((l) => l.slice(ind))].join('\n');
}
