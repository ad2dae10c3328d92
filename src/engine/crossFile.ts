// Cross-file context: compressed entries of other open documents, most recently used first,
// within a budget of entries, placed oldest first. The list is memoized on the documents'
// snapshots, so typing in one file reuses it as it is (and the decoder rows behind it).
import type { WholeTokens } from './context';
import type { DocSnapshot } from './documents';
import type { ContextEntry } from './state';
import type { Logger } from './types';

export interface CrossFileSource {
  latest(docId: string): DocSnapshot | undefined;
  /** [file] + the document from its start (memoized per snapshot). */
  whole(snap: DocSnapshot): WholeTokens;
  /** Content keys of the whole sequence's complete chunks (memoized per snapshot and C). */
  wholeKeys(docId: string, whole: WholeTokens, C: number): string[];
}

export class CrossFileContext {
  private last?: { C: number; budget: number; ids: string[]; snaps: (DocSnapshot | undefined)[]; entries: ContextEntry[] };

  constructor(private readonly src: CrossFileSource, private readonly log: Logger) {}

  /** Entries of `ids` (most recent first) except `self`, at most `budget`, for chunk size C. */
  entries(self: string, ids: string[] | undefined, budget: number, C: number): ContextEntry[] {
    if (!ids?.length || budget <= 0 || C <= 0) return [];
    const others = ids.filter((id) => id !== self);
    const snaps = others.map((id) => this.src.latest(id));
    const l = this.last;
    if (l && l.C === C && l.budget === budget && l.ids.length === others.length
      && l.ids.every((id, i) => id === others[i] && l.snaps[i] === snaps[i])) return l.entries;
    const picked: ContextEntry[][] = [];
    let left = budget;
    others.forEach((id, i) => {
      const snap = snaps[i];
      if (left <= 0) return;
      if (!snap) { this.log.debug(`context document ${id} is not open; skipped`); return; }
      const whole = this.src.whole(snap);
      const keys = this.src.wholeKeys(id, whole, C);
      const n = Math.min(keys.length, left);
      const list: ContextEntry[] = [];
      for (let k = 0; k < n; k++) list.push({ key: keys[k], ids: whole.seq.subarray(k * C, (k + 1) * C) });
      picked.push(list);
      left -= n;
    });
    const entries = picked.reverse().flat();
    this.last = { C, budget, ids: others, snaps, entries };
    return entries;
  }

  clear(): void { this.last = undefined; }
}
