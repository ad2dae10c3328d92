// The engine: class Engine implements CatEngine. VS Code-free; the extension's worker and
// the CLI use only what this file exports.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { checkChunkSize, ContractError, suffixHelps, type ModelContract } from './contract';
import { ChunkStore, ensureVectors } from './chunkStore';
import { prefixTokens, suffixTokens, fimSequence, windowAt, type PrefixTokens } from './context';
import { CrossFileContext } from './crossFile';
import { KeyMemo, StatePool } from './docState';
import { DocViews } from './docViews';
import { DEFAULT_DOCUMENT_LIMITS, DocumentStore, type DocSnapshot } from './documents';
import { DRAFT_MAX, generate } from './generate';
import { Model } from './model';
import { runOverview } from './overview';
import { ChunkPersistence } from './persist';
import { GraphRunner } from './runner';
import { Sampler } from './sampling';
import { scoreCat, scoreDense, scoreWindow, scoreWithTail } from './scoring';
import { CatState } from './catState';
import { WindowState } from './windowState';
import { DenseState, type ContextEntry, type KeySource, type SeqState, type VectorSource } from './state';
import { summarizeDocument } from './summaryRun';
import { IndexPersistence } from './recall/indexPersist';
import { loadParams } from './recall/params';
import { healCount } from './recall/heal';
import { Recall } from './recall/recall';
import { workspaceTokenSteps } from './recall/workspaceFiles';
import { drain, drainSliced, type Steps } from './steps';
import { DocTokenizer } from './tokenizer';
import type {
  CacheStats, CatEngine, CompletionRequest, CompletionResult, DocumentCheck, EngineInfo, EngineOptions,
  IndexStats, Logger, ProgressReport, SummaryRequest, SummaryResult,
} from './types';

export * from './types';
export { ContractError, loadContract, checkChunkSize, findModelDirs } from './contract';
export type { ModelContract, ModelQuality } from './contract';

const nullLogger: Logger = { trace() {}, debug() {}, info() {}, warn() {}, error() {} };
export const DEFAULT_CACHE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_CONTEXT_TOKENS = 65536;
const COMPRESS_BATCH = 64;
/** Longest stretch a workspace file's indexing holds the worker's event loop before a pause (ms). */
const INDEX_SLICE_MS = 8;
/** Warm-up and summaries cover up to WHOLE_FACTOR x maxContextTokens from the document start. */
const WHOLE_FACTOR = 4;
/** Entries a completion's read-ahead computes past the cursor, and per decoder call (its preemption grain). */
const READ_AHEAD_ENTRIES = 512;
const READ_AHEAD_PIECE = 32;

interface LastRequest { offset?: number; contextDocIds: string[]; budget: number }

export interface EvalResult {
  bitsPerByte: number; tokens: number; bytes: number; model: string; chunkSize: number;
  /** Bits of the last `tailTokens` tokens (when asked for), and each one's log2 probability. */
  tailBits?: number;
  tailLog2Probs?: number[];
}

export class Engine implements CatEngine {
  readonly info: EngineInfo;
  readonly contract: ModelContract;
  readonly store: ChunkStore;
  readonly runner: GraphRunner;
  private readonly docs: DocumentStore;
  private readonly memo: KeyMemo;
  private readonly views: DocViews;
  private readonly stopIds: Set<number>;
  private readonly pool: StatePool;
  private readonly crossFile: CrossFileContext;
  private readonly persist?: ChunkPersistence;
  private readonly maxContext: number;
  private readonly maxSuffix: number;
  /** useSuffix 'auto': the contract measured that the suffix helps this model. */
  readonly suffixHelps: boolean;
  /** The exact token index, mixture and confidence gate (src/engine/recall). */
  readonly recall: Recall;
  private lock: Promise<unknown> = Promise.resolve();
  private disposed = false;
  /** Aborted when a completion arrives: background decoder work yields (its partial work is kept). */
  private background = new AbortController();

  private constructor(readonly model: Model, readonly tokenizer: DocTokenizer, private readonly opts: EngineOptions, private readonly log: Logger, recall: Recall) {
    const c = model.contract;
    this.recall = recall;
    this.contract = c;
    this.maxContext = opts.maxContextTokens ?? DEFAULT_MAX_CONTEXT_TOKENS;
    this.maxSuffix = opts.maxSuffixTokens ?? c.fim?.maxSuffixTokens ?? 256;
    this.suffixHelps = suffixHelps(c);
    const fm = c.fim?.measured;
    log.info(`fill-in-the-middle: the text after the cursor is ${this.suffixHelps ? '' : 'not '}read by completions (${fm ? `measured gain ${fm.suffixGain} bits/byte on ${fm.split}` : 'not measured for this model'})`);
    this.runner = new GraphRunner(model);
    this.store = new ChunkStore(c.modelId, c.dims.dModel, opts.cacheBytes ?? DEFAULT_CACHE_BYTES, log);
    this.docs = new DocumentStore(DEFAULT_DOCUMENT_LIMITS, this.maxContext, this.maxContext * WHOLE_FACTOR);
    this.memo = new KeyMemo((C, ids, from) => this.store.key(C, ids, from));
    this.views = new DocViews(tokenizer, c.tokenizer.special.file, this.maxContext, this.maxContext * WHOLE_FACTOR, this.memo);
    this.stopIds = stopIdsOf(c);
    this.pool = new StatePool(() => this.newState(), 3);
    this.crossFile = new CrossFileContext({ latest: (id) => this.docs.latest(id), whole: (s) => this.views.whole(s), wholeKeys: (id, w, C) => this.views.wholeKeys(id, w, C) }, log);
    if (opts.persistDir) {
      this.persist = new ChunkPersistence(opts.persistDir, this.store, log);
      this.persist.load();
      this.recall.persistTo(new IndexPersistence(opts.persistDir, (c.files[c.tokenizer.file]?.sha256 ?? 'unknown').slice(0, 16), log));
    }
    this.info = {
      modelName: c.name, kind: c.kind, chunkSizes: [...c.chunkSizes], defaultChunkSize: c.defaultChunkSize,
      contextLength: c.contextLength, provider: model.provider, modelId: c.modelId, threads: model.threads,
      ...(c.quality ? { quality: c.quality } : {}),
    };
  }

  /** Loads and verifies the model folder; throws ContractError naming the file and problem. */
  static async load(opts: EngineOptions): Promise<Engine> {
    const log = opts.logger ?? nullLogger;
    const model = await Model.load(opts.modelDir, { provider: opts.provider, threads: opts.threads, logger: log });
    const c = model.contract;
    let tok: DocTokenizer;
    try {
      tok = DocTokenizer.fromFile(path.join(c.dir, c.tokenizer.file), c.dims.vocabSize);
    } catch (e) {
      await model.dispose();
      throw new ContractError(`${c.tokenizer.file}: ${(e as Error).message}`, c.tokenizer.file);
    }
    let params;
    try { params = loadParams(c); } catch (e) { await model.dispose(); throw e; }
    log.info(params ? `recall: index mixture and gate from ${c.recall?.file}` : `recall: ${c.name} names no recall file: completions use the model alone, ungated`);
    return new Engine(model, tok, opts, log, new Recall(params, tok, c.dims.vocabSize, log));
  }

  /** Each document's last completion: its window start and cross-file context (warm-up prepares those). */
  private readonly lastRequest = new Map<string, LastRequest>();
  /** Workspace files being indexed -> the turn of their latest request (an older one does not land). */
  private readonly indexTurns = new Map<string, number>();

  /** The cross-file entries of the document's last completion (warm-up uses the same, so its rows are reused). */
  private lastContext(docId: string, C: number): ContextEntry[] {
    const last = this.lastRequest.get(docId);
    return last ? this.crossFile.entries(docId, last.contextDocIds, last.budget, C) : [];
  }

  /** The window warm-up runs the decoder over: where the last completion in the document was
   * (so moving the cursor there and typing reuse it), else the end of the document. */
  private warmWindow(docId: string, snap: DocSnapshot): PrefixTokens {
    return this.views.windowFrom(snap, this.lastRequest.get(docId)?.offset);
  }

  /** A fresh decoder state for this model (kind-specific). */
  newState(): SeqState {
    const c = this.contract;
    if (c.kind === 'cat') {
      const sp = { chunk: c.tokenizer.special.chunk as number, start: c.tokenizer.special.start };
      const vectors: VectorSource = (C, chunks, keys, signal) => this.vectors(C, chunks, keys, signal);
      const keyOf: KeySource = (C, ids, from) => this.store.key(C, ids, from);
      return c.layout === 'window' ? new WindowState(this.runner, sp, c.window as number, vectors, keyOf) : new CatState(this.runner, sp, vectors, keyOf);
    }
    const rowBytes = this.model.rowSize * 8;
    return new DenseState(this.runner, c.tokenizer.special.endoftext, Math.floor((this.opts.denseKvBytes ?? 4 * 1024 ** 3) / rowBytes));
  }

  /** Vectors of chunks through the shared store; misses compressed in batched calls. */
  vectors(C: number, chunks: ArrayLike<number>[], keys: string[], signal?: AbortSignal, onBatch?: (d: number, t: number) => void): Promise<Float32Array[]> {
    return ensureVectors(this.store, C, chunks, keys, (ch, c) => this.runner.compress(ch, c), { batch: COMPRESS_BATCH, signal, onBatch });
  }

  /** Runs fn alone on the model (onnxruntime sessions are used one call chain at a time). */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn);
    this.lock = run.catch(() => undefined);
    return run;
  }

  /** The caller's signal combined with preemption by completions. */
  private backgroundSignal(signal?: AbortSignal): AbortSignal {
    if (this.background.signal.aborted) this.background = new AbortController();
    return signal ? AbortSignal.any([signal, this.background.signal]) : this.background.signal;
  }

  private chunkSizeOf(req: { chunkSize?: number }): number {
    if (this.contract.kind === 'dense') return 0;
    return checkChunkSize(this.contract, req.chunkSize || this.contract.defaultChunkSize);
  }

  updateDocument(docId: string, version: number, text: string | Uint8Array): DocumentCheck {
    const { check } = this.docs.update(docId, version, text);
    if (!check.ok) {
      this.log.warn(`document ${docId}: ${check.reason}`);
      this.memo.forget(docId);
      this.pool.drop(docId);
    } else if (check.reason) {
      this.log.info(`document ${docId}: ${check.reason}`);
    }
    return check;
  }

  indexFile(fileId: string, text: string | Uint8Array): DocumentCheck { return drain(this.indexFileSteps(fileId, text)); }

  /** indexFile in slices of sliceMs, giving the event loop back between them (the worker's path). */
  indexFileSliced(fileId: string, text: string | Uint8Array, sliceMs = INDEX_SLICE_MS): Promise<DocumentCheck> {
    return drainSliced(this.indexFileSteps(fileId, text), sliceMs);
  }

  private *indexFileSteps(fileId: string, text: string | Uint8Array): Steps<DocumentCheck> {
    const turn = (this.indexTurns.get(fileId) ?? 0) + 1;         // a later request for the file wins
    this.indexTurns.set(fileId, turn);
    const current = () => this.indexTurns.get(fileId) === turn;
    const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
    const key = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    try {
      if (this.recall.confirm(fileId, key)) return { ok: true };        // indexed (or restored) with this content
      const { check, tokens } = yield* workspaceTokenSteps(bytes, this.tokenizer);
      if (!current()) return check;
      if (!tokens) { this.log.debug(`index ${fileId}: ${check.reason}`); this.recall.remove(fileId); return check; }
      yield* this.recall.indexOnlySteps(fileId, tokens, key, current);
      return check;
    } finally {
      if (current()) this.indexTurns.delete(fileId);
    }
  }

  indexPassDone(): void { this.recall.passDone(); }

  removeIndexFile(fileId: string): void {
    if (this.indexTurns.has(fileId)) this.indexTurns.set(fileId, this.indexTurns.get(fileId)! + 1);   // one being indexed is dropped
    if (this.recall.isIndexOnly(fileId)) this.recall.remove(fileId);
  }

  indexStats(): IndexStats { return this.recall.stats(); }

  closeDocument(docId: string): void {
    if (!this.recall.isIndexOnly(docId)) this.recall.remove(docId);
    this.docs.close(docId);
    this.lastRequest.delete(docId);
    this.memo.forget(docId);
    this.pool.drop(docId);
  }

  async complete(req: CompletionRequest): Promise<CompletionResult> {
    this.alive();
    const t0 = performance.now();
    this.background.abort();
    const snap = this.docs.get(req.docId, req.version);
    const C = this.chunkSizeOf(req);
    const sp = this.contract.tokenizer.special;
    const cur = snap.position(req.offset);
    const dt = this.views.tokensOf(snap);
    const prefix = prefixTokens(snap, this.tokenizer, cur, sp.file, this.maxContext, dt);
    // a cursor inside a line: the unfinished word's tokens are taken back and healed (recall/heal.ts)
    const healN = cur.byteCol > 0 ? healCount(prefix.seq, this.tokenizer) : 0;
    const heal = healN > 0 ? prefix.seq.slice(prefix.seq.length - healN) : undefined;
    if (heal) prefix.seq = prefix.seq.subarray(0, prefix.seq.length - healN);
    const useSuffix = req.useSuffix === 'auto' ? this.suffixHelps : !!req.useSuffix;
    const seq = useSuffix ? fimSequence(prefix.seq, suffixTokens(snap, this.tokenizer, cur, this.maxSuffix, dt), sp) : prefix.seq;
    const chunkKeys = C ? this.memo.keys(req.docId, C, seq, 'window', prefix.offset ?? 0) : undefined;
    this.lastRequest.set(req.docId, { offset: prefix.offset ?? this.lastRequest.get(req.docId)?.offset, contextDocIds: req.contextDocIds ?? [], budget: req.contextEntryBudget ?? 0 });
    const ctx = this.lastContext(req.docId, C);
    const linePrefix = Buffer.from(snap.lineBytes(cur.line).subarray(0, cur.byteCol)).toString('utf8');
    const mixer = this.recall.mixer({ docId: req.docId, tokens: dt, cursorLine: cur.line, contextDocIds: req.contextDocIds ?? [],
      contextTokens: (id) => { const s = this.docs.latest(id); return s && this.views.tokensOf(s); }, before: prefix.seq.subarray(1), useIndex: req.useIndex !== false });
    const contextMs = performance.now() - t0;
    return this.exclusive(async () => {
      const state = this.pool.get(req.docId, C);
      const tp = performance.now();
      if (req.signal?.aborted) return this.result(req, '', 0, t0, C, 'aborted');
      let logits: Float32Array;
      try {
        logits = await state.prefill(seq, { chunkSize: C, chunkKeys, contextEntries: ctx, stableChunks: C ? Math.floor(prefix.seq.length / C) : undefined, signal: req.signal });
      } catch (e) {
        if ((e as Error).name === 'AbortError') return this.result(req, '', 0, t0, C, 'aborted');
        throw e;
      }
      const prefillMs = performance.now() - tp;
      const sampler = new Sampler(this.contract.dims.vocabSize, { temperature: req.temperature, topP: req.topP, seed: req.seed });
      const gen = await generate(state, logits, this.tokenizer, {
        maxTokens: Math.max(0, req.maxTokens), sampler, stopIds: this.stopIds, signal: req.signal, onToken: req.onToken,
        deadline: req.timeBudgetMs ? t0 + req.timeBudgetMs : undefined,
        stop: { mode: req.mode, linePrefix, maxLines: req.maxLines },
        mixer, healer: heal ? this.recall.healer(heal) : undefined,
        draftMax: req.lookupDraft === false ? 0 : DRAFT_MAX,
      });
      const texts = [snap.bytes, ...(req.contextDocIds ?? []).map((id) => this.docs.latest(id)?.bytes).filter((b): b is Uint8Array => !!b)];
      const gate = this.recall.gate(gen.text, { steps: mixer.steps, midLine: linePrefix.trim() !== '', blankPrefix: linePrefix.trim() === '', lineExists: Recall.lineExists(linePrefix, gen.text, texts), linePrefixTokens: mixer.linePrefixTokens }, req.minConfidence, gen.ids);
      const shown = !gate || gate.shown;
      const res = this.result(req, shown ? gen.text : '', gen.ids.length, t0, C, shown ? gen.stop : 'gated');
      res.gate = gate;
      res.indexMatch = mixer.firstK;
      res.timing = {
        contextMs, prefillMs, firstTokenMs: tp - t0 + prefillMs + gen.firstTokenMs,
        reusedRows: state.lastPrefill.reused, computedRows: state.lastPrefill.computed,
        contextBytes: state.contextBytes(), contextTokens: seq.length + ctx.length * C,
        decodeCalls: gen.stepMs.length, drafted: gen.drafted, accepted: gen.accepted,
      };
      this.log.debug(`complete ${req.docId}@${req.version} C=${C}: ${gen.ids.length} tokens, stop ${gen.stop}, ${res.ms.toFixed(0)} ms (prefill ${prefillMs.toFixed(0)} ms, reused ${state.lastPrefill.reused}, computed ${state.lastPrefill.computed})`);
      if (state.lastPrefill.grewA && dt && prefix.offset !== undefined) {
        const ahead = windowAt(dt, sp.file, Math.min(this.maxContext, prefix.seq.length + READ_AHEAD_ENTRIES * C), prefix.offset);
        if (Math.floor(ahead.seq.length / C) > Math.floor(prefix.seq.length / C)) this.readAhead(req.docId, C, ahead, ctx, state);
      }
      return res;
    });
  }

  /**
   * After a completion that extended its document's decoder entries (a cold start, a jump further
   * down), computes the entries of the next part of its window in the background, in small pieces
   * that yield to the next completion, so a request further down reuses them.
   */
  private readAhead(docId: string, C: number, ahead: PrefixTokens, ctx: ContextEntry[], state: SeqState): void {
    if (!state.readAhead) return;
    const bg = this.backgroundSignal();
    const chunkKeys = this.memo.keys(docId, C, ahead.seq, 'window', ahead.offset ?? 0);
    void this.exclusive(async () => (await state.readAhead?.(ahead.seq, { chunkSize: C, chunkKeys, contextEntries: ctx, signal: bg, pieceSize: READ_AHEAD_PIECE })) ?? 0)
      .then((n) => { if (n) this.log.trace(`read-ahead ${docId} C=${C}: ${n} entries`); })
      .catch((e: Error) => { if (e.name === 'AbortError') this.log.trace(`read-ahead ${docId}: preempted`); else this.log.warn(`read-ahead ${docId}: ${e.message}`); });
  }

  private result(req: CompletionRequest, text: string, tokens: number, t0: number, C: number, stop: string): CompletionResult {
    return { text, ms: performance.now() - t0, tokens, chunkSize: C, provider: this.model.provider.active, stop };
  }

  async warm(docId: string, chunkSize: number, signal?: AbortSignal, onProgress?: (p: ProgressReport) => void): Promise<void> {
    this.alive();
    const snap = this.docs.latest(docId);
    if (!snap) throw new Error(`document ${docId} is not open in the engine (call updateDocument first)`);
    const C = this.chunkSizeOf({ chunkSize });
    if (C === 0) {
      const end = this.views.endWindow(snap);
      const bg = this.backgroundSignal(signal);
      await this.exclusive(() => this.pool.get(docId, 0).prefill(end.seq, { chunkSize: 0, signal: bg, onProgress: (d, t) => onProgress?.({ done: d, total: t, phase: 'prefill' }) }))
        .catch((e: Error) => { if (e.name !== 'AbortError') throw e; });
      return;
    }
    const total = (await this.compressWhole(docId, snap, C, signal, onProgress, true)).length;
    if (signal?.aborted) return;
    // decoder over the entries of the window the next completion most likely uses (where the
    // last one was, else the end), so it reuses them (common prefix of entry keys). A completion
    // arriving meanwhile preempts this; the entries done so far stay and are reused.
    const end = this.warmWindow(docId, snap);
    const endKeys = this.memo.keys(docId, C, end.seq, 'window', end.offset ?? 0);
    const ctx = this.lastContext(docId, C);
    const bg = this.backgroundSignal(signal);
    await this.exclusive(() => this.pool.get(docId, C).prefill(end.seq, { chunkSize: C, chunkKeys: endKeys, contextEntries: ctx, signal: bg })).catch((e: Error) => {
      if (e.name !== 'AbortError') throw e;
      this.log.debug(`warm ${docId}: decoder prefill ${signal?.aborted ? 'aborted' : 'preempted by a completion'}`);
    });
    onProgress?.({ done: total, total, phase: 'done' });
    this.persist?.flush();
  }

  /**
   * Vectors of every complete chunk of the document's whole sequence, compressed in batches, each
   * batch its own turn on the model so completions interleave. With `stopOnAbort`, an abort ends
   * the loop quietly with the vectors so far; otherwise the AbortError propagates.
   */
  private async compressWhole(docId: string, snap: DocSnapshot, C: number, signal?: AbortSignal, onProgress?: (p: ProgressReport) => void, stopOnAbort = false): Promise<Float32Array[]> {
    const whole = this.views.whole(snap);
    const keys = this.views.wholeKeys(docId, whole, C);
    const chunks = keys.map((_, i) => whole.seq.subarray(i * C, (i + 1) * C));
    const vecs: Float32Array[] = [];
    for (let s = 0; s < chunks.length; s += COMPRESS_BATCH) {
      if (stopOnAbort && signal?.aborted) break;
      const e = Math.min(chunks.length, s + COMPRESS_BATCH);
      vecs.push(...await this.exclusive(() => this.vectors(C, chunks.slice(s, e), keys.slice(s, e), signal)));
      onProgress?.({ done: e, total: chunks.length, phase: 'compress' });
    }
    return vecs;
  }

  async summarize(req: SummaryRequest): Promise<SummaryResult> {
    this.alive();
    const snap = this.docs.get(req.docId, req.version);
    const C = this.contract.kind === 'cat' ? this.chunkSizeOf(req) : 0;
    if (C === 0) throw new Error(`summaries need a cat model (${this.contract.name} is ${this.contract.kind})`);
    return summarizeDocument(req, {
      snap, chunkSize: C, log: this.log,
      whole: () => this.views.whole(snap),
      vectors: () => this.compressWhole(req.docId, snap, C, req.signal, req.onProgress),
      overview: () => {
        const end = this.views.endWindow(snap);
        return runOverview({
          window: end.seq, offset: end.offset ?? 0, chunkSize: C, tokenizer: this.tokenizer, vocabSize: this.contract.dims.vocabSize,
          stopIds: this.stopIds, log: this.log, signal: req.signal, onProgress: req.onProgress,
          turn: (fn) => { const bg = this.backgroundSignal(req.signal); return this.exclusive(() => fn(bg)); },
          state: () => this.pool.get(req.docId, C),
          chunkKeys: (seq, offset) => this.memo.keys(req.docId, C, seq, 'window', offset),
        });
      },
    });
  }

  /** Bits per byte of the bytes, scored from their start ([file] + tokens). */
  async evaluate(bytes: Uint8Array, chunkSize?: number, signal?: AbortSignal, tailTokens = 0): Promise<EvalResult> {
    this.alive();
    const C = this.chunkSizeOf({ chunkSize });
    const sp = this.contract.tokenizer.special;
    const vectors: VectorSource = (c, ch, k, s) => this.vectors(c, ch, k, s);
    const keyOf: KeySource = (c, x, f) => this.store.key(c, x, f);
    const W = this.contract.layout === 'window' ? this.contract.window as number : 0;
    const r = await this.exclusive(() => scoreWithTail((seq, o) => (!C ? scoreDense(this.runner, sp, seq, o)
      : W ? scoreWindow(this.runner, sp, seq, C, W, vectors, keyOf, o) : scoreCat(this.runner, sp, seq, C, vectors, keyOf, o)),
    sp.file, this.tokenizer.encodeBytes(bytes), this.contract.dims.vocabSize, tailTokens, signal));
    const { bits, tokens, ...tail } = r;
    return { bitsPerByte: bytes.length ? bits / bytes.length : 0, tokens, bytes: bytes.length, model: this.contract.kind, chunkSize: C, ...tail };
  }

  /**
   * Cache statistics. Coverage never tokenizes: it counts the chunks of each open document's whole
   * sequence from the token array the engine already has for the latest version (a version never
   * tokenized is left out). Chunk keys are kept per version and C (shared with warm-up and
   * summaries); only chunks no earlier sequence of the document had at that position are hashed.
   */
  cacheStats(chunkSize: number): CacheStats {
    const C = this.contract.kind === 'cat' ? this.chunkSizeOf({ chunkSize }) : 0;
    const coverage: CacheStats['coverage'] = [];
    for (const id of C ? this.docs.ids() : []) {
      const snap = this.docs.latest(id) as DocSnapshot;
      const whole = this.views.wholeIfReady(snap);
      if (!whole) continue;
      const keys = this.views.wholeKeys(id, whole, C);
      let cached = 0;
      for (const k of keys) if (this.store.has(k)) cached++;
      if (!snap.tokens) { coverage.push({ docId: id, cached, total: keys.length }); continue; }
      const w = this.warmWindow(id, snap);
      const wKeys = this.memo.keys(id, C, w.seq, 'window', w.offset ?? 0);
      const ctxKeys = this.lastContext(id, C).map((e) => e.key);
      const held = this.pool.peek(id, C)?.heldEntries?.([`start:${C}`, ...ctxKeys, ...wKeys]) ?? 0;
      coverage.push({ docId: id, cached, total: keys.length, decoderEntries: Math.max(0, held - 1), decoderTotal: ctxKeys.length + wKeys.length });
    }
    return { entries: this.store.entries, bytes: this.store.bytes, budgetBytes: this.store.budgetBytes, hits: this.store.hits, misses: this.store.misses, coverage };
  }

  /** Clears every cache: vectors in memory and on disk, decoder states, token caches. */
  clearCache(): void {
    this.persist?.clearFiles();
    this.store.clear();
    this.memo.clear();
    this.pool.clear();
    this.tokenizer.clearLineCache();
    this.log.info('caches cleared (the token index is kept: it is rebuilt from documents, not cached)');
  }

  /** Resolves when the engine has no queued work (a completion's read-ahead included). */
  async settled(): Promise<void> {
    for (let l = this.lock; ; l = this.lock) {
      await l.catch(() => undefined);
      if (l === this.lock) return;
    }
  }

  /** Decoder state of a document (tests, benchmarks). */
  stateOf(docId: string, chunkSize: number): SeqState { return this.pool.get(docId, chunkSize); }

  private alive(): void { if (this.disposed) throw new Error('engine disposed'); }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.background.abort();
    await this.lock.catch(() => undefined);
    this.persist?.dispose();
    this.recall.writeNow();
    this.pool.clear();
    await this.model.dispose();
  }
}

/** Tokens that end a generation: end of text, file separator, FIM and chunk markers. */
function stopIdsOf(c: ModelContract): Set<number> {
  const sp = c.tokenizer.special;
  const s = new Set<number>([sp.endoftext, sp.file, sp.fim_prefix, sp.fim_suffix, sp.fim_middle]);
  if (sp.chunk !== undefined) s.add(sp.chunk);
  for (const id of Object.values(sp.start ?? {})) s.add(id);
  return s;
}
