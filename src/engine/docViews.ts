// Token views of document snapshots the engine runs the model over: the whole document from its
// start (warm-up, summaries, coverage), the window at the end or at a line offset (warm-up,
// overviews), with the content keys of their chunks. All memoized per immutable snapshot.
import { prefixTokens, wholeTokens, windowAt, type PrefixTokens, type WholeTokens } from './context';
import type { KeyMemo } from './docState';
import { deriveTokens, type DocTokens } from './docTokens';
import { DEFAULT_DOCUMENT_LIMITS, type DocSnapshot } from './documents';
import type { DocTokenizer } from './tokenizer';

export class DocViews {
  private readonly wholeCache = new WeakMap<DocSnapshot, WholeTokens>();
  private readonly wholeKeyCache = new WeakMap<WholeTokens, Map<number, string[]>>();

  /** maxContext: window length in tokens; wholeLimit: how many tokens from the start `whole` covers. */
  constructor(
    private readonly tokenizer: DocTokenizer, private readonly fileId: number,
    private readonly maxContext: number, private readonly wholeLimit: number, private readonly memo: KeyMemo,
  ) {}

  /** Token ids of the whole snapshot (derived from the previous version); undefined for very large files. */
  tokensOf(snap: DocSnapshot): DocTokens | undefined {
    if (snap.tokens) return snap.tokens;
    if (snap.bytes.length > DEFAULT_DOCUMENT_LIMITS.largeFileBytes) return undefined;
    const base = snap.base?.tokens ? { snap: snap.base, tokens: snap.base.tokens } : undefined;
    snap.tokens = deriveTokens(snap, this.tokenizer, base);
    snap.base = undefined;
    return snap.tokens;
  }

  /** [file] + the document from its start (capped). */
  whole(snap: DocSnapshot): WholeTokens {
    let w = this.wholeCache.get(snap);
    if (!w) { w = wholeTokens(snap, this.tokenizer, this.fileId, this.wholeLimit, this.tokensOf(snap)); this.wholeCache.set(snap, w); }
    return w;
  }

  /** The whole sequence if it was already built (or the tokens are there to build it without tokenizing). */
  wholeIfReady(snap: DocSnapshot): WholeTokens | undefined {
    return this.wholeCache.get(snap) ?? (snap.tokens ? this.whole(snap) : undefined);
  }

  /** Content keys of the complete chunks of a whole sequence, per C. */
  wholeKeys(docId: string, whole: WholeTokens, C: number): string[] {
    let byC = this.wholeKeyCache.get(whole);
    if (!byC) { byC = new Map(); this.wholeKeyCache.set(whole, byC); }
    let keys = byC.get(C);
    if (!keys) { keys = this.memo.keys(docId, C, whole.seq, 'whole'); byC.set(C, keys); }
    return keys;
  }

  /** [file] + the chunk-aligned window at the end of the document. */
  endWindow(snap: DocSnapshot): PrefixTokens {
    return prefixTokens(snap, this.tokenizer, snap.position(snap.utf16Length), this.fileId, this.maxContext, this.tokensOf(snap));
  }

  /** The window starting at a line-aligned token offset (a completion's), else the end window. */
  windowFrom(snap: DocSnapshot, offset: number | undefined): PrefixTokens {
    if (offset === undefined) return this.endWindow(snap);
    const dt = this.tokensOf(snap);
    return dt && offset <= dt.ids.length ? windowAt(dt, this.fileId, this.maxContext, offset) : this.endWindow(snap);
  }
}
