// Share of a module's exported top-level declarations that its summary names. The exports come
// from parsers independent of the engine's map: the TypeScript type checker's module exports
// (TS, ES-module and CommonJS JS files) and Python's own `ast` module (`__all__` when the module
// defines it as a literal, else its public top-level functions, classes and assignments).
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as ts from 'typescript';
import { listFiles } from './heldout';

const PY_EXPORTS = `
import ast, json, sys
tree = ast.parse(open(sys.argv[1], encoding='utf-8').read())
names, all_ = [], None
for n in tree.body:
    if isinstance(n, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
        targets = n.targets if isinstance(n, ast.Assign) else [n.target]
        for t in targets:
            if isinstance(t, ast.Name) and t.id == '__all__' and isinstance(n.value, (ast.List, ast.Tuple)):
                all_ = (all_ or []) + [e.value for e in n.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
            elif isinstance(t, ast.Name):
                names.append(t.id)
    elif isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.append(n.name)
print(json.dumps(all_ if all_ is not None else [x for x in dict.fromkeys(names) if not x.startswith('_')]))
`;

/** Names a module exports, by a parser that is not the engine's. */
export function exportedNames(file: string): string[] {
  if (file.endsWith('.py')) return JSON.parse(execFileSync('/usr/bin/python3', ['-c', PY_EXPORTS, file], { encoding: 'utf8' })) as string[];
  const prog = ts.createProgram([file], { allowJs: true, noResolve: true, noLib: true, types: [], module: ts.ModuleKind.CommonJS });
  const sf = prog.getSourceFile(file);
  const checker = prog.getTypeChecker();
  // an ES module's symbol; a CommonJS file's (exports.a = …) is the source file's own symbol
  const sym = sf && (checker.getSymbolAtLocation(sf) ?? (sf as unknown as { symbol?: ts.Symbol }).symbol);
  if (!sym) return [];
  const names = checker.getExportsOfModule(sym).map((s) => s.name);
  // module.exports = { a, b }: the properties of what is assigned
  const assigned = sym.exports?.get('export=' as ts.__String);
  if (assigned) names.push(...checker.getTypeOfSymbol(assigned).getProperties().map((p) => p.name));
  return [...new Set(names.filter((n) => n !== 'default' && n !== 'export='))];
}

/** Names that appear in a text as whole words. */
export function namedIn(text: string, names: string[]): string[] {
  const words = new Set(text.match(/[A-Za-z_$][\w$]*/g) ?? []);
  return names.filter((n) => words.has(n));
}

/** Long held-out modules: code files of at least minLines lines with at least minExports exports (tests and declaration files left out). */
export function longModules(folder: string, minLines = 800, minExports = 10): { file: string; lines: number; exports: string[] }[] {
  const out: { file: string; lines: number; exports: string[] }[] = [];
  for (const file of listFiles(folder, ['.ts', '.js', '.mjs', '.cjs', '.py'])) {
    if (file.endsWith('.d.ts') || /(^|\/)(tests?|testing|__tests__|dist)\//.test(file) || /test_|_test\.|\.test\./.test(file)) continue;
    if (fs.statSync(file).size > 1024 * 1024) continue;
    const lines = fs.readFileSync(file, 'utf8').split('\n').length;
    if (lines < minLines) continue;
    let exports: string[];
    try {
      exports = exportedNames(file);
    } catch (e) {
      process.stderr.write(`summaryExports: ${file}: exports not read (${(e as Error).message.split('\n')[0]})\n`);
      continue;
    }
    if (exports.length >= minExports) out.push({ file, lines, exports });
  }
  return out;
}
