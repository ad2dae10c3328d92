// In-context recall: an identifier defined early in a long file and used late. The model must
// complete the rest of the identifier after seeing its first word, at a chosen token distance.
import { rng } from './heldout';

const SYLLABLES = ['zor', 'vel', 'taq', 'uin', 'bri', 'sko', 'mep', 'rax', 'dul', 'fen', 'gry', 'hob', 'jex', 'kir', 'lom', 'nuv', 'pyx', 'qua', 'sil', 'tro', 'wem', 'yad'];

export interface RecallCase {
  text: string;
  expected: string;
  distanceTokens: number;
}

function word(r: () => number, syll: number): string {
  let w = '';
  for (let i = 0; i < syll; i++) w += SYLLABLES[Math.floor(r() * SYLLABLES.length)];
  return w;
}

/**
 * Build cases at a token distance. `filler` is real held-out code; `countTokens` measures the
 * distance exactly with the model's tokenizer.
 */
export function recallCases(filler: string, distance: number, n: number, seed: number,
  countTokens: (s: string) => number): RecallCase[] {
  const r = rng(seed);
  const fillerLines = filler.split('\n');
  const out: RecallCase[] = [];
  for (let c = 0; c < n; c++) {
    const head = word(r, 2);
    const tail = word(r, 2);
    const name = `${head}${tail[0].toUpperCase()}${tail.slice(1)}`;
    const def = `export function ${name}(items, options) {\n  return items.map((x) => x + options.offset);\n}\n\n`;
    let start = Math.floor(r() * fillerLines.length);
    const body: string[] = [];
    let tokens = 0;
    while (tokens < distance) {
      const line = fillerLines[start % fillerLines.length] + '\n';
      start++;
      body.push(line);
      tokens += countTokens(line);
    }
    const use = `\nconst shifted = ${head}`;
    out.push({ text: def + body.join('') + use, expected: name.slice(head.length), distanceTokens: tokens });
  }
  return out;
}

/**
 * Recall gain: the use line `const shifted = NAME(items, options);` is scored twice, after the
 * distant definition of NAME and after the same text defining another name (control); the gain
 * is bits(control) - bits(matching). Positive = the model used the definition. Graded, where
 * exact-match recall is still 0 for weak models.
 */
export function gainTexts(k: RecallCase, seed: number, countTokens: (s: string) => number): { withDef: string; control: string; useLine: string } {
  const name = /export function (\w+)\(/.exec(k.text)?.[1] ?? '';
  const r = rng(seed);
  // the control name has as many tokens as the real one, so every later chunk boundary (CAT)
  // and position stays where it was: only the definition's name differs
  const defLine = (n: string) => `export function ${n}(items, options) {\n`;
  const want = countTokens(defLine(name));
  let other = name;
  for (let i = 0; i < 200 && (other === name || countTokens(defLine(other)) !== want); i++) {
    other = `${word(r, 2)}${word(r, 2).replace(/^./, (c) => c.toUpperCase())}`;
  }
  if (other === name || countTokens(defLine(other)) !== want) throw new Error(`no control name with ${want} tokens for ${name}`);
  const useLine = `const shifted = ${name}(items, options);\n`;
  const body = k.text.slice(0, k.text.lastIndexOf('\n') + 1);
  return { withDef: body + useLine, control: body.replace(name, other) + useLine, useLine };
}
