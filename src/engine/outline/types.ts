// Shapes of a file's outline: the declarations a language parser found (with the ranges that
// key passages are cut at), the file's own header, and the capped map a summary shows.

/** A declaration found by a language parser. Lines are 0-based. */
export interface Decl {
  name: string;
  /** 'function', 'class', 'interface', 'type', 'enum', 'namespace', 'const', 'variable', 'method', 'property', 'heading', … */
  kind: string;
  /** First line of the declaration itself (its name line; decorators included). */
  line: number;
  /** First line of its leading doc comment (or `line`). Passages start here. */
  startLine: number;
  endLine: number;
  /** First sentence of its doc comment or docstring. */
  doc?: string;
  exported?: boolean;
  /** The section banner it comes under. */
  group?: string;
  /** Its `@category` / `@group` doc tag. */
  category?: string;
  /** How many declarations of this name were merged into this one (overloads, interface + var). */
  merged?: number;
  /** A heading's level (Markdown), 1-based. */
  level?: number;
  children: Decl[];
}

/** What a language parser returns. */
export interface ParsedOutline {
  language: string;
  decls: Decl[];
  header?: FileHeader;
  /** Lines (0-based, inclusive ranges) that are boilerplate: licence headers, import blocks. */
  boilerplate: { from: number; to: number }[];
  /** Names exported by the file (export lists, `module.exports`, `__all__`). */
  exportedNames: string[];
}

/** The file's own description, quoted as the file's words. */
export interface FileHeader {
  text: string;
  /** 1-based inclusive lines. */
  startLine: number;
  endLine: number;
  /** 'doc comment', 'docstring', 'first paragraph'. */
  source: string;
}

/** One line of the map: a declaration or heading, with its members. */
export interface MapEntry {
  name: string;
  kind: string;
  /** 1-based line (the link target). */
  line: number;
  doc?: string;
  exported?: boolean;
  merged?: number;
  depth: number;
  /** Members left out under this entry by the caps. */
  moreChildren?: number;
}

export interface MapGroup {
  /** Section title, category or heading; undefined for declarations before any. */
  title?: string;
  entries: MapEntry[];
}

/** The map of a file as a summary shows it (capped). */
export interface FileMap {
  /** The parser it came from: 'typescript', 'javascript', 'python', 'markdown', or 'symbols' (the editor's). */
  source: string;
  /** How the groups were made: 'category', 'section', 'heading', or 'none'. */
  groupedBy: string;
  groups: MapGroup[];
  /** Top-level declarations in the file and how many of them are shown. */
  total: number;
  shown: number;
  /** Top-level declarations left out by the caps (the "N more" line), by kind. */
  more: number;
  moreByKind: Record<string, number>;
  /** Top-level declarations by kind, over the whole file. */
  byKind: Record<string, number>;
}
