// Post-processing of raw model suggestions before they are shown as ghost text. Pure.

export interface SuggestionContext {
  mode: 'line' | 'multiline';
  /** Text after the cursor on the cursor's line. */
  lineSuffix: string;
  /** The document lines after the cursor's line (a few are enough). */
  followingLines: string[];
  maxLines: number;
}

const OPEN = '([{';
const CLOSE = ')]}';
const PAIR: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

export function trimTrailingWhitespace(text: string): string {
  return text
    .split('\n')
    .map((l) => l.replace(/[ \t\r]+$/, ''))
    .join('\n')
    .replace(/\s+$/, '');
}

export function isBlank(text: string): boolean {
  return text.trim().length === 0;
}

export function limitLines(text: string, maxLines: number): string {
  const lines = text.split('\n');
  return lines.length <= maxLines ? text : lines.slice(0, Math.max(1, maxLines)).join('\n');
}

/**
 * True when the suggestion only repeats what already follows the cursor: the rest of the
 * line, or (multi-line) the next non-empty lines of the document.
 */
export function repeatsFollowingText(text: string, lineSuffix: string, followingLines: string[]): boolean {
  const t = text.trim();
  if (!t) return true;
  const suffix = lineSuffix.trim();
  if (suffix && !text.includes('\n') && suffix.startsWith(t)) return true;
  const sugg = text
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  if (sugg.length === 0) return false;
  const next = followingLines.map((l) => l.trim()).filter((l) => l.length > 0).slice(0, sugg.length);
  return next.length === sugg.length && next.every((l, i) => l === sugg[i]);
}

/** Bracket depth bookkeeping that skips brackets inside simple string literals. */
function scanBrackets(
  text: string,
  onClose: (index: number, ch: string, matched: boolean, stackEmpty: boolean) => boolean,
  onLineEnd?: (index: number, depth: number) => void,
): void {
  const stack: string[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '\n') {
      quote = quote === '`' ? quote : undefined;
      onLineEnd?.(i, stack.length);
      continue;
    }
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      quote = ch;
    } else if (OPEN.includes(ch)) {
      stack.push(ch);
    } else if (CLOSE.includes(ch)) {
      const top = stack.at(-1);
      const matched = top === PAIR[ch];
      if (!onClose(i, ch, matched, stack.length === 0)) return;
      if (matched) stack.pop();
    }
  }
  onLineEnd?.(text.length, stack.length);
}

/**
 * Keep brackets balanced:
 * - cut at a closing bracket that does not match the innermost bracket opened by the
 *   suggestion (a mismatch), or that closes an outer bracket the line already closes
 *   after the cursor (the editor auto-closed it);
 * - multi-line: drop trailing lines that leave a block opened by the suggestion unclosed,
 *   keeping at least the first line.
 */
export function balanceBrackets(text: string, mode: 'line' | 'multiline', lineSuffix: string): string {
  let cut = text.length;
  const suffixClosers = lineSuffix.replace(/[^)\]}]/g, '');
  scanBrackets(text, (i, ch, matched, stackEmpty) => {
    if (matched) return true;
    if (!stackEmpty || suffixClosers.includes(ch)) {
      cut = i;
      return false;
    }
    return true; // closes a bracket opened before the cursor: allowed
  });
  let out = text.slice(0, cut);
  if (mode === 'multiline' && out.includes('\n')) {
    let lastBalancedEnd = -1;
    let firstLineEnd = -1;
    scanBrackets(
      out,
      () => true,
      (index, depth) => {
        if (firstLineEnd < 0) firstLineEnd = index;
        if (depth === 0) lastBalancedEnd = index;
      },
    );
    const keep = lastBalancedEnd >= 0 ? lastBalancedEnd : firstLineEnd;
    out = out.slice(0, Math.max(keep, firstLineEnd));
  }
  return out;
}

/** The whole pipeline: returns the text to show, or undefined to show nothing. */
export function postProcess(raw: string, ctx: SuggestionContext): string | undefined {
  let text = raw.replace(/\r\n/g, '\n');
  if (ctx.mode === 'line') {
    const nl = text.indexOf('\n');
    if (nl >= 0) text = text.slice(0, nl);
  } else {
    text = limitLines(text, ctx.maxLines);
  }
  text = balanceBrackets(text, ctx.mode, ctx.lineSuffix);
  text = trimTrailingWhitespace(text);
  if (isBlank(text)) return undefined;
  if (repeatsFollowingText(text, ctx.lineSuffix, ctx.followingLines)) return undefined;
  return text;
}
