// The engine's one seam to exact recall: it keeps the token index in step with the snapshots
// the engine already tokenized (open documents) and with index-only workspace files, prepares a
// completion's Mixer and Healer, and applies the confidence gate to what came out.
import type { DocTokens } from '../docTokens';
import type { Steps } from '../steps';
import type { DocTokenizer } from '../tokenizer';
import type { GateReport, IndexStats, Logger } from '../types';
import { confidence, gateFeatures, type SuggestionShape } from './gate';
import { Healer } from './heal';
import type { IndexPersistence } from './indexPersist';
import { Mixer } from './mixer';
import { DocIndex } from './docIndex';
import type { RecallParams } from './params';
import { TokenIndex } from './tokenIndex';

export interface RecallRequest {
  docId: string;
  /** Token array of the request's snapshot (undefined for very large files: no index then). */
  tokens?: DocTokens;
  /** The cursor's line (its tokens are not counted as continuations: they are what is being typed). */
  cursorLine: number;
  /** Other open documents the completion may copy from, and their token arrays. */
  contextDocIds: string[];
  contextTokens: (docId: string) => DocTokens | undefined;
  /** Document tokens before the cursor (the model's prefix without [file]). */
  before: ArrayLike<number>;
  useIndex: boolean;
}

/** Quiet time after the last workspace change before the segments are written. */
const WRITE_DELAY_MS = 5000;

export class Recall {
  readonly index = new TokenIndex();
  private readonly indexed = new Map<string, DocTokens>();
  private persistence?: IndexPersistence;
  private written = -1;
  private timer: NodeJS.Timeout | undefined;

  constructor(public params: RecallParams | undefined, private readonly tok: DocTokenizer, private readonly vocab: number, private readonly log: Logger) {}

  /** Reads the persisted workspace segments (their files come back as they are confirmed) and keeps them written. */
  persistTo(p: IndexPersistence): void {
    this.persistence = p;
    const segs = p.load();
    this.index.restore(segs);
    this.written = this.index.workspaceVersion;
    if (segs.length) this.log.info(`workspace index: ${segs.length} segments restored from ${p.file} (live again as their files are sent)`);
  }

  /** A workspace file with this content key is in the index already: nothing to tokenize. */
  confirm(docId: string, key: string): boolean {
    const ok = this.index.confirm(docId, key);
    if (ok) this.changed();
    return ok;
  }

  /** The extension's pass over the workspace ended: restored files it did not send are dropped. */
  passDone(): void { this.index.sweep(); this.changed(); }

  private changed(): void {
    if (!this.persistence || this.timer) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.writeNow(); }, WRITE_DELAY_MS);
    this.timer.unref?.();
  }

  /** Writes the segments when they changed since the last write. */
  writeNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.persistence) return;
    const segs = this.index.segments();
    if (this.index.workspaceVersion === this.written) return;
    const t0 = performance.now();
    this.persistence.write(segs);
    this.written = this.index.workspaceVersion;
    this.log.debug(`workspace index: ${segs.length} segments written in ${(performance.now() - t0).toFixed(0)} ms`);
  }

  /** Brings an open document's index up to its token array (nothing to do when it is the one indexed);
   * workspace files come through indexOnlySteps. */
  sync(docId: string, dt: DocTokens): void {
    if (this.indexed.get(docId) === dt) return;
    const t0 = performance.now();
    const built = this.index.update(docId, dt);
    this.indexed.set(docId, dt);
    this.log.trace(`index ${docId}: ${dt.ids.length} tokens, ${built} blocks built in ${(performance.now() - t0).toFixed(1)} ms`);
  }

  /** An index-only file indexed as steps (steps.ts); it takes its place at the end unless no longer wanted then. */
  *indexOnlySteps(docId: string, dt: DocTokens, key: string, wanted: () => boolean): Steps<void> {
    const t0 = performance.now();
    const d = new DocIndex();
    yield* d.updateSteps(dt);
    if (!wanted()) return;
    this.indexed.delete(docId);                           // a workspace file's tokens are not kept apart from its index
    yield* this.index.addIndexOnlySteps(docId, d, key);
    this.changed();
    this.log.trace(`index ${docId}: ${dt.ids.length} tokens, ${d.lastBuilt} blocks built in ${(performance.now() - t0).toFixed(1)} ms (sliced)`);
  }

  remove(docId: string): void {
    const ws = this.index.isIndexOnly(docId);
    this.index.remove(docId);
    this.indexed.delete(docId);
    if (ws) this.changed();
  }

  clear(): void { this.index.clear(); this.indexed.clear(); }

  isIndexOnly(docId: string): boolean { return this.index.isIndexOnly(docId); }

  stats(): IndexStats { return this.index.stats(); }

  /** A healer for a cursor inside a line: the tokens taken back (heal.ts healCount) must be spelled again. */
  healer(takenBack: ArrayLike<number>): Healer {
    return new Healer(this.tok, this.tok.decodeBytes(takenBack), this.vocab);
  }

  /** The Mixer of one completion (model only when the index is off or the model has no recall.json). */
  mixer(req: RecallRequest): Mixer {
    const m = this.mixerFor(req);
    let n = 0;
    for (let i = req.before.length - 1; i >= 0 && !this.tok.tokenBytes(req.before[i]).includes(0x0a); i--) n++;
    m.linePrefixTokens = n;
    return m;
  }

  private mixerFor(req: RecallRequest): Mixer {
    if (!req.useIndex || !this.params || !req.tokens) return new Mixer(undefined, undefined, req.before, this.vocab);
    this.sync(req.docId, req.tokens);
    for (const id of req.contextDocIds) {
      const t = this.isIndexOnly(id) ? undefined : req.contextTokens(id);
      if (t) this.sync(id, t);
    }
    const ls = req.tokens.lineStarts;
    const line = Math.min(req.cursorLine, ls.length - 2);
    const lookup = this.index.lookup([req.docId, ...req.contextDocIds], { docId: req.docId, from: ls[line], to: ls[line + 1] });
    return new Mixer(lookup, this.params, req.before, this.vocab);
  }

  /** Whether linePrefix + the suggestion's first line is a whole line of one of the texts. */
  static lineExists(linePrefix: string, text: string, texts: Iterable<Uint8Array>): boolean {
    const first = text.split('\n')[0];
    if (!first.trim()) return false;
    const needle = Buffer.from(`\n${linePrefix}${first}\n`, 'utf8');
    for (const t of texts) if (Buffer.from(t.buffer, t.byteOffset, t.byteLength).indexOf(needle) >= 0) return true;
    return false;
  }

  /** The gate's decision for a finished suggestion; undefined when the model has no gate. */
  gate(text: string, shape: SuggestionShape, minConfidence: number | undefined, ids?: number[]): GateReport | undefined {
    const g = this.params?.gate;
    if (!g) return undefined;
    if (ids) {
      // calibrated on line completions: a multi-line suggestion is scored on its first line's tokens
      const nl = ids.findIndex((id) => this.tok.tokenBytes(id).includes(0x0a));
      if (nl >= 0 && nl + 1 < shape.steps.length) shape = { ...shape, steps: shape.steps.slice(0, nl + 1) };
    }
    const threshold = minConfidence ?? g.threshold;
    const features = gateFeatures(shape);
    const conf = text.trim() === '' ? 0 : confidence(g, features);
    const shown = text.trim() !== '' && conf >= threshold;
    return { confidence: Number(conf.toFixed(4)), threshold, shown, features, ...(shown ? {} : { heldBack: text }) };
  }
}
