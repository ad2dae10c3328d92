// Benchmark text: real source code that is always installed (TypeScript's own compiler,
// a devDependency), cut into documents of a given token count or line count.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DocTokenizer } from '../engine/tokenizer';

export function benchSource(): { name: string; text: string } {
  const candidates = ['typescript/lib/typescript.js', 'typescript/lib/_tsc.js', 'typescript/lib/lib.dom.d.ts'];
  for (const c of candidates) {
    try {
      const file = require.resolve(c);
      return { name: path.relative(process.cwd(), file), text: fs.readFileSync(file, 'utf8') };
    } catch {
      // try the next one
    }
  }
  // fallback: this repository's own sources, repeated
  const root = path.resolve(__dirname, '..', '..', 'src');
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const f of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, f.name);
      if (f.isDirectory()) walk(p); else if (f.name.endsWith('.ts')) parts.push(fs.readFileSync(p, 'utf8'));
    }
  };
  walk(root);
  return { name: 'src/**/*.ts (repeated)', text: parts.join('\n').repeat(40) };
}

/** The first lines of `text` holding at least `tokens` tokens (whole lines), and their token count. */
export function textOfTokens(text: string, tok: DocTokenizer, tokens: number): { text: string; tokens: number; lines: number } {
  let count = 0;
  let pos = 0;
  let lines = 0;
  while (count < tokens && pos < text.length) {
    let end = text.indexOf('\n', pos);
    end = end < 0 ? text.length : end + 1;
    count += tok.encodeText(text.slice(pos, end)).length;
    pos = end;
    lines++;
  }
  if (count < tokens) {
    // the source is shorter than asked: repeat it
    const again = textOfTokens(text, tok, tokens - count);
    return { text: text.slice(0, pos) + again.text, tokens: count + again.tokens, lines: lines + again.lines };
  }
  return { text: text.slice(0, pos), tokens: count, lines };
}

/** The first `n` lines of text (repeated when shorter). */
export function textOfLines(text: string, n: number): string {
  const out: string[] = [];
  const lines = text.split('\n');
  while (out.length < n) out.push(...lines.slice(0, n - out.length));
  return `${out.join('\n')}\n`;
}
