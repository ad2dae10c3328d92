// Comment text shared by the language parsers: the prose of a doc comment, its first sentence,
// its tags, licence headers and section banners. Input is a comment's raw text as the parser
// found it (delimiters included); output is plain text.

const LICENCE = /\b(licen[cs]e[ds]?|copyright|all rights reserved|spdx-license-identifier|warrant(y|ies)|permission is hereby granted)\b|\(c\)\s*\d{4}/i;

/** The lines of a comment without its delimiters (`/** *\/`, `//`, `#`, leading `*`). */
export function commentLines(raw: string): string[] {
  let s = raw.replace(/\r\n?/g, '\n');
  if (s.startsWith('/*')) s = s.replace(/^\/\*+!?/, '').replace(/\*+\/$/, '');
  return s.split('\n').map((l) => l.replace(/^\s*(\/\/+|#+|\*+(?!\/))\s?/, '').replace(/\s+$/, ''));
}

/** The prose of a doc comment: tag lines (@param …) and what follows them dropped, except a leading @description/@file body. */
export function commentProse(lines: string[]): string {
  const out: string[] = [];
  for (const l of lines) {
    const t = l.trim();
    const tag = /^@(\w+)\s*(.*)$/.exec(t);
    if (tag) {
      if (/^(description|desc|summary|file|fileoverview|overview|module)$/i.test(tag[1]) && tag[2] && !/^[\w./-]+$/.test(tag[2])) {
        out.push(tag[2]);
        continue;
      }
      break;
    }
    out.push(t);
  }
  return out.join('\n').trim();
}

/** The value of the first `@name value` tag in a comment's lines. */
export function commentTag(lines: string[], names: string[]): string | undefined {
  for (const l of lines) {
    const m = /^\s*@(\w+)\s+(.+?)\s*$/.exec(l);
    if (m && names.includes(m[1])) return m[2];
  }
  return undefined;
}

/** Whether a text reads as a licence or tooling header rather than a description. */
export function isLicence(text: string): boolean {
  return LICENCE.test(text.slice(0, 600)) || /^\s*(eslint|jshint|jscs|istanbul|prettier|@ts-|tslint|global\s)/i.test(text);
}

/** Markdown links and inline code reduced to their text; HTML tags dropped. */
function plain(s: string): string {
  return s
    .replace(/!\[[^\]]*\]\([^)]*\)/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\{@link(?:code|plain)?\s+([^}|\s]+)(?:[\s|]+([^}]*))?\}/g, (_m, a: string, b?: string) => b?.trim() || a)
    .replace(/<\/?[a-z][^>]*>/gi, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * The first sentence of a prose text (its first paragraph, up to the first ". " / "? " / "! "),
 * at most `max` characters. Sentences that are only a link ("[MDN Reference](…)") give nothing.
 */
export function firstSentence(prose: string, max = 160): string | undefined {
  // a paragraph of words: not a bare link label, a path or a URL (`// src/compiler/core.ts` marks a file, it says nothing)
  const para = prose.split(/\n\s*\n/).map((p) => plain(p)).find((p) => /[A-Za-z]{2,}/.test(p) && !/^(MDN Reference|See|Example:?)$/i.test(p) && !/^\S*[/\\:]\S*$/.test(p));
  if (!para) return undefined;
  const m = /^(.+?[.?!])(\s|$)/.exec(para);
  let s = (m ? m[1] : para).trim();
  if (s.length > max) s = `${s.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
  return s || undefined;
}

/** Characters a banner is drawn with. */
const RULE = /^[-=*#/~_+.<>|\\ ]{3,}$/;

/**
 * The title of a section banner, or undefined: `// ---- Title ----`, a title line between rule
 * lines (`/////` / `/// Window APIs` / `/////`), `#region Title`, `// MARK: - Title`, `# %% Title`.
 * `lines` are the comment lines without delimiters; `raw` the comment as written.
 */
export function bannerTitle(lines: string[], raw: string): string | undefined {
  const region = /^\s*(?:\/\/|#|\/\*)\s*#?(?:region|pragma mark|MARK:|%%)\s*-?\s*(.+?)\s*(?:\*\/)?$/i.exec(raw.split('\n')[0]);
  if (region && !/^end/i.test(region[1])) return clean(region[1]);
  const text = lines.map((l) => l.trim()).filter((l) => l !== '');
  const titles = text.filter((l) => !RULE.test(l));
  if (titles.length !== 1) return undefined;
  const rules = text.length - titles.length;
  const t = titles[0];
  const framed = /^([-=*#/~_+]{2,})\s*(.+?)\s*([-=*#/~_+]{2,})$/.exec(t);
  if (framed) return clean(framed[2]);
  const rawRule = raw.split('\n').some((l) => RULE.test(l.trim()) && l.trim().length >= 8);
  if ((rules > 0 || rawRule) && t.length <= 60 && t.split(/\s+/).length <= 8 && !/[;{}()=]/.test(t)) return clean(t);
  return undefined;
}

function clean(t: string): string | undefined {
  const s = t.replace(/^[-=*#/~_:\s]+|[-=*#/~_:\s]+$/g, '').trim();
  return s && /[A-Za-z0-9]/.test(s) && s.length <= 80 ? s : undefined;
}
