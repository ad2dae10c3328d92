// A small LRU of recent suggestions so that typing through a shown suggestion reuses it
// instead of asking the model again. Pure apart from the lru-cache library.
import { LRUCache } from 'lru-cache';

export interface SuggestionKey {
  docId: string;
  line: number;
  /** Text of the cursor's line before the cursor. */
  linePrefix: string;
  /** Text of the cursor's line after the cursor. */
  lineSuffix: string;
  /** The line above (guards against reuse after edits elsewhere). */
  previousLine: string;
  chunkSize: number;
}

interface Entry extends SuggestionKey {
  text: string;
}

export class SuggestionCache {
  private readonly lru: LRUCache<string, Entry>;

  constructor(max = 64) {
    this.lru = new LRUCache<string, Entry>({ max });
  }

  private static id(k: SuggestionKey): string {
    return JSON.stringify([k.docId, k.line, k.linePrefix, k.lineSuffix, k.previousLine, k.chunkSize]);
  }

  remember(key: SuggestionKey, text: string): void {
    if (!text) return;
    this.lru.set(SuggestionCache.id(key), { ...key, text });
  }

  /**
   * The remaining suggestion when the current line prefix is a stored prefix followed by
   * the beginning of its suggestion (the user typed part of it), else undefined.
   */
  lookup(key: SuggestionKey): string | undefined {
    for (const [id, e] of this.lru.entries()) {
      if (
        e.docId !== key.docId ||
        e.line !== key.line ||
        e.lineSuffix !== key.lineSuffix ||
        e.previousLine !== key.previousLine ||
        e.chunkSize !== key.chunkSize ||
        !key.linePrefix.startsWith(e.linePrefix)
      ) {
        continue;
      }
      const typed = key.linePrefix.slice(e.linePrefix.length);
      if (typed.length < e.text.length && e.text.startsWith(typed)) {
        this.lru.get(id); // refresh recency
        return e.text.slice(typed.length);
      }
    }
    return undefined;
  }

  /** The stored keys and texts, most recent first (diagnostics). */
  entries(): (SuggestionKey & { text: string })[] {
    return [...this.lru.values()];
  }

  forgetDocument(docId: string): void {
    for (const [id, e] of this.lru.entries()) if (e.docId === docId) this.lru.delete(id);
  }

  clear(): void {
    this.lru.clear();
  }

  get size(): number {
    return this.lru.size;
  }
}
