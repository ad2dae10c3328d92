// Index-only documents (workspace files that are not open): checked like open documents, plus
// the limits of the workspace index (huge and minified files are left out), then tokenized per
// line through the tokenizer's line cache into the same DocTokens layout the index reads.
import type { DocTokens } from '../docTokens';
import { checkDocument, DEFAULT_DOCUMENT_LIMITS } from '../documents';
import type { DocTokenizer } from '../tokenizer';
import { drain, type Steps } from '../steps';
import type { DocumentCheck } from '../types';
import { lineStarts } from '../utf8';

/** Workspace files over this size are not indexed. */
export const MAX_INDEX_FILE_BYTES = 1024 * 1024;
/** Minified: a line over this many bytes, or a mean line length over MINIFIED_MEAN_LINE. */
export const MINIFIED_LINE_BYTES = 1000;
export const MINIFIED_MEAN_LINE = 200;

/** Lines tokenized between pause points. */
const LINES_A_STEP = 64;

export interface WorkspaceTokens { check: DocumentCheck; tokens?: DocTokens }

export function workspaceTokens(bytes: Uint8Array, tok: DocTokenizer): WorkspaceTokens {
  return drain(workspaceTokenSteps(bytes, tok));
}

/** workspaceTokens as steps (steps.ts): it may pause every LINES_A_STEP lines. */
export function* workspaceTokenSteps(bytes: Uint8Array, tok: DocTokenizer): Steps<WorkspaceTokens> {
  if (bytes.length > MAX_INDEX_FILE_BYTES) return { check: { ok: false, reason: `over ${MAX_INDEX_FILE_BYTES >> 20} MiB: not indexed` } };
  const starts = lineStarts(bytes);
  const check = checkDocument(bytes, starts, DEFAULT_DOCUMENT_LIMITS, 1 << 20);
  if (!check.ok) return { check };
  let longest = 0;
  for (let i = 0; i < starts.length; i++) longest = Math.max(longest, (i + 1 < starts.length ? starts[i + 1] : bytes.length) - starts[i]);
  if (longest > MINIFIED_LINE_BYTES || (starts.length > 0 && bytes.length / starts.length > MINIFIED_MEAN_LINE)) {
    return { check: { ok: false, reason: `minified (a line of ${longest} bytes): not indexed` } };
  }
  const parts: Int32Array[] = [];
  const ls = new Int32Array(starts.length + 1);
  let total = 0;
  for (let i = 0; i < starts.length; i++) {
    if (i % LINES_A_STEP === LINES_A_STEP - 1) yield;
    const ids = tok.encodeLine(bytes.subarray(starts[i], i + 1 < starts.length ? starts[i + 1] : bytes.length));
    ls[i] = total;
    parts.push(ids);
    total += ids.length;
  }
  ls[starts.length] = total;
  const ids = new Int32Array(total);
  let o = 0;
  for (const p of parts) { ids.set(p, o); o += p.length; }
  return { check, tokens: { ids, lineStarts: ls } };
}
