// What the status bar's tooltip says about the exact index and the confidence gate. Pure.
import type { IndexStats } from '../../engine/types';
import type { TallyView } from '../inline/gate';

export interface IndexerView {
  enabled: boolean;
  budgetTokens: number;
  /** Workspace files the engine holds as index-only documents. */
  files: number;
  /** Their approximate tokens (bytes / 3.2). */
  tokens: number;
  /** Files chosen by the last pass (open ones included). */
  planned: number;
  /** A pass in progress: files sent of the files to send. */
  running?: { done: number; total: number };
}

function count(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${count(n)} ${n === 1 ? one : many}`;
}

/** "Suggestions this session: **3 shown**, **12 held back** by the confidence gate (threshold 0.62)." */
export function tallyLine(t: TallyView): string {
  const gate = t.threshold !== undefined ? ` (threshold ${t.threshold.toFixed(2)})` : '';
  return `Suggestions this session: **${count(t.shown)} shown**, **${count(t.heldBack)} held back** by the confidence gate${gate}.`;
}

/** The index lines: workspace files and tokens of the budget, open documents, a pass in progress. */
export function indexLines(v: IndexerView, stats?: IndexStats): string[] {
  if (!v.enabled) return ['Exact index: off (`cat.index.enabled`).'];
  const lines: string[] = [];
  if (v.budgetTokens === 0) {
    lines.push('Workspace index: off (`cat.index.workspaceTokenBudget` is 0): open documents only.');
  } else {
    const files = stats?.workspaceFiles ?? v.files;
    lines.push(`Workspace index: **${plural(files, 'file')}**, ~${count(v.tokens)} of the ${count(v.budgetTokens)}-token budget.`);
  }
  if (v.running) lines.push(`Indexing: ${count(v.running.done)}/${plural(v.running.total, 'file')}…`);
  if (stats) {
    const openDocs = Math.max(0, stats.documents - stats.workspaceFiles);
    lines.push(`Exact index in the engine: ${plural(stats.tokens, 'token')} (${plural(openDocs, 'open document')}, ${plural(stats.workspaceFiles, 'workspace file')}).`);
  }
  return lines;
}
