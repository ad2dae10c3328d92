// Which documents CAT works on, and why not. Pure: works on numbers and text samples so
// the checks run before the whole text of a huge document is ever materialised.

export type DocumentVerdict =
  | { ok: true; note?: string }
  | { ok: false; reason: 'binary' | 'tooLarge' | 'scheme'; message: string };

/** Schemes of VS Code's own panels and of our summaries: never tracked, never completed. */
const INTERNAL_SCHEMES = new Set(['output', 'debug', 'vscode', 'comment', 'walkThrough', 'walkThroughSnippet', 'search-editor', 'cat-summary']);

export function isInternalScheme(scheme: string): boolean {
  return INTERNAL_SCHEMES.has(scheme) || scheme.startsWith('vscode-');
}

/** How much of a document's start is inspected for binary content. */
export const SAMPLE_CHARS = 64 * 1024;

/** Lines longer than this are treated as minified/generated: no inline completion there. */
export const MAX_COMPLETION_LINE_CHARS = 20_000;

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KB`;
  return `${n} B`;
}

/**
 * Classify a document from its scheme, its length in characters and a sample of its
 * first SAMPLE_CHARS characters (the editor's decoded text).
 */
export function classifyDocument(scheme: string, length: number, sample: string, maxBytes: number): DocumentVerdict {
  if (isInternalScheme(scheme)) {
    return { ok: false, reason: 'scheme', message: `'${scheme}' documents are not handled by CAT` };
  }
  if (length > maxBytes) {
    return {
      ok: false,
      reason: 'tooLarge',
      message: `file is too large for CAT (${formatBytes(length)} > cat.maxFileSizeKB = ${formatBytes(maxBytes)})`,
    };
  }
  const head = sample.length > SAMPLE_CHARS ? sample.slice(0, SAMPLE_CHARS) : sample;
  if (head.includes('\u0000')) {
    return { ok: false, reason: 'binary', message: 'binary file (contains NUL bytes): CAT is off for it' };
  }
  let replaced = 0;
  for (let i = head.indexOf('\uFFFD'); i !== -1; i = head.indexOf('\uFFFD', i + 1)) replaced++;
  if (head.length > 0 && replaced / head.length > 0.1) {
    return { ok: false, reason: 'binary', message: 'not text: mostly bytes that are not valid UTF-8 (CAT is off for it)' };
  }
  if (replaced > 0) {
    return { ok: true, note: `${replaced} byte sequence(s) are not valid UTF-8 (the model sees U+FFFD for them)` };
  }
  return { ok: true };
}
