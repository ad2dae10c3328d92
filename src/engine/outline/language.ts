// Which outline parser reads a file, by the editor's language id or the file name's extension.
// Kept apart from the parsers so the extension can ask without loading them.
import type { ScriptFlavour } from './tsOutline';

export type OutlineLanguage = ScriptFlavour | 'python' | 'markdown';

const BY_LANGUAGE_ID: Record<string, OutlineLanguage> = {
  typescript: 'ts', typescriptreact: 'tsx', javascript: 'js', javascriptreact: 'jsx',
  python: 'python', markdown: 'markdown', mdx: 'markdown',
};
const BY_EXTENSION: Record<string, OutlineLanguage> = {
  ts: 'ts', mts: 'ts', cts: 'ts', tsx: 'tsx', js: 'js', mjs: 'js', cjs: 'js', jsx: 'jsx',
  py: 'python', pyi: 'python', md: 'markdown', markdown: 'markdown', mdx: 'markdown',
};

/** The outline parser for a file: by the editor's language id first, else by the file name's extension. */
export function outlineLanguage(languageId?: string, fileName?: string): OutlineLanguage | undefined {
  if (languageId && BY_LANGUAGE_ID[languageId]) return BY_LANGUAGE_ID[languageId];
  const ext = /\.([A-Za-z0-9]+)$/.exec(fileName ?? '')?.[1]?.toLowerCase();
  return ext ? BY_EXTENSION[ext] : undefined;
}

