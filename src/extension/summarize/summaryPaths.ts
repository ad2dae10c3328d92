// Where a summary file goes and how it links back to its source. Pure (URI paths in, strings
// out) so that the link arithmetic is unit-tested without VS Code.
//
// VS Code's Markdown preview refuses `file:` link destinations, but follows scheme-less ones,
// resolving them against the Markdown document's own URI when clicked (a `#L<n>` fragment
// opens line n). Summaries are therefore written as real files and link to their source by
// a path relative to the summary's folder, which resolves the same way in the editor.
import { createHash } from 'node:crypto';
import * as path from 'node:path';

/** Characters that are not allowed, or are awkward, in a file name on some platform. */
const UNSAFE_NAME = /[\\/:*?"<>|#%]/g;

function safeName(title: string): string {
  const name = [...title].map((c) => (c.charCodeAt(0) < 0x20 ? '_' : c)).join('').replace(UNSAFE_NAME, '_');
  return name.replace(/[. ]+$/, '').slice(0, 120) || 'document';
}

/**
 * The summary's path relative to the summaries folder: one folder per source (a hash of its
 * URI, so two `index.ts` never share a summary), holding `Summary of <name>.md`.
 */
export function summaryRelPath(sourceUri: string, title: string): string {
  const key = createHash('sha256').update(sourceUri).digest('hex').slice(0, 12);
  return `${key}/Summary of ${safeName(title)}.md`;
}

/**
 * A relative link (no scheme, no fragment) from a folder to a file, both given as URI paths
 * (`vscode.Uri.path`: `/`-separated, `/c:/…` on Windows). Each segment is percent-encoded, so
 * spaces, `#`, `%`, `(`… and a drive letter's `:` survive Markdown and URI parsing. Never
 * starts with `/` (the preview would join that with a workspace folder).
 */
export function relativeHref(fromDir: string, toPath: string): string {
  const rel = path.posix.relative(fromDir, toPath) || path.posix.basename(toPath);
  return rel
    .split('/')
    .map((s) => (s === '..' || s === '.' ? s : encodeURIComponent(s).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)))
    .join('/');
}

/**
 * Which summary folders to delete so that at most `keep` remain: the least recently written
 * first, never one whose summary is open (those count towards `keep` all the same).
 */
export function foldersToPrune(folders: { name: string; mtime: number; open: boolean }[], keep: number): string[] {
  const excess = folders.length - keep;
  if (excess <= 0) return [];
  return folders
    .filter((f) => !f.open)
    .sort((a, b) => a.mtime - b.mtime)
    .slice(0, excess)
    .map((f) => f.name);
}
