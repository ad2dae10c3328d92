// The map of a summary for languages the engine has no parser for: the language's document
// symbols (VS Code's DocumentSymbol / SymbolInformation), turned into the engine's FileMap
// shape with the same caps. Pure (structural shapes, so it is unit-tested without VS Code).
import type { FileMap, MapEntry } from '../../engine/types';

/** Minimal shapes of vscode.DocumentSymbol / SymbolInformation (kept structural for tests). */
export interface SymbolLike {
  name: string;
  kind: number;
  detail?: string;
  range?: { start: { line: number } };
  location?: { range: { start: { line: number } } };
  children?: SymbolLike[];
}

/** vscode.SymbolKind numeric values to words (the enum is stable API). */
const KIND_NAMES = [
  'file', 'module', 'namespace', 'package', 'class', 'method', 'property', 'field', 'constructor', 'enum',
  'interface', 'function', 'variable', 'constant', 'string', 'number', 'boolean', 'array', 'object', 'key',
  'null', 'enum member', 'struct', 'event', 'operator', 'type parameter',
];

/** Kinds of a top-level declaration (no literals, keys, or type parameters). */
const TOP_KINDS = new Set([1, 2, 3, 4, 5, 8, 9, 10, 11, 12, 13, 22, 23]);
/** Kinds of a member worth listing (no locals: variables inside functions are left out). */
const MEMBER_KINDS = new Set([4, 5, 6, 7, 8, 9, 10, 21, 22, 23]);
/** Names language servers give to anonymous things ("<function>", "Array.from() callback", "(anonymous)"). */
const ANONYMOUS = /^<.*>$|\bcallback$|^\(anonymous|^anonymous\b|^\s*$/i;

export interface SymbolCaps { top: number; children: number; total: number }
const CAPS: SymbolCaps = { top: 200, children: 8, total: 320 };

function startLine(s: SymbolLike): number {
  return s.range?.start.line ?? s.location?.range.start.line ?? 0;
}

const byLine = (a: SymbolLike, b: SymbolLike) => startLine(a) - startLine(b);
const named = (s: SymbolLike) => !ANONYMOUS.test(s.name);

/** A FileMap from document symbols: top-level declarations and their members (one level), capped. */
export function symbolsMap(symbols: SymbolLike[], caps: SymbolCaps = CAPS): FileMap | undefined {
  // a file-level container (a module symbol spanning the file) is the file itself
  let list = symbols;
  if (list.length === 1 && (list[0].kind === 0 || list[0].kind === 1) && list[0].children?.length) list = list[0].children;
  const top = list.filter((s) => TOP_KINDS.has(s.kind) && named(s)).sort(byLine);
  if (top.length === 0) return undefined;
  const shown = top.slice(0, caps.top);
  const withMembers = top.length <= caps.top;
  let budget = caps.total - shown.length;
  const entries: MapEntry[] = [];
  const kindOf = (s: SymbolLike) => KIND_NAMES[s.kind] ?? 'symbol';
  for (const s of shown) {
    const e: MapEntry = { name: s.name, kind: kindOf(s), line: startLine(s) + 1, depth: 0 };
    entries.push(e);
    const kids = withMembers ? (s.children ?? []).filter((c) => MEMBER_KINDS.has(c.kind) && named(c)).sort(byLine) : [];
    const n = Math.max(0, Math.min(kids.length, caps.children, budget));
    budget -= n;
    for (const c of kids.slice(0, n)) entries.push({ name: c.name, kind: kindOf(c), line: startLine(c) + 1, depth: 1 });
    if (kids.length > n) e.moreChildren = kids.length - n;
  }
  const count = (xs: SymbolLike[]) => xs.reduce<Record<string, number>>((m, s) => ((m[kindOf(s)] = (m[kindOf(s)] ?? 0) + 1), m), {});
  const left = top.slice(shown.length);
  return {
    source: 'symbols', groupedBy: 'none', groups: [{ entries }], total: top.length, shown: shown.length,
    more: left.length, moreByKind: count(left), byKind: count(top),
  };
}
