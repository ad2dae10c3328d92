// Summaries are real Markdown files in the extension's own storage
// (<globalStorage>/summaries/<hash of the source URI>/Summary of <name>.md): never in the
// user's workspace, never a user file. Real files so that VS Code's Markdown preview follows
// their line links, which are relative to the summary's folder (the preview refuses file:
// links, and a virtual document's relative links would resolve to its own scheme).
// Written to disk, then shown; later updates (the generated overview) go through the open
// document and are saved, so it never shows as modified and closing it asks nothing.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SUMMARY_LANGUAGE } from '../ids';
import { foldersToPrune, relativeHref, summaryRelPath } from './summaryPaths';

/** How many summary folders (one per summarized source) are kept; older ones are deleted. */
const KEEP = 30;

/** A shown summary; `seq` tells a later summary of the same source from this one. */
export interface ShownSummary {
  uri: vscode.Uri;
  editor: vscode.TextEditor;
  seq: number;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class SummaryDocuments {
  private seq = 0;
  /** Summary URI -> seq of the latest summary written there. */
  private readonly latest = new Map<string, number>();

  constructor(
    /** The folder that holds every summary (in the extension's global storage). */
    private readonly root: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** Where the summary of `source` is written. */
  fileFor(source: vscode.Uri, title: string): vscode.Uri {
    return vscode.Uri.joinPath(this.root, summaryRelPath(source.toString(), title));
  }

  /**
   * The link from a summary to its source (relative, without a fragment), or undefined when
   * the source is not a file on disk (untitled or virtual document): no link then.
   */
  sourceHref(summary: vscode.Uri, source: vscode.Uri): string | undefined {
    if (source.scheme !== 'file' || summary.scheme !== 'file') return undefined;
    return relativeHref(path.posix.dirname(summary.path), source.path);
  }

  /** Whether a document is one of our summaries (CAT does not track or complete them). */
  owns(uri: vscode.Uri): boolean {
    return uri.scheme === this.root.scheme && uri.authority === this.root.authority && uri.path.startsWith(`${this.root.path}/`);
  }

  /** Write a summary and open it beside the active editor. */
  async show(uri: vscode.Uri, markdown: string): Promise<ShownSummary> {
    const seq = ++this.seq;
    this.latest.set(uri.toString(), seq);
    await this.write(uri, markdown);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.getText() !== markdown) await this.replace(doc, markdown);
    if (doc.languageId !== SUMMARY_LANGUAGE) doc = await vscode.languages.setTextDocumentLanguage(doc, SUMMARY_LANGUAGE);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
    void this.prune();
    return { uri, editor, seq };
  }

  /**
   * Replace a shown summary's text (its editor and preview follow). Skipped when a newer
   * summary of the same source was written since, or when the user has unsaved edits in it.
   */
  async update(shown: ShownSummary, markdown: string): Promise<void> {
    if (this.latest.get(shown.uri.toString()) !== shown.seq) {
      this.log.debug(`${shown.uri.fsPath}: a newer summary replaced this one; update dropped`);
      return;
    }
    const open = this.openDocument(shown.uri);
    if (open?.isDirty) {
      this.log.info(`${shown.uri.fsPath} has unsaved edits: the update (generated overview) is not written into it`);
      return;
    }
    await this.write(shown.uri, markdown);
  }

  private openDocument(uri: vscode.Uri): vscode.TextDocument | undefined {
    return vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  }

  /** Through the open document when there is one (so it follows), else to disk. */
  private async write(uri: vscode.Uri, markdown: string): Promise<void> {
    const open = this.openDocument(uri);
    if (open) return this.replace(open, markdown);
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
    await vscode.workspace.fs.writeFile(uri, Buffer.from(markdown, 'utf8'));
  }

  private async replace(doc: vscode.TextDocument, markdown: string): Promise<void> {
    if (doc.getText() === markdown && !doc.isDirty) return;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, doc.validateRange(new vscode.Range(0, 0, doc.lineCount, 0)), markdown);
    if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not write the summary into ${doc.uri.fsPath}`);
    if (!(await doc.save())) throw new Error(`could not save the summary ${doc.uri.fsPath}`);
  }

  /** Delete the least recently written summary folders beyond KEEP (never one that is open). */
  private async prune(): Promise<void> {
    try {
      const fs = vscode.workspace.fs;
      const names = (await fs.readDirectory(this.root)).filter(([, t]) => t === vscode.FileType.Directory).map(([n]) => n);
      if (names.length <= KEEP) return;
      const open = new Set(vscode.workspace.textDocuments.filter((d) => this.owns(d.uri)).map((d) => path.posix.dirname(d.uri.path)));
      const folders = [];
      for (const name of names) {
        const dir = vscode.Uri.joinPath(this.root, name);
        let mtime = 0;
        for (const [file] of await fs.readDirectory(dir)) mtime = Math.max(mtime, (await fs.stat(vscode.Uri.joinPath(dir, file))).mtime);
        folders.push({ name, mtime, open: open.has(dir.path) });
      }
      for (const name of foldersToPrune(folders, KEEP)) await fs.delete(vscode.Uri.joinPath(this.root, name), { recursive: true, useTrash: false });
    } catch (e) {
      this.log.warn(`old summaries not cleaned up in ${this.root.fsPath}: ${message(e)}`);
    }
  }
}
