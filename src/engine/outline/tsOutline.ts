// TypeScript/JavaScript outline from the TypeScript compiler's parser (syntax only, no type
// checking): top-level declarations with their doc comments, members of classes, interfaces
// and namespaces, exports (modifiers, export lists, CommonJS `module.exports`), `@category`
// tags, section banners, the file's header comment and its licence/import boilerplate.
// Anonymous callbacks, locals and parameters never appear: only declarations are walked.
import type * as TS from 'typescript';
import { bannerTitle, commentLines, commentProse, commentTag, firstSentence, isLicence } from './comments';
import type { Decl, FileHeader, ParsedOutline } from './types';

export type ScriptFlavour = 'ts' | 'tsx' | 'js' | 'jsx';

let tsModule: Promise<typeof TS> | undefined;
/** The compiler, loaded on first use (it is large; completions never need it). */
export function loadTypeScript(): Promise<typeof TS> {
  tsModule ??= import('typescript').then((m) => ((m as { default?: typeof TS }).default ?? m) as typeof TS);
  return tsModule;
}

const MEMBER_LIMIT = 400;

export function parseScript(ts: typeof TS, text: string, flavour: ScriptFlavour): ParsedOutline {
  const kind = { ts: ts.ScriptKind.TS, tsx: ts.ScriptKind.TSX, js: ts.ScriptKind.JS, jsx: ts.ScriptKind.JSX }[flavour];
  const sf = ts.createSourceFile(`file.${flavour}`, text, ts.ScriptTarget.Latest, false, kind);
  // lines as the engine and the editor count them: at \n only (the compiler also breaks at \r, U+2028, U+2029)
  const breaks: number[] = [];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) breaks.push(i);
  const lineOf = (pos: number) => {
    let lo = 0, hi = breaks.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (breaks[mid] < pos) lo = mid + 1; else hi = mid; }
    return lo;
  };
  const exportedNames = new Set<string>();
  /** Local names exported under their own or another name (`export { a as b }`). */
  const localExports = new Set<string>();
  const boilerplate: { from: number; to: number }[] = [];
  let section: string | undefined;

  /** Leading comments of a node: its doc comment (the last one, directly above) and any section banner before it. */
  const leading = (node: TS.Node) => {
    const ranges = ts.getLeadingCommentRanges(text, node.pos) ?? [];
    let doc: { raw: string; pos: number } | undefined;
    const groups: { raw: string[]; pos: number }[] = [];
    for (const r of ranges) {
      const raw = text.slice(r.pos, r.end);
      const prev = groups[groups.length - 1];
      // consecutive // lines form one comment
      if (r.kind === ts.SyntaxKind.SingleLineCommentTrivia && prev && prev.raw[0].startsWith('//') && lineOf(r.pos) - lineOf(prev.pos) === prev.raw.length) prev.raw.push(raw);
      else groups.push({ raw: [raw], pos: r.pos });
    }
    for (const g of groups) {
      const raw = g.raw.join('\n');
      const title = bannerTitle(commentLines(raw), raw);
      if (title) section = title;
    }
    const last = groups[groups.length - 1];
    if (last) {
      const raw = last.raw.join('\n');
      const endLine = lineOf(last.pos) + raw.split('\n').length - 1;
      if (!bannerTitle(commentLines(raw), raw) && lineOf(node.getStart(sf)) - endLine <= 1 && !isLicence(raw)) doc = { raw, pos: last.pos };
    }
    return doc;
  };

  const hasModifier = (node: TS.Node, k: TS.SyntaxKind) => (ts.canHaveModifiers(node) ? ts.getModifiers(node) ?? [] : []).some((m) => m.kind === k);

  const make = (node: TS.Node, name: string, kindName: string, children: Decl[] = []): Decl => {
    const doc = leading(node);
    const lines = doc ? commentLines(doc.raw) : [];
    const d: Decl = {
      name, kind: kindName, line: lineOf(node.getStart(sf)), startLine: doc ? lineOf(doc.pos) : lineOf(node.getStart(sf)),
      endLine: lineOf(node.end), children,
    };
    const sentence = doc ? firstSentence(commentProse(lines)) : undefined;
    if (sentence) d.doc = sentence;
    const cat = commentTag(lines, ['category', 'group']);
    if (cat) d.category = cat;
    d.group = section;
    if (hasModifier(node, ts.SyntaxKind.ExportKeyword)) d.exported = true;
    return d;
  };

  const nameOf = (n: TS.DeclarationName | TS.PropertyName | undefined): string | undefined => {
    if (!n) return undefined;
    if (ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n)) return n.text;
    if (ts.isComputedPropertyName(n)) return `[${n.expression.getText(sf)}]`;
    return undefined;
  };

  const members = (list: readonly TS.Node[]): Decl[] => {
    const out: Decl[] = [];
    const outer = section;
    for (const m of list.slice(0, MEMBER_LIMIT)) {
      if (hasModifier(m, ts.SyntaxKind.PrivateKeyword) || (('name' in m) && m.name && ts.isPrivateIdentifier(m.name as TS.Node))) continue;
      let kindName: string | undefined;
      if (ts.isMethodDeclaration(m) || ts.isMethodSignature(m)) kindName = 'method';
      else if (ts.isPropertyDeclaration(m) || ts.isPropertySignature(m)) kindName = 'property';
      else if (ts.isGetAccessorDeclaration(m) || ts.isSetAccessorDeclaration(m)) kindName = 'accessor';
      else if (ts.isConstructorDeclaration(m)) { out.push(make(m, 'constructor', 'constructor')); continue; }
      else if (ts.isEnumMember(m)) kindName = 'member';
      if (!kindName) continue;
      const name = nameOf((m as TS.NamedDeclaration).name as TS.PropertyName);
      if (name) out.push(make(m, name, kindName));
    }
    section = outer;
    for (const d of out) { d.group = undefined; d.category = undefined; }
    return mergeSameName(out);
  };

  const statements = (list: readonly TS.Statement[], top: boolean): Decl[] => {
    const out: Decl[] = [];
    for (const s of list) {
      if (top && (ts.isImportDeclaration(s) || ts.isImportEqualsDeclaration(s))) {
        boilerplate.push({ from: lineOf(s.getStart(sf)), to: lineOf(s.end) });
        leading(s);
        continue;
      }
      out.push(...declsOf(s, top));
    }
    return mergeSameName(out);
  };

  const declsOf = (s: TS.Statement, top: boolean): Decl[] => {
    if (ts.isFunctionDeclaration(s)) return s.name ? [make(s, s.name.text, 'function')] : hasModifier(s, ts.SyntaxKind.DefaultKeyword) ? [{ ...make(s, 'default', 'function'), exported: true }] : [];
    if (ts.isClassDeclaration(s)) return [make(s, s.name?.text ?? 'default', 'class', members(s.members))];
    if (ts.isInterfaceDeclaration(s)) return [make(s, s.name.text, 'interface', members(s.members))];
    if (ts.isTypeAliasDeclaration(s)) return [make(s, s.name.text, 'type')];
    if (ts.isEnumDeclaration(s)) return [make(s, s.name.text, 'enum', members(s.members))];
    if (ts.isModuleDeclaration(s)) {
      const body = s.body && ts.isModuleBlock(s.body) ? statements(s.body.statements, false) : [];
      return [make(s, nameOf(s.name) ?? 'module', ts.isStringLiteral(s.name) ? 'module' : 'namespace', body)];
    }
    if (ts.isVariableStatement(s)) {
      const flags = s.declarationList.flags;
      const word = flags & ts.NodeFlags.Const ? 'const' : flags & ts.NodeFlags.Let ? 'let' : 'var';
      const out: Decl[] = [];
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name)) continue;
        const init = d.initializer;
        const k = init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? 'function' : init && ts.isClassExpression(init) ? 'class' : word;
        const decl = make(s, d.name.text, k, init && ts.isClassExpression(init) ? members(init.members) : []);
        if (s.declarationList.declarations.length > 1) { decl.line = lineOf(d.getStart(sf)); decl.endLine = lineOf(d.end); }
        out.push(decl);
      }
      return out;
    }
    if (ts.isExportDeclaration(s)) {
      leading(s);
      if (s.exportClause && ts.isNamedExports(s.exportClause) && !s.moduleSpecifier) for (const e of s.exportClause.elements) { exportedNames.add(e.name.text); localExports.add((e.propertyName ?? e.name).text); }
      if (s.moduleSpecifier && ts.isStringLiteral(s.moduleSpecifier)) {
        const names = s.exportClause && ts.isNamedExports(s.exportClause) ? s.exportClause.elements.map((e) => e.name.text) : ['*'];
        for (const n of names) if (n !== '*') exportedNames.add(n);
        return [{ ...make(s, names.join(', '), 're-export'), doc: `from '${s.moduleSpecifier.text}'`, exported: true }];
      }
      return [];
    }
    if (ts.isExportAssignment(s)) {
      const e = s.expression;
      if (ts.isIdentifier(e)) { exportedNames.add(e.text); leading(s); return []; }
      return [{ ...make(s, s.isExportEquals ? 'export =' : 'default', 'export'), exported: true }];
    }
    if (top && ts.isExpressionStatement(s)) return commonJs(s);
    return [];
  };

  /** `module.exports = {a, b}` / `= X`, `module.exports.a = …`, `exports.a = …`; an AMD `define(…, function () {…})` or IIFE body. */
  const commonJs = (s: TS.ExpressionStatement): Decl[] => {
    const e = s.expression;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isPropertyAccessExpression(e.left)) {
      const target = e.left.getText(sf);
      if (target === 'module.exports') {
        if (ts.isObjectLiteralExpression(e.right)) {
          for (const p of e.right.properties) { const n = nameOf(p.name); if (n) exportedNames.add(n); }
          leading(s);
          return [];
        }
        if (ts.isIdentifier(e.right)) { exportedNames.add(e.right.text); leading(s); return []; }
        return [{ ...make(s, 'module.exports', 'export'), exported: true }];
      }
      const m = /^(?:module\.)?exports\.([\w$]+)$/.exec(target);
      if (m) {
        const k = ts.isFunctionExpression(e.right) || ts.isArrowFunction(e.right) ? 'function' : ts.isClassExpression(e.right) ? 'class' : 'export';
        return [{ ...make(s, m[1], k), exported: true }];
      }
    }
    const body = wrapperBody(e);
    return body ? statements(body, true) : [];
  };

  /** The function body of `define([...], function () {…})`, `(function () {…})()`, `(() => {…})()`. */
  const wrapperBody = (e: TS.Expression): readonly TS.Statement[] | undefined => {
    let x: TS.Expression = e;
    while (ts.isParenthesizedExpression(x) || ts.isPrefixUnaryExpression(x)) x = ts.isParenthesizedExpression(x) ? x.expression : x.operand;
    if (!ts.isCallExpression(x)) return undefined;
    const callee = ts.isParenthesizedExpression(x.expression) ? x.expression.expression : x.expression;
    const fns = [callee, ...x.arguments].filter((a): a is TS.FunctionExpression | TS.ArrowFunction => ts.isFunctionExpression(a) || ts.isArrowFunction(a));
    const fn = fns[fns.length - 1];
    return fn && ts.isBlock(fn.body) && fn.body.statements.length > 2 ? fn.body.statements : undefined;
  };

  const header = headerOf(ts, sf, text, lineOf, boilerplate);
  const decls = statements(sf.statements, true);
  for (const d of decls) if (exportedNames.has(d.name) || localExports.has(d.name)) d.exported = true;
  return { language: flavour === 'ts' || flavour === 'tsx' ? 'typescript' : 'javascript', decls, header, boilerplate: mergeRanges(boilerplate), exportedNames: [...exportedNames] };
}

/** The file's own header: the first comment of the file when it describes the file (not a licence, not the doc comment of the declaration right below it). */
function headerOf(ts: typeof TS, sf: TS.SourceFile, text: string, lineOf: (p: number) => number, boilerplate: { from: number; to: number }[]): FileHeader | undefined {
  const first = sf.statements[0];
  const ranges = ts.getLeadingCommentRanges(text, ts.getShebang(text)?.length ?? 0) ?? [];
  const firstLine = first ? lineOf(first.getStart(sf)) : Infinity;
  const groups: { raw: string; pos: number; end: number }[] = [];
  for (const r of ranges) {
    const raw = text.slice(r.pos, r.end);
    const prev = groups[groups.length - 1];
    if (prev && raw.startsWith('//') && prev.raw.startsWith('//') && lineOf(r.pos) - lineOf(prev.end) === 1) { prev.raw += `\n${raw}`; prev.end = r.end; } else groups.push({ raw, pos: r.pos, end: r.end });
  }
  for (const [i, g] of groups.entries()) {
    const lines = commentLines(g.raw);
    if (isLicence(g.raw)) { boilerplate.push({ from: lineOf(g.pos), to: lineOf(g.end) }); continue; }
    if (g.raw.startsWith('///') && /<reference|<amd-/.test(g.raw)) continue;
    if (bannerTitle(lines, g.raw)) continue;
    // the doc comment of the first declaration (directly above it, the last comment) is that declaration's
    const isLast = i === groups.length - 1;
    const hasFileTag = /@(file|fileoverview|overview|module|packageDocumentation)\b/.test(g.raw);
    if (isLast && !hasFileTag && firstLine - lineOf(g.end) <= 1 && first && !ts.isImportDeclaration(first) && !ts.isExpressionStatement(first)) return undefined;
    const prose = commentProse(lines);
    if ((prose.match(/[A-Za-z]{2,}/g) ?? []).length < 4) continue;
    return { text: prose, startLine: lineOf(g.pos) + 1, endLine: lineOf(g.end) + 1, source: 'doc comment' };
  }
  return undefined;
}

/** Declarations of the same name next to each other or apart (overloads, `interface X` + `declare var X`) become one, at the first. */
export function mergeSameName(list: Decl[]): Decl[] {
  const byName = new Map<string, Decl>();
  const out: Decl[] = [];
  for (const d of list) {
    const prev = byName.get(d.name);
    if (!prev) { byName.set(d.name, d); out.push(d); continue; }
    prev.merged = (prev.merged ?? 1) + 1;
    if (prev.kind !== d.kind && !prev.kind.split(' + ').includes(d.kind)) prev.kind = `${prev.kind} + ${d.kind}`;
    prev.doc ??= d.doc;
    prev.exported ||= d.exported;
    if (d.endLine === prev.endLine + 1 || d.startLine <= prev.endLine + 2) prev.endLine = Math.max(prev.endLine, d.endLine);
    if (d.children.length) prev.children = mergeSameName([...prev.children, ...d.children]);
  }
  return out;
}

export function mergeRanges(r: { from: number; to: number }[]): { from: number; to: number }[] {
  const s = [...r].sort((a, b) => a.from - b.from);
  const out: { from: number; to: number }[] = [];
  for (const x of s) {
    const last = out[out.length - 1];
    if (last && x.from <= last.to + 1) last.to = Math.max(last.to, x.to);
    else out.push({ ...x });
  }
  return out;
}
