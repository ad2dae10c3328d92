// Summaries are shown as read-only virtual Markdown documents (scheme cat-summary:): nothing
// to save, no prompt on close, never written to disk.
import * as vscode from 'vscode';
import { SUMMARY_LANGUAGE, SUMMARY_SCHEME } from '../ids';

const KEEP = 20;

export class SummaryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly contents = new Map<string, string>();
  private counter = 0;
  private readonly subs: vscode.Disposable[];
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  constructor() {
    this.subs = [
      vscode.workspace.registerTextDocumentContentProvider(SUMMARY_SCHEME, this),
      vscode.workspace.onDidCloseTextDocument((d) => {
        if (d.uri.scheme === SUMMARY_SCHEME) this.contents.delete(d.uri.toString());
      }),
    ];
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString()) ?? '_This summary is no longer available: run "CAT: Summarize Open File" again._\n';
  }

  /** Replace a shown summary's text (the open editor follows). */
  update(uri: vscode.Uri, markdown: string): void {
    if (!this.contents.has(uri.toString())) return;
    this.contents.set(uri.toString(), markdown);
    this.changed.fire(uri);
  }

  /** Open a summary beside the active editor. */
  async show(title: string, markdown: string): Promise<vscode.TextEditor> {
    const name = title.replace(/[\\/:*?"<>|#%]/g, '_') || 'document';
    const uri = vscode.Uri.from({ scheme: SUMMARY_SCHEME, path: `/Summary of ${name}.md`, query: String(++this.counter) });
    this.contents.set(uri.toString(), markdown);
    while (this.contents.size > KEEP) this.contents.delete(this.contents.keys().next().value as string);
    let doc = await vscode.workspace.openTextDocument(uri);
    if (doc.languageId !== SUMMARY_LANGUAGE) doc = await vscode.languages.setTextDocumentLanguage(doc, SUMMARY_LANGUAGE);
    return vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.Beside, preview: false });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
    this.contents.clear();
  }
}
