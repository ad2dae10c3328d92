// Grounding checks of a generated overview: it is shown only when it reads as prose (enough
// words, mostly letters, no repeated phrases or words) and every identifier it names (a word
// written as code: camelCase, snake_case, dotted, called, or in backticks) exists in the file.

export interface OverviewVerdict { ok: boolean; reason?: string }

const MIN_WORDS = 5;

/** Identifiers named in a text: backticked spans and words shaped like code. */
export function namedIdentifiers(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(/`([^`]+)`/g)) for (const w of m[1].match(/[A-Za-z_$][\w$]*/g) ?? []) out.add(w);
  for (const m of text.replace(/`[^`]*`/g, ' ').matchAll(/[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*(\(\))?/g)) {
    const w = m[0];
    const code = /[a-z][A-Z]/.test(w) || /_/.test(w.replace(/^_+|_+$/g, '')) || w.includes('.') || m[1] !== undefined || /\$/.test(w);
    if (code) for (const part of w.replace(/\(\)$/, '').split('.')) out.add(part);
  }
  return [...out];
}

/** Whether a generated overview may be shown for a file whose text is `fileText`. */
export function checkOverview(overview: string, fileText: string): OverviewVerdict {
  const text = overview.trim();
  const words = text.match(/[A-Za-z][A-Za-z'-]*/g) ?? [];
  if (words.length < MIN_WORDS) return { ok: false, reason: `too short (${words.length} words)` };
  const letters = (text.match(/[A-Za-z\s]/g) ?? []).length;
  if (letters / text.length < 0.75) return { ok: false, reason: 'mostly symbols, not prose' };
  const lower = words.map((w) => w.toLowerCase());
  const distinct = new Set(lower).size;
  if (distinct / lower.length < 0.6) return { ok: false, reason: `repetitive (${distinct} distinct of ${lower.length} words)` };
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= lower.length; i++) {
    const g = lower.slice(i, i + 3).join(' ');
    if (grams.has(g)) return { ok: false, reason: `repeats "${g}"` };
    grams.add(g);
  }
  const fileWords = new Set(fileText.match(/[A-Za-z_$][\w$]*/g) ?? []);
  const missing = namedIdentifiers(text).filter((id) => !fileWords.has(id));
  if (missing.length) return { ok: false, reason: `names identifiers the file does not have: ${missing.slice(0, 5).join(', ')}` };
  return { ok: true };
}
