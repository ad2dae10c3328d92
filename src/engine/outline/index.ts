// A file's outline from the parser of its language: TypeScript/JavaScript (the TypeScript
// compiler's parser), Python (a tokenizer of Python's lexical rules), Markdown (CommonMark's
// block structure). Other languages get none here (the extension asks the editor's symbols).
import { parseMarkdown } from './mdOutline';
import { parsePython } from './pyOutline';
import type { OutlineLanguage } from './language';
import { loadTypeScript, parseScript } from './tsOutline';
import type { ParsedOutline } from './types';

export { buildMap, flatDecls, DEFAULT_CAPS, type MapCaps } from './fileMap';
export { outlineLanguage, type OutlineLanguage } from './language';
export type { Decl, FileHeader, FileMap, MapEntry, MapGroup, ParsedOutline } from './types';

/** Files larger than this are not parsed (the summary has no map then; the reason is logged). */
export const MAX_PARSE_CHARS = 8 * 1024 * 1024;

/** Parses a file's text. Syntax errors never throw (the parsers recover); a file over MAX_PARSE_CHARS does. */
export async function parseOutline(text: string, language: OutlineLanguage): Promise<ParsedOutline> {
  if (text.length > MAX_PARSE_CHARS) throw new Error(`not parsed: ${text.length} characters (limit ${MAX_PARSE_CHARS})`);
  if (language === 'python') return parsePython(text);
  if (language === 'markdown') return parseMarkdown(text);
  return parseScript(await loadTypeScript(), text, language);
}
