// Keeps the engine's exact token index holding the workspace files (not open) of the open
// documents' languages, within cat.index.workspaceTokenBudget: a background pass with
// cancellable progress, files read asynchronously and sent in small batches that yield, then
// kept current from a file watcher. Open documents reach the engine through the document
// tracker (updateDocument); their index-only copy is removed while they are open.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { DocumentTracker } from '../documents/documentTracker';
import { docIdOf } from '../documents/documentTracker';
import type { EngineClient } from '../engineClient';
import { isAbortError } from '../engine/errors';
import type { Settings } from '../settings';
import type { IndexerView } from './indexText';
import {
  approxTokens, contentProblem, excludeGlob, fileExtension, GitIgnores, includeWithIgnoresGlob, languageExtensions, planIndex, TokenRate, type Candidate,
} from './indexSelection';

const RECONCILE_DELAY_MS = 1000;
const WATCH_DELAY_MS = 500;
/** A batch ends after this many bytes or files; the host's event loop runs between batches. */
const BATCH_BYTES = 128 * 1024;
const BATCH_FILES = 8;
const STAT_BATCH = 32;
const FILTER_BATCH = 500;
const MAX_CANDIDATES = 20_000;

interface FileInfo {
  uri: vscode.Uri;
  path: string;
  size: number;
  mtime: number;
}

const yieldToHost = () => new Promise<void>((resolve) => setImmediate(resolve));

export class WorkspaceIndexer implements vscode.Disposable {
  /** Index-only copies the engine holds: id -> the file as sent. */
  private readonly sent = new Map<string, FileInfo>();
  /** Chosen by the last pass (open documents included: they count against the budget). */
  private plan = new Map<string, FileInfo>();
  /** Files refused (binary, minified) at this mtime: not read again until they change. */
  private readonly refused = new Map<string, number>();
  private current: vscode.CancellationTokenSource | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  private readonly touched = new Set<string>();
  private exts: string[] = [];
  /** The .gitignore rules of the last pass, per folder: events for ignored files are dropped. */
  private ignores = new Map<string, GitIgnores>();
  private running: { done: number; total: number } | undefined;
  /** This workspace's bytes per token, measured from the engine's index sizes. */
  readonly rate = new TokenRate();
  private readonly subs: vscode.Disposable[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** The index's content or a pass's progress changed (status bar). */
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly tracker: DocumentTracker,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
  ) {
    const watcher = vscode.workspace.createFileSystemWatcher('**/*');
    this.subs.push(
      watcher,
      watcher.onDidCreate((u) => this.onFileEvent(u, 'create')),
      watcher.onDidChange((u) => this.onFileEvent(u, 'change')),
      watcher.onDidDelete((u) => this.onFileEvent(u, 'delete')),
      engine.onDidLoad(() => {
        this.sent.clear(); // a new worker holds no index
        this.schedule(0);
      }),
      tracker.onDidChangeDocumentState((doc) => this.onTracked(doc)),
      vscode.workspace.onDidCloseTextDocument((doc) => this.onClosed(doc)),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.schedule(0, true)),
    );
  }

  get view(): IndexerView {
    const s = this.settings.index();
    let tokens = 0;
    const bpt = this.rate.bytesPerToken;
    for (const f of this.sent.values()) tokens += approxTokens(f.size, bpt);
    return { enabled: s.enabled, budgetTokens: s.workspaceTokenBudget, files: this.sent.size, tokens, planned: this.plan.size, running: this.running };
  }

  /** Whether the engine holds this file as an index-only document (tests, status). */
  isIndexed(uri: vscode.Uri): boolean {
    return this.sent.has(uri.toString());
  }

  /** Resolves when no pass is running or scheduled (integration tests). */
  async idle(timeoutMs: number): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    while (this.current || this.timer || this.watchTimer) {
      if (Date.now() > end) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
    return true;
  }

  /** Plan again after `delayMs`; restart=true cancels a running pass (settings changed). */
  schedule(delayMs = RECONCILE_DELAY_MS, restart = false): void {
    if (this.current) {
      this.again = true;
      if (restart) this.current.cancel();
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, delayMs);
  }

  private openDocs(): vscode.TextDocument[] {
    // documents CAT handles (a binary or huge file open is no language to index)
    return this.tracker.documents().filter((d) => !d.isClosed && d.uri.scheme !== 'untitled' && !this.tracker.isInternal(d.uri) && this.tracker.verdict(d).ok);
  }

  private onTracked(doc: vscode.TextDocument): void {
    const id = docIdOf(doc);
    if (this.sent.delete(id)) {
      // open now: the tracker sends its text; the index-only copy would count it twice
      this.engine.removeIndexFile(id).catch((e) => this.log.debug(`index: remove ${id}: ${errorText(e)}`));
      this.changed.fire();
    }
    const exts = languageExtensions(this.openDocs().map((d) => d.uri.path));
    if (exts.join(',') !== this.exts.join(',')) this.schedule();
  }

  private onClosed(doc: vscode.TextDocument): void {
    const id = docIdOf(doc);
    const exts = languageExtensions(this.openDocs().map((d) => d.uri.path));
    if (exts.join(',') !== this.exts.join(',')) this.schedule(); // a language is no longer open
    if (!this.plan.has(id) || this.sent.has(id)) return;
    this.touched.add(id); // restored from disk once the tracker has let it go
    this.scheduleWatch();
  }

  private onFileEvent(uri: vscode.Uri, kind: 'create' | 'change' | 'delete'): void {
    const id = uri.toString();
    if (path.posix.basename(uri.path) === '.gitignore') return this.schedule();
    if (kind === 'delete') {
      const under = (k: string) => k === id || k.startsWith(id + '/'); // a file, or a folder's files
      for (const k of [...this.plan.keys()].filter(under)) this.plan.delete(k);
      const gone = [...this.sent.keys()].filter(under);
      for (const k of gone) {
        this.sent.delete(k);
        this.engine.removeIndexFile(k).catch((e) => this.log.debug(`index: remove ${k}: ${errorText(e)}`));
      }
      if (gone.length) this.changed.fire();
      return;
    }
    const ext = fileExtension(uri.path);
    if (!ext || !this.exts.includes(ext) || /\/(node_modules|\.git)\//.test(uri.path)) return;
    const loc = this.locate(uri);
    if (!loc || this.ignores.get(loc.folder)?.ignores(loc.rel)) return; // build output and the like
    if (kind === 'create' || this.refused.has(id)) return this.schedule(); // the plan decides (budget, .gitignore)
    if (this.plan.has(id)) {
      this.touched.add(id);
      this.scheduleWatch();
    }
  }

  private scheduleWatch(): void {
    clearTimeout(this.watchTimer);
    this.watchTimer = setTimeout(() => {
      this.watchTimer = undefined;
      void this.refreshTouched();
    }, WATCH_DELAY_MS);
  }

  /** Re-sends changed planned files (and closed ones) that are not open. */
  private async refreshTouched(): Promise<void> {
    const ids = [...this.touched];
    this.touched.clear();
    for (const id of ids) {
      const f = this.plan.get(id);
      if (!f || this.tracker.isTracked(id) || this.engine.state.kind !== 'ready') continue;
      try {
        const st = await vscode.workspace.fs.stat(f.uri);
        await this.sendFile({ ...f, size: st.size, mtime: st.mtime });
      } catch (e) {
        this.log.debug(`index: ${f.path}: ${errorText(e)}`);
      }
      await yieldToHost();
    }
    this.changed.fire();
  }

  private async pass(): Promise<void> {
    if (this.engine.state.kind !== 'ready') return;
    const cts = new vscode.CancellationTokenSource();
    this.current = cts;
    this.again = false;
    const t0 = Date.now();
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: 'CAT: indexing the workspace', cancellable: true },
        async (progress, token) => {
          const sub = token.onCancellationRequested(() => cts.cancel());
          try {
            await this.reconcile(cts.token, (message) => progress.report({ message }));
          } finally {
            sub.dispose();
          }
        },
      );
      if (!cts.token.isCancellationRequested) {
        await this.engine.indexPassDone();
        const v = this.view;
        this.log.info(`workspace index: ${v.files} files, ~${v.tokens} tokens of the ${v.budgetTokens}-token budget (${this.exts.join(', ') || 'no languages open'}) in ${Date.now() - t0} ms`);
      }
    } catch (e) {
      if (!isAbortError(e)) this.log.debug(`workspace index pass stopped: ${errorText(e)}`);
    } finally {
      this.running = undefined;
      this.current = undefined;
      cts.dispose();
      this.changed.fire();
      if (this.again) this.schedule();
    }
  }

  private async reconcile(token: vscode.CancellationToken, say: (message: string) => void): Promise<void> {
    const s = this.settings.index();
    const open = this.openDocs();
    this.exts = languageExtensions(open.map((d) => d.uri.path));
    const include = includeWithIgnoresGlob(this.exts);
    const folders = vscode.workspace.workspaceFolders ?? [];
    if (!s.enabled || s.workspaceTokenBudget === 0 || !include || folders.length === 0) {
      this.plan = new Map();
      await this.removeExcept(new Set(), token);
      return;
    }
    say('finding files');
    const exclude = excludeGlob(
      vscode.workspace.getConfiguration('files').get<Record<string, unknown>>('exclude'),
      vscode.workspace.getConfiguration('search').get<Record<string, unknown>>('exclude'),
    );
    const found = await vscode.workspace.findFiles(include, exclude, MAX_CANDIDATES, token);
    if (token.isCancellationRequested) return;
    const isIgnoreFile = (u: vscode.Uri) => path.posix.basename(u.path) === '.gitignore';
    const ignoreFiles = found.filter(isIgnoreFile);
    const uris = found.filter((u) => !isIgnoreFile(u));
    const ignores = new Map<string, GitIgnores>();
    this.ignores = ignores;
    for (const u of ignoreFiles) {
      const loc = this.locate(u);
      if (!loc) continue;
      const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(u));
      const g = ignores.get(loc.folder) ?? new GitIgnores();
      g.add(path.posix.dirname(loc.rel) === '.' ? '' : path.posix.dirname(loc.rel), text);
      ignores.set(loc.folder, g);
    }
    const kept: { uri: vscode.Uri; path: string }[] = [];
    for (let i = 0; i < uris.length; i++) {
      const loc = this.locate(uris[i]);
      if (loc && !ignores.get(loc.folder)?.ignores(loc.rel)) kept.push({ uri: uris[i], path: `${loc.folderName}/${loc.rel}` });
      if (i % FILTER_BATCH === FILTER_BATCH - 1) await yieldToHost();
    }
    say(`${kept.length} files`);
    const infos = new Map<string, FileInfo>();
    for (let i = 0; i < kept.length && !token.isCancellationRequested; i += STAT_BATCH) {
      const stats = await Promise.all(kept.slice(i, i + STAT_BATCH).map((k) => vscode.workspace.fs.stat(k.uri).then((st) => ({ ...k, st }), () => undefined)));
      for (const x of stats) {
        if (!x || x.st.type !== vscode.FileType.File) continue;
        const id = x.uri.toString();
        const refusedAt = this.refused.get(id);
        if (refusedAt !== undefined && refusedAt === x.st.mtime) continue;
        infos.set(id, { uri: x.uri, path: x.path, size: x.st.size, mtime: x.st.mtime });
      }
    }
    if (token.isCancellationRequested) return;
    const openPaths = open.map((d) => this.locate(d.uri)).filter((l) => l !== undefined).map((l) => `${l.folderName}/${l.rel}`);
    const candidates: Candidate[] = [...infos].map(([id, f]) => ({ id, path: f.path, size: f.size }));
    const bpt = this.rate.bytesPerToken;
    const plan = planIndex(candidates, s.workspaceTokenBudget, openPaths, bpt);
    this.plan = new Map(plan.chosen.map((c) => [c.id, infos.get(c.id)!]));
    this.log.debug(`workspace index plan: ${plan.chosen.length} of ${candidates.length} files (~${plan.tokens} tokens at ${bpt.toFixed(2)} bytes/token; ${plan.overBudget} over the budget, ${plan.tooLarge} over 1 MiB, ${ignores.size ? 'with' : 'no'} .gitignore)`);
    await this.removeExcept(new Set(this.plan.keys()), token);
    const todo = [...this.plan].filter(([id, f]) => !this.tracker.isTracked(id) && !sameFile(this.sent.get(id), f)).map(([, f]) => f);
    this.running = { done: 0, total: todo.length };
    for (let i = 0; i < todo.length; ) {
      if (token.isCancellationRequested || this.engine.state.kind !== 'ready') return;
      // one batch; the index's growth over a batch of new files measures bytes per token
      const before = (await this.engine.indexStats()).tokens;
      let batchBytes = 0;
      let fresh = 0;
      let files = 0;
      for (; i < todo.length && batchBytes < BATCH_BYTES && files < BATCH_FILES; i++, files++) {
        const f = todo[i];
        if (this.tracker.isTracked(f.uri.toString())) continue;
        const replaced = this.sent.has(f.uri.toString());
        const n = await this.sendFile(f);
        batchBytes += n;
        if (!replaced && this.sent.has(f.uri.toString())) fresh += n;
        else if (replaced) fresh = -Infinity;
      }
      this.rate.observe(fresh, (await this.engine.indexStats()).tokens - before);
      this.running.done = i;
      say(`${i}/${todo.length} files`);
      this.changed.fire();
      await yieldToHost();
    }
    // the plan counted tokens at a rate this pass has corrected: plan again when that matters
    const now = this.rate.bytesPerToken;
    if (Math.abs(now - bpt) / bpt > 0.05 && (plan.overBudget > 0 || (plan.tokens * bpt) / now > s.workspaceTokenBudget)) this.again = true;
  }

  /** Reads and sends one file; returns the bytes read. Skips (and remembers) binary and minified files. */
  private async sendFile(f: FileInfo): Promise<number> {
    const id = f.uri.toString();
    let bytes: Uint8Array;
    try {
      bytes = await vscode.workspace.fs.readFile(f.uri);
    } catch (e) {
      this.log.debug(`index: cannot read ${f.path}: ${errorText(e)}`);
      return 0;
    }
    const problem = contentProblem(bytes);
    const check = problem ? { ok: false, reason: problem } : await this.engine.indexFile(id, bytes);
    if (!check.ok) {
      this.log.debug(`index: ${f.path} not indexed: ${check.reason ?? 'refused by the engine'}`);
      this.refused.set(id, f.mtime);
      this.plan.delete(id);
      if (this.sent.delete(id)) await this.engine.removeIndexFile(id);
      return bytes.length;
    }
    this.refused.delete(id);
    if (this.tracker.isTracked(id)) {
      await this.engine.removeIndexFile(id); // opened while it was being read: the tracker has it
      return 0;
    }
    this.sent.set(id, { ...f, size: bytes.length });
    return bytes.length;
  }

  private async removeExcept(keep: Set<string>, token: vscode.CancellationToken): Promise<void> {
    const drop = [...this.sent.keys()].filter((id) => !keep.has(id));
    for (let i = 0; i < drop.length && !token.isCancellationRequested; i++) {
      this.sent.delete(drop[i]);
      await this.engine.removeIndexFile(drop[i]);
      if (i % BATCH_FILES === BATCH_FILES - 1) await yieldToHost();
    }
    if (drop.length) this.changed.fire();
  }

  private locate(uri: vscode.Uri): { folder: string; folderName: string; rel: string } | undefined {
    const f = vscode.workspace.getWorkspaceFolder(uri);
    if (!f) return undefined;
    const rel = path.posix.relative(f.uri.path, uri.path);
    if (!rel || rel.startsWith('..')) return undefined;
    return { folder: f.uri.toString(), folderName: f.name, rel };
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.watchTimer);
    this.current?.cancel();
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
  }
}

function sameFile(a: FileInfo | undefined, b: FileInfo): boolean {
  return a !== undefined && a.size === b.size && a.mtime === b.mtime;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
