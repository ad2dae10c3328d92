// The "workspace" setting of the completion evaluation: what the extension's workspace pass does
// (cat.index.workspaceTokenBudget at its default): the package's other files with the open
// documents' extensions are in the exact index as index-only files (never model context), within
// the token budget, nearest to the open documents first (indexSelection.ts planIndex). While a
// case runs, its own file and its open files are taken out of that index: they are the cut
// document and the open documents then (the text after the cursor must not be found).
// A package from npm is not a repository: it ships build outputs that a repository's .gitignore
// keeps out of the workspace (jquery's dist/jquery.js holds every src/ file). Left out: files
// under a build-output folder (BUILD_DIRS) and the twins of the open files (the same name in
// another build: date-fns's add.js beside add.cjs, ajv's dist/core.js beside lib/core.ts).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Engine } from '../engine/index';
import { fileExtension, languageExtensions, planIndex, type Candidate } from '../extension/index/indexSelection';
import type { CompletionCase } from './completionCases';
import { manifestDefault } from './manifest';

/** The setting's default, read from the extension's manifest (declared once, there). */
export function defaultWorkspaceBudget(): number {
  return manifestDefault('cat.index.workspaceTokenBudget');
}

/** Folders of build output (a segment of the path inside the package). */
export const BUILD_DIRS = new Set(['dist', 'dist-module', 'build', 'esm', 'cjs', 'umd']);

/** A file's name without its extensions ("lib/core.ts" and "dist/core.d.ts" -> "core"). */
export function stem(rel: string): string {
  const base = rel.slice(rel.lastIndexOf('/') + 1);
  const dot = base.indexOf('.', 1);
  return dot < 0 ? base : base.slice(0, dot);
}

/** Whether a package file is build output (under a BUILD_DIRS folder). */
export function isBuildOutput(rel: string): boolean {
  return rel.split('/').slice(1, -1).some((d) => BUILD_DIRS.has(d));
}

export class PackageWorkspace {
  private readonly byPkg = new Map<string, Candidate[]>();
  private readonly texts = new Map<string, string>();
  /** Per engine: the file ids in its index now. */
  private readonly held = new WeakMap<Engine, Set<string>>();

  constructor(private readonly root: string, files: string[], readonly budgetTokens = defaultWorkspaceBudget()) {
    for (const f of files) {
      const rel = this.rel(f);
      const pkg = rel.split('/')[0];
      if (isBuildOutput(rel)) continue;
      (this.byPkg.get(pkg) ?? this.byPkg.set(pkg, []).get(pkg) as Candidate[]).push({ id: `ws:${rel}`, path: rel, size: fs.statSync(f).size });
    }
  }

  private rel(f: string): string { return path.relative(this.root, f).split(path.sep).join('/'); }

  private text(rel: string): string {
    return this.texts.get(rel) ?? this.texts.set(rel, fs.readFileSync(path.join(this.root, rel), 'utf8')).get(rel) as string;
  }

  /** The index-only files of a case: its package's files with the open extensions, within the budget, minus the open ones. */
  plan(c: CompletionCase): Candidate[] {
    const open = [c.file, ...c.others.map((o) => o.file)].map((f) => this.rel(f));
    const exts = new Set(languageExtensions(open));
    const cands = (this.byPkg.get(open[0].split('/')[0]) ?? []).filter((x) => exts.has(fileExtension(x.path) ?? ''));
    const chosen = planIndex(cands, this.budgetTokens, open).chosen;
    const openSet = new Set(open), twins = new Set(open.map(stem));
    return chosen.filter((x) => !openSet.has(x.path) && !twins.has(stem(x.path)));
  }

  /** Brings the engine's workspace index to the case's plan (files no longer in it removed); returns the texts (the copy heuristic reads them). */
  enter(eng: Engine, c: CompletionCase): string[] {
    const want = this.plan(c);
    const ids = new Set(want.map((x) => x.id));
    const held = this.held.get(eng) ?? new Set<string>();
    for (const id of held) if (!ids.has(id)) eng.removeIndexFile(id);
    for (const x of want) if (!held.has(x.id)) eng.indexFile(x.id, this.text(x.path));
    this.held.set(eng, ids);
    return want.map((x) => this.text(x.path));
  }

  /** Takes every file this setting put into the engine's index out again. */
  leave(eng: Engine): void {
    for (const id of this.held.get(eng) ?? []) eng.removeIndexFile(id);
    this.held.delete(eng);
  }
}

/** Case order for the workspace setting: by file path, so that consecutive cases share most of their plan. */
export function workspaceOrder(cases: CompletionCase[]): number[] {
  return cases.map((_, i) => i).sort((a, b) => (cases[a].file < cases[b].file ? -1 : cases[a].file > cases[b].file ? 1 : a - b));
}
