// Where key passages are cut: at declaration boundaries when a parser gave the file's outline
// (one top-level declaration, with its doc comment, per passage; a large class split at its
// members; small neighbours merged), else at blank lines. The file's header, licence headers
// and import blocks are never passages.
import type { Decl, ParsedOutline } from './outline/types';

export interface PassageUnit {
  /** 0-based inclusive lines. */
  startLine: number;
  endLine: number;
  /** What it holds ("function foo", "class Bar", "section Install"), when it is one declaration. */
  label?: string;
  exported?: boolean;
}

export interface UnitSizing {
  /** Tokens of lines from..to (0-based inclusive). */
  tokens(from: number, to: number): number;
  isBlank(line: number): boolean;
  lineCount: number;
  minTokens: number;
  maxTokens: number;
}

/** Splits lines from..to at blank lines into pieces of minTokens..maxTokens tokens. */
export function blankLineUnits(from: number, to: number, s: UnitSizing, label?: string): PassageUnit[] {
  const out: PassageUnit[] = [];
  let start = from;
  for (let i = from; i <= to; i++) {
    const t = s.tokens(start, i);
    const cut = i === to || t >= s.maxTokens || (t >= s.minTokens && (s.isBlank(i) || s.isBlank(i + 1)));
    if (!cut) continue;
    const u = trim({ startLine: start, endLine: i }, s);
    if (u) out.push(out.length === 0 && label ? { ...u, label } : u);
    start = i + 1;
  }
  return out;
}

function trim(u: PassageUnit, s: UnitSizing): PassageUnit | undefined {
  let a = u.startLine, b = u.endLine;
  while (a <= b && s.isBlank(a)) a++;
  while (b >= a && s.isBlank(b)) b--;
  return a <= b ? { ...u, startLine: a, endLine: b } : undefined;
}

const labelOf = (d: Decl, parent?: Decl) => (d.kind === 'heading' ? `section ${d.name}` : `${d.kind.split(' + ')[0]} ${parent ? `${parent.name}.` : ''}${d.name}`);

/** A declaration as passages: whole when it fits, else its head and its members (or blank-line pieces). */
function declUnits(d: Decl, s: UnitSizing, parent?: Decl): PassageUnit[] {
  const from = Math.min(d.startLine, d.line), to = Math.min(d.endLine, s.lineCount - 1);
  if (to < from) return [];
  const label = labelOf(d, parent);
  if (s.tokens(from, to) <= s.maxTokens) { const u = trim({ startLine: from, endLine: to, label, exported: d.exported }, s); return u ? [u] : []; }
  const kids = d.children.filter((c) => c.startLine > from && c.endLine <= to).sort((a, b) => a.startLine - b.startLine);
  if (kids.length === 0) return blankLineUnits(from, to, s, label).map((u) => ({ ...u, exported: d.exported }));
  const out: PassageUnit[] = [];
  let cursor = from;
  for (const k of kids) {
    if (k.startLine > cursor) out.push(...blankLineUnits(cursor, k.startLine - 1, s, cursor === from ? label : undefined).map((u) => ({ ...u, exported: d.exported })));
    out.push(...declUnits(k, s, d.kind === 'heading' ? undefined : d));
    cursor = Math.max(cursor, k.endLine + 1);
  }
  if (cursor <= to) out.push(...blankLineUnits(cursor, to, s));
  return out;
}

/** Removes lines inside `cut` ranges from a unit (it may split in two). */
function without(u: PassageUnit, cut: { from: number; to: number }[], s: UnitSizing): PassageUnit[] {
  let parts: PassageUnit[] = [u];
  for (const c of cut) {
    parts = parts.flatMap((p) => {
      if (c.to < p.startLine || c.from > p.endLine) return [p];
      const out: PassageUnit[] = [];
      if (c.from > p.startLine) out.push({ ...p, endLine: c.from - 1 });
      if (c.to < p.endLine) out.push({ ...p, startLine: c.to + 1, label: c.from > p.startLine ? undefined : p.label });
      return out;
    });
  }
  return parts.map((p) => trim(p, s)).filter((p): p is PassageUnit => p !== undefined);
}

/** Passage units of a file: declaration-aligned with an outline, else blank-line pieces. */
export function passageUnits(outline: ParsedOutline | undefined, s: UnitSizing): PassageUnit[] {
  const last = s.lineCount - 1;
  if (last < 0) return [];
  const cut = [...(outline?.boilerplate ?? [])];
  if (outline?.header) cut.push({ from: outline.header.startLine - 1, to: outline.header.endLine - 1 });
  if (!outline || outline.decls.length === 0) return blankLineUnits(0, last, s).flatMap((u) => without(u, cut, s));
  const decls = [...outline.decls].sort((a, b) => a.startLine - b.startLine);
  const units: PassageUnit[] = [];
  let cursor = 0;
  for (const d of decls) {
    const from = Math.min(d.startLine, d.line);
    if (from < cursor) continue; // nested in the previous one (merged declarations)
    if (from > cursor) units.push(...blankLineUnits(cursor, from - 1, s));
    units.push(...declUnits(d, s));
    cursor = Math.max(cursor, d.endLine + 1);
  }
  if (cursor <= last) units.push(...blankLineUnits(cursor, last, s));
  return mergeSmall(units.flatMap((u) => without(u, cut, s)), s);
}

/** Neighbouring units under minTokens are merged (up to maxTokens), keeping the first one's label. */
function mergeSmall(units: PassageUnit[], s: UnitSizing): PassageUnit[] {
  const out: PassageUnit[] = [];
  for (const u of units) {
    const prev = out[out.length - 1];
    if (prev && s.tokens(prev.startLine, prev.endLine) < s.minTokens && s.tokens(prev.startLine, u.endLine) <= s.maxTokens && u.startLine > prev.endLine) {
      out[out.length - 1] = { startLine: prev.startLine, endLine: u.endLine, label: prev.label ?? u.label, exported: prev.exported || u.exported };
    } else out.push(u);
  }
  return out;
}
