// Which workspace files go into the exact token index, and in what order. Pure: works on
// paths, sizes and bytes, so that every rule is unit-tested without VS Code.
import ignore, { type Ignore } from 'ignore';

/** The engine's limits for index-only files (src/engine/recall/workspaceFiles.ts; a unit test
 * checks they agree). Checked here first so that such files are never read twice or sent. */
export const MAX_INDEX_FILE_BYTES = 1024 * 1024;
export const MINIFIED_LINE_BYTES = 1000;
export const MINIFIED_MEAN_LINE = 200;
/** Bytes of a file's start searched for NUL bytes (binary). */
export const SNIFF_BYTES = 64 * 1024;
/** Bytes per token assumed before any is measured (the budget is counted before sending). */
export const BYTES_PER_TOKEN = 3.2;
/** Bytes measured before the learned ratio replaces BYTES_PER_TOKEN. */
export const MIN_MEASURED_BYTES = 64 * 1024;

export function approxTokens(bytes: number, bytesPerToken = BYTES_PER_TOKEN): number {
  return Math.ceil(bytes / bytesPerToken);
}

/**
 * Bytes per token of this workspace, learned from the engine's index size before and after
 * each batch of new files (the tokenizer's real rate differs by language and style).
 */
export class TokenRate {
  private bytes = 0;
  private tokens = 0;

  /** A batch of new files (`bytes` read) grew the index by `tokens`; other changes (<= 0) are ignored. */
  observe(bytes: number, tokens: number): void {
    if (!(bytes > 0 && tokens > 0)) return;
    this.bytes += bytes;
    this.tokens += tokens;
  }

  get bytesPerToken(): number {
    if (this.bytes < MIN_MEASURED_BYTES) return BYTES_PER_TOKEN;
    return Math.min(8, Math.max(1.5, this.bytes / this.tokens));
  }
}

/** Lower-case extension without the dot; undefined for none and for dotfiles (".gitignore"). */
export function fileExtension(filePath: string): string | undefined {
  const base = filePath.slice(filePath.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return undefined;
  return base.slice(dot + 1).toLowerCase();
}

/** The extensions of the open documents' paths, sorted, each once. */
export function languageExtensions(paths: Iterable<string>): string[] {
  const exts = new Set<string>();
  for (const p of paths) {
    const e = fileExtension(p);
    if (e) exts.add(e);
  }
  return [...exts].sort();
}

/** Escapes glob syntax in a literal (an extension, a path): each special character in brackets. */
export function escapeGlob(literal: string): string {
  return literal.replace(/[[\]{}*?!,]/g, (c) => `[${c}]`);
}

/** The files of those extensions and the .gitignore files, in one glob: one file search (each search
 * spawns a process, synchronously on the extension host's thread: 10-30 ms each, measured). */
export function includeWithIgnoresGlob(exts: string[]): string | undefined {
  if (exts.length === 0) return undefined;
  return `**/{${exts.map((e) => `*.${escapeGlob(e)}`).join(',')},.gitignore}`;
}

/** Always left out, whatever the settings say. */
export const ALWAYS_EXCLUDED = ['**/.git', '**/.hg', '**/.svn'];

/**
 * One exclude glob from `files.exclude` and `search.exclude` (patterns set to true; a
 * `{ when }` condition about sibling files is not evaluated and counts as not excluded).
 */
export function excludeGlob(...settings: (Record<string, unknown> | undefined)[]): string {
  const patterns = new Set(ALWAYS_EXCLUDED);
  for (const s of settings) for (const [pattern, on] of Object.entries(s ?? {})) if (on === true && pattern.trim()) patterns.add(pattern.trim());
  return `{${[...patterns].join(',')}}`;
}

/** The .gitignore files of one workspace folder, each applying to its own directory and below. */
export class GitIgnores {
  private readonly rules = new Map<string, Ignore>();

  /** dir: the .gitignore's directory relative to the folder ('' for the root), '/'-separated. */
  add(dir: string, content: string): void {
    const key = dir.replace(/^\/+|\/+$/g, '');
    const ig = this.rules.get(key) ?? ignore();
    ig.add(content);
    this.rules.set(key, ig);
  }

  get size(): number {
    return this.rules.size;
  }

  /** relPath: a file relative to the folder, '/'-separated. */
  ignores(relPath: string): boolean {
    for (const [dir, ig] of this.rules) {
      if (dir === '') {
        if (ig.ignores(relPath)) return true;
      } else if (relPath.startsWith(dir + '/') && ig.ignores(relPath.slice(dir.length + 1))) {
        return true;
      }
    }
    return false;
  }
}

/** Why a file's bytes are not indexed (binary, minified, too large), or undefined when they are fine. */
export function contentProblem(bytes: Uint8Array): string | undefined {
  if (bytes.length > MAX_INDEX_FILE_BYTES) return `over ${MAX_INDEX_FILE_BYTES >> 20} MiB`;
  const sniff = Math.min(bytes.length, SNIFF_BYTES);
  for (let i = 0; i < sniff; i++) if (bytes[i] === 0) return 'binary (NUL bytes)';
  let lines = 0;
  let longest = 0;
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    longest = Math.max(longest, i + 1 - start);
    start = i + 1;
    lines++;
  }
  if (start < bytes.length) {
    longest = Math.max(longest, bytes.length - start);
    lines++;
  }
  if (longest > MINIFIED_LINE_BYTES) return `minified (a line of ${longest} bytes)`;
  if (lines > 0 && bytes.length / lines > MINIFIED_MEAN_LINE) return `minified (${Math.round(bytes.length / lines)} bytes per line)`;
  return undefined;
}

function dirSegments(p: string): string[] {
  const parts = p.split('/').filter(Boolean);
  parts.pop();
  return parts;
}

function segmentDistance(da: string[], db: string[]): number {
  let common = 0;
  while (common < da.length && common < db.length && da[common] === db[common]) common++;
  return da.length - common + (db.length - common);
}

/** Directory steps between two files' folders (0: same folder; paths '/'-separated). */
export function directoryDistance(a: string, b: string): number {
  return segmentDistance(dirSegments(a), dirSegments(b));
}

export interface Candidate {
  /** The engine's document id (the URI string). */
  id: string;
  /** Path for ordering: the workspace folder's name, then the path inside it ('/'-separated). */
  path: string;
  size: number;
}

export interface IndexPlan {
  /** Files to index, nearest to the open documents first (open ones included: they count too). */
  chosen: Candidate[];
  /** Approximate tokens of the chosen files. */
  tokens: number;
  /** Files left out because the budget was spent. */
  overBudget: number;
  /** Files over MAX_INDEX_FILE_BYTES (never read). */
  tooLarge: number;
}

/**
 * Chooses the files within the token budget, nearest (in directory steps) to an open document
 * first, then by path; a file that does not fit is skipped and smaller ones after it may fit.
 * `openPaths` are the open documents' paths in the same form as Candidate.path; tokens are
 * counted as size / bytesPerToken.
 */
export function planIndex(candidates: Candidate[], budgetTokens: number, openPaths: string[], bytesPerToken = BYTES_PER_TOKEN): IndexPlan {
  const openDirs = openPaths.map(dirSegments);
  // files share directories: one distance per directory
  const byDir = new Map<string, number>();
  const near = (c: Candidate) => {
    const dir = c.path.slice(0, c.path.lastIndexOf('/') + 1);
    let best = byDir.get(dir);
    if (best === undefined) {
      const d = dirSegments(c.path);
      best = openDirs.length ? Infinity : 0;
      for (const o of openDirs) best = Math.min(best, segmentDistance(d, o));
      byDir.set(dir, best);
    }
    return best;
  };
  const ranked = candidates
    .filter((c) => c.size <= MAX_INDEX_FILE_BYTES)
    .map((c) => ({ c, d: near(c) }))
    .sort((x, y) => x.d - y.d || (x.c.path < y.c.path ? -1 : x.c.path > y.c.path ? 1 : 0));
  const chosen: Candidate[] = [];
  let tokens = 0;
  let overBudget = 0;
  for (const { c } of ranked) {
    const t = approxTokens(c.size, bytesPerToken);
    if (tokens + t > budgetTokens) {
      overBudget++;
      continue;
    }
    chosen.push(c);
    tokens += t;
  }
  return { chosen, tokens, overBudget, tooLarge: candidates.length - ranked.length };
}
