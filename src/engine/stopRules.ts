// Stop rules for inline completions (pure functions over the text generated so far).
//  'line'      : stop at the first newline.
//  'multiline' : stop at a blank line; when a line's indentation returns to the cursor's block
//                (<= its indentation if the cursor line opens a block, < otherwise); or when a
//                line starting with a closing bracket balances the brackets opened since the
//                start of the cursor line (that line is kept). Plus maxLines.

export interface StopContext {
  mode: 'line' | 'multiline';
  /** Text of the cursor line before the cursor. */
  linePrefix: string;
  maxLines?: number;
  tabSize?: number;
}

export interface StopDecision {
  /** Reason when generation must stop; undefined to go on. */
  stop?: 'newline' | 'indent' | 'blank' | 'brackets' | 'max';
  /** The text to keep (the whole text when not stopping). */
  text: string;
}

export function indentWidth(line: string, tabSize = 4): number {
  let w = 0;
  for (const ch of line) {
    if (ch === ' ') w++;
    else if (ch === '\t') w += tabSize - (w % tabSize);
    else break;
  }
  return w;
}

const OPEN = '([{';
const CLOSE = ')]}';

/** Bracket depth change over a text (strings and comments are not parsed: a heuristic). */
export function bracketDelta(s: string): number {
  let d = 0;
  for (const ch of s) {
    if (OPEN.includes(ch)) d++;
    else if (CLOSE.includes(ch)) d--;
  }
  return d;
}

function stripCr(s: string): string { return s.endsWith('\r') ? s.slice(0, -1) : s; }

export function checkStop(text: string, ctx: StopContext): StopDecision {
  const nl = text.indexOf('\n');
  if (ctx.mode === 'line') {
    return nl >= 0 ? { stop: 'newline', text: stripCr(text.slice(0, nl)) } : { text };
  }
  const tab = ctx.tabSize ?? 4;
  const lines = text.split('\n');
  const complete = lines.length - 1; // lines[0..complete-1] end with a newline
  const base = indentWidth(ctx.linePrefix, tab);
  const firstLine = ctx.linePrefix + lines[0];
  const opensBlock = /[:{([]\s*$/.test(stripCr(firstLine)) || /=>\s*$/.test(stripCr(firstLine));
  const keep = (k: number): string => stripCr(lines.slice(0, k).join('\n'));
  let depth = bracketDelta(firstLine);
  for (let k = 1; k < lines.length; k++) {
    const line = stripCr(lines[k]);
    const isComplete = k < complete;
    const content = line.trim();
    if (content === '') {
      if (isComplete) return { stop: 'blank', text: keep(k) };
      continue;
    }
    const ind = indentWidth(line, tab);
    const closer = CLOSE.includes(content[0]);
    const after = depth + bracketDelta(line);
    if (closer && after <= 0 && depth > 0) {
      // the line closing what the cursor line opened is part of the completion
      if (isComplete) return { stop: 'brackets', text: keep(k + 1) };
      if (ind <= base) return { text };
    }
    const dedented = opensBlock ? ind <= base : ind < base;
    if (dedented && !(closer && depth > 0)) return { stop: 'indent', text: keep(k) };
    if (isComplete) depth = after;
  }
  if (ctx.maxLines !== undefined && ctx.maxLines > 0 && complete >= ctx.maxLines) {
    return { stop: 'max', text: keep(ctx.maxLines) };
  }
  return { text };
}
