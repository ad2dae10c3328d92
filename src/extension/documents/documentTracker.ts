// Follows the documents the user works with (shown in an editor, or asked about) and keeps
// the engine's copy current: text + version on open, debounced on change, close on close.
// Re-sends everything after an engine (re)load. Knows why a document is not handled.
import * as vscode from 'vscode';
import type { DocumentCheck } from '../../engine/types';
import type { EngineClient } from '../engineClient';
import { isAbortError } from '../engine/errors';
import type { Settings } from '../settings';
import { classifyDocument, isInternalScheme, SAMPLE_CHARS, type DocumentVerdict } from './documentFilter';

const CHANGE_DEBOUNCE_MS = 250;

interface Tracked {
  doc: vscode.TextDocument;
  verdict: DocumentVerdict;
  /** Version the engine has (undefined: not sent since the last engine load). */
  engineVersion?: number;
  timer?: NodeJS.Timeout;
  /** Serialises sends for this document. */
  chain: Promise<unknown>;
}

export function docIdOf(doc: vscode.TextDocument): string {
  return doc.uri.toString();
}

/** Length in characters without building the text (line starts are cached by the host). */
export function documentLength(doc: vscode.TextDocument): number {
  if (doc.lineCount === 0) return 0;
  return doc.offsetAt(doc.lineAt(doc.lineCount - 1).range.end);
}

export class DocumentTracker implements vscode.Disposable {
  private readonly tracked = new Map<string, Tracked>();
  /** Most recently used first. */
  private mru: string[] = [];
  private readonly subs: vscode.Disposable[] = [];
  private readonly changedEmitter = new vscode.EventEmitter<vscode.TextDocument>();
  /** A tracked document's verdict or engine state changed. */
  readonly onDidChangeDocumentState = this.changedEmitter.event;
  private readonly activityEmitter = new vscode.EventEmitter<vscode.TextDocument>();
  /** The user edited a tracked document (keystroke-level). */
  readonly onDidEdit = this.activityEmitter.event;

  constructor(
    private readonly engine: EngineClient,
    private readonly settings: Settings,
    private readonly log: vscode.LogOutputChannel,
    /** Documents CAT itself wrote (summaries): never sent to the model, never completed. */
    private readonly isOwnOutput: (uri: vscode.Uri) => boolean = () => false,
  ) {
    this.subs.push(
      vscode.window.onDidChangeVisibleTextEditors((eds) => eds.forEach((e) => this.track(e.document))),
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.touch(e.document)),
      vscode.workspace.onDidChangeTextDocument((e) => this.onChange(e)),
      vscode.workspace.onDidCloseTextDocument((d) => this.onClose(d)),
      engine.onDidLoad(() => this.resendAll()),
    );
    for (const e of vscode.window.visibleTextEditors) this.track(e.document);
    if (vscode.window.activeTextEditor) this.touch(vscode.window.activeTextEditor.document);
  }

  /** VS Code's own panels and CAT's own output: no status, no tracking. */
  isInternal(uri: vscode.Uri): boolean {
    return isInternalScheme(uri.scheme) || this.isOwnOutput(uri);
  }

  private classify(doc: vscode.TextDocument): DocumentVerdict {
    if (this.isOwnOutput(doc.uri)) return { ok: false, reason: 'scheme', message: 'a summary written by CAT: not handled by CAT' };
    const length = documentLength(doc);
    const maxBytes = this.settings.maxFileBytes();
    const sample = length > maxBytes ? '' : doc.getText(new vscode.Range(doc.positionAt(0), doc.positionAt(SAMPLE_CHARS)));
    return classifyDocument(doc.uri.scheme, length, sample, maxBytes);
  }

  /** Start following a document (idempotent); returns its entry. */
  track(doc: vscode.TextDocument): Tracked {
    const id = docIdOf(doc);
    let t = this.tracked.get(id);
    if (!t) {
      t = { doc, verdict: this.classify(doc), chain: Promise.resolve() };
      this.tracked.set(id, t);
      if (!t.verdict.ok) this.log.info(`${doc.uri.toString(true)}: ${t.verdict.message}`);
      this.changedEmitter.fire(doc);
      this.schedule(t, 0);
    }
    return t;
  }

  private touch(doc: vscode.TextDocument): void {
    const t = this.track(doc);
    const id = docIdOf(t.doc);
    this.mru = [id, ...this.mru.filter((x) => x !== id)];
  }

  /** The documents followed now (shown in an editor or asked about, not closed). */
  documents(): vscode.TextDocument[] {
    return [...this.tracked.values()].map((t) => t.doc);
  }

  /** Whether this document id is followed (its text goes to the engine with updateDocument). */
  isTracked(docId: string): boolean {
    return this.tracked.has(docId);
  }

  verdict(doc: vscode.TextDocument): DocumentVerdict {
    return this.track(doc).verdict;
  }

  /** Other tracked documents the engine has, most recently used first. */
  contextDocIds(exclude: string): string[] {
    return this.mru.filter((id) => id !== exclude && this.tracked.get(id)?.engineVersion !== undefined);
  }

  /** Tracked document ids the engine knows, most recently used first. */
  engineDocIds(): string[] {
    const known = [...this.tracked.entries()].filter(([, t]) => t.engineVersion !== undefined).map(([id]) => id);
    return [...this.mru.filter((id) => known.includes(id)), ...known.filter((id) => !this.mru.includes(id))];
  }

  /**
   * Make sure the engine has this exact version of the document. Resolves with the
   * verdict (not ok: nothing was sent).
   */
  async ensureSynced(doc: vscode.TextDocument): Promise<DocumentVerdict> {
    const t = this.track(doc);
    if (!t.verdict.ok) return t.verdict;
    if (t.engineVersion === doc.version) return t.verdict;
    clearTimeout(t.timer);
    await this.send(t);
    return t.verdict;
  }

  private onChange(e: vscode.TextDocumentChangeEvent): void {
    const t = this.tracked.get(docIdOf(e.document));
    if (!t || e.contentChanges.length === 0) return;
    const before = t.verdict;
    t.verdict = this.classify(e.document);
    if (before.ok !== t.verdict.ok || (!before.ok && !t.verdict.ok && before.reason !== t.verdict.reason)) {
      this.changedEmitter.fire(e.document);
      if (!t.verdict.ok && t.engineVersion !== undefined) this.closeInEngine(t);
    }
    this.activityEmitter.fire(e.document);
    this.schedule(t, CHANGE_DEBOUNCE_MS);
  }

  private schedule(t: Tracked, delayMs: number): void {
    clearTimeout(t.timer);
    if (!t.verdict.ok || this.engine.state.kind !== 'ready') return;
    t.timer = setTimeout(() => void this.send(t), delayMs);
  }

  private send(t: Tracked): Promise<unknown> {
    t.chain = t.chain.then(async () => {
      const doc = t.doc;
      if (doc.isClosed || !t.verdict.ok || t.engineVersion === doc.version) return;
      const version = doc.version;
      const t0 = Date.now();
      try {
        const check: DocumentCheck = await this.engine.updateDocument(docIdOf(doc), version, doc.getText());
        if (!check.ok) {
          t.verdict = { ok: false, reason: 'binary', message: check.reason ?? 'the engine refused this document' };
          this.log.info(`${doc.uri.toString(true)}: engine refused it: ${t.verdict.message}`);
          this.changedEmitter.fire(doc);
          return;
        }
        const first = t.engineVersion === undefined;
        t.engineVersion = version;
        if (check.reason && t.verdict.ok && t.verdict.note !== check.reason) {
          t.verdict = { ok: true, note: check.reason };
          this.changedEmitter.fire(doc);
        }
        if (first) this.changedEmitter.fire(doc);
        this.log.trace(`sent ${doc.uri.toString(true)} v${version} (${doc.lineCount} lines) in ${Date.now() - t0} ms`);
      } catch (e) {
        if (!isAbortError(e)) this.log.debug(`could not send ${doc.uri.toString(true)} to the engine: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
    return t.chain;
  }

  private closeInEngine(t: Tracked): void {
    t.engineVersion = undefined;
    this.engine.closeDocument(docIdOf(t.doc)).catch((e) => this.log.debug(`close in engine: ${e instanceof Error ? e.message : String(e)}`));
  }

  private onClose(doc: vscode.TextDocument): void {
    const id = docIdOf(doc);
    const t = this.tracked.get(id);
    if (!t) return;
    clearTimeout(t.timer);
    this.tracked.delete(id);
    this.mru = this.mru.filter((x) => x !== id);
    if (t.engineVersion !== undefined) this.closeInEngine(t);
  }

  private resendAll(): void {
    for (const t of this.tracked.values()) {
      t.engineVersion = undefined;
      t.verdict = this.classify(t.doc);
    }
    const order = [...this.mru, ...[...this.tracked.keys()].filter((id) => !this.mru.includes(id))];
    order.forEach((id, i) => {
      const t = this.tracked.get(id);
      if (t) this.schedule(t, i * 20);
    });
  }

  /** Re-check every tracked document (the size limit setting changed). */
  reclassifyAll(): void {
    for (const t of this.tracked.values()) {
      t.verdict = this.classify(t.doc);
      if (!t.verdict.ok && t.engineVersion !== undefined) this.closeInEngine(t);
      else this.schedule(t, 0);
      this.changedEmitter.fire(t.doc);
    }
  }

  dispose(): void {
    for (const t of this.tracked.values()) clearTimeout(t.timer);
    for (const s of this.subs) s.dispose();
    this.changedEmitter.dispose();
    this.activityEmitter.dispose();
  }
}
