// The outline part of a summary: document symbols from the language's provider, or
// headings found in the text when no provider answers. Pure helpers + one host call.

export interface OutlineEntry {
  name: string;
  kind: string;
  /** 1-based line. */
  line: number;
  depth: number;
}

/** Minimal shapes of vscode.DocumentSymbol / SymbolInformation (kept structural for tests). */
export interface SymbolLike {
  name: string;
  kind: number;
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

/** Kinds worth listing in an outline (no locals, literals or keys). */
const OUTLINE_KINDS = new Set([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 22, 23]);

export function flattenSymbols(symbols: SymbolLike[], maxEntries = 200, maxDepth = 3): OutlineEntry[] {
  const out: OutlineEntry[] = [];
  const walk = (list: SymbolLike[], depth: number) => {
    const sorted = [...list].sort((a, b) => startLine(a) - startLine(b));
    for (const s of sorted) {
      if (out.length >= maxEntries) return;
      if (!OUTLINE_KINDS.has(s.kind)) continue;
      out.push({ name: s.name, kind: KIND_NAMES[s.kind] ?? 'symbol', line: startLine(s) + 1, depth });
      if (s.children && depth + 1 < maxDepth) walk(s.children, depth + 1);
    }
  };
  walk(symbols, 0);
  return out;
}

function startLine(s: SymbolLike): number {
  return s.range?.start.line ?? s.location?.range.start.line ?? 0;
}

/**
 * Headings found in the text: Markdown ATX headings (# ...) and setext headings
 * (underlined with === or ---), reStructuredText-style underlines. Code fences skipped.
 */
export function headingOutline(text: string, maxEntries = 200): OutlineEntry[] {
  const lines = text.split(/\r?\n/);
  const out: OutlineEntry[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length && out.length < maxEntries; i++) {
    const l = lines[i];
    const f = /^\s*(```+|~~~+)/.exec(l);
    if (f) {
      if (!fence) fence = f[1][0];
      else if (f[1][0] === fence) fence = undefined;
      continue;
    }
    if (fence) continue;
    const atx = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(l);
    if (atx) {
      out.push({ name: atx[2], kind: 'heading', line: i + 1, depth: atx[1].length - 1 });
      continue;
    }
    const next = lines[i + 1];
    if (next !== undefined && l.trim() && !/^\s/.test(l) && /^(=+|-+|~+)\s*$/.test(next) && next.trim().length >= Math.min(3, l.trim().length)) {
      out.push({ name: l.trim(), kind: 'heading', line: i + 1, depth: next.trim()[0] === '=' ? 0 : 1 });
      i++;
    }
  }
  return out;
}

const DEFINITION =
  /^(\s*)(?:export\s+)?(?:default\s+)?(?:pub(?:\([^)]*\))?\s+)?(?:public\s+|private\s+|protected\s+|static\s+|abstract\s+)*(?:async\s+)?(class|def|function|interface|struct|enum|trait|impl|fn|func|type|module|namespace)\s+([A-Za-z_$][\w$]*)/;

/** Top-level-ish definitions found by a language-neutral pattern (code without a symbol provider). */
export function definitionOutline(text: string, maxEntries = 200): OutlineEntry[] {
  const out: OutlineEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length && out.length < maxEntries; i++) {
    const m = DEFINITION.exec(lines[i]);
    if (!m) continue;
    const indent = m[1].replace(/\t/g, '    ').length;
    if (indent > 8) continue;
    out.push({ name: m[3], kind: m[2] === 'def' || m[2] === 'fn' || m[2] === 'func' ? 'function' : m[2], line: i + 1, depth: indent === 0 ? 0 : 1 });
  }
  return out;
}

const PROSE_LANGUAGES = new Set(['markdown', 'plaintext', 'restructuredtext', 'asciidoc', 'latex', 'org']);

/** Outline from text alone: headings for prose, definitions for code. */
export function textOutline(text: string, languageId: string): OutlineEntry[] {
  return PROSE_LANGUAGES.has(languageId) ? headingOutline(text) : definitionOutline(text);
}
