// Public types of the engine (src/engine). The engine imports nothing from 'vscode'.
// The extension (through its worker) and the CLI use only what index.ts exports.
import type { ModelQuality } from './contract';
import type { FileHeader, FileMap } from './outline/types';
import type { RankWeights } from './summarize';
export type { FileHeader, FileMap, MapEntry, MapGroup } from './outline/types';

/** Levelled logger injected into the engine (the extension passes its LogOutputChannel). */
export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type ProviderSetting = 'auto' | 'cuda' | 'cpu';

export interface EngineOptions {
  /** Folder holding contract.json, the .onnx graphs and tokenizer.json. */
  modelDir: string;
  provider: ProviderSetting;
  /** Intra-op threads for onnxruntime; default: min(4, cores). */
  threads?: number;
  /** Memory budget of the compressed-chunk cache, bytes. */
  cacheBytes?: number;
  /** Folder for the persisted chunk cache; undefined = no persistence. */
  persistDir?: string;
  logger?: Logger;
  /** Most tokens of a document used as context (windowed before the cursor). Default 65536. */
  maxContextTokens?: number;
  /** Most tokens after the cursor used for fill-in-the-middle. Default: the contract's fim.maxSuffixTokens, else 256. */
  maxSuffixTokens?: number;
  /** Memory limit for one dense context's keys/values, bytes. Default 4 GiB. */
  denseKvBytes?: number;
}

export interface ProviderReport {
  /** Provider actually running ('cuda' | 'cpu'). */
  active: string;
  /** Providers tried and skipped, with the error text each gave. */
  skipped: { provider: string; error: string }[];
}

export interface EngineInfo {
  modelName: string;
  kind: 'cat' | 'dense';
  chunkSizes: number[];
  defaultChunkSize: number;
  contextLength: number;
  provider: ProviderReport;
  /** Content hash of the model (cache key component). */
  modelId?: string;
  threads?: number;
  /** Held-out bits/byte per chunk size from the contract; absent = unknown. */
  quality?: ModelQuality;
}

export interface CompletionRequest {
  /** Document key (URI string or path). The document must be known (updateDocument). */
  docId: string;
  /** Document version the request is for; a request never mixes two versions. */
  version: number;
  /** Cursor as UTF-16 offset into the document text. */
  offset: number;
  chunkSize: number;
  /** 'line': stop at newline. 'multiline': stop on indentation/blank line/bracket rules. */
  mode: 'line' | 'multiline';
  maxTokens: number;
  maxLines?: number;
  /** Multi-line time budget, ms from the request's arrival: once spent, generation ends at the
   * next line break (the complete lines so far are the result; stop 'time'). 0/absent: none. */
  timeBudgetMs?: number;
  /** Use the text after the cursor (fill-in-the-middle): true, false (absent), or 'auto': when
   * the model's contract measured that the suffix helps (contract.ts suffixHelps). */
  useSuffix?: boolean | 'auto';
  /** Other documents whose compressed chunks may be used, most recent first. */
  contextDocIds?: string[];
  /** Budget of compressed entries from other documents. */
  contextEntryBudget?: number;
  temperature?: number;
  topP?: number;
  signal?: AbortSignal;
  onToken?: (textSoFar: string) => void;
  /** Seed of the sampler when temperature > 0 (reproducible sampling). */
  seed?: number;
  /** Mix the exact workspace index into every decoding step (default true; needs the model's recall.json). */
  useIndex?: boolean;
  /** Confidence gate: a suggestion scoring below this (0..1) comes back empty with stop 'gated'.
   * undefined: the threshold calibrated for the model (recall.json); 0: show everything. */
  minConfidence?: number;
  /** Lookup drafting: the index proposes the next tokens and the decoder checks them in one call
   * (default true; the suggestion is the same either way). */
  lookupDraft?: boolean;
}

/** What the gate decided about one suggestion. */
export interface GateReport {
  /** Calibrated probability that the suggestion is exactly right (0..1). */
  confidence: number;
  threshold: number;
  shown: boolean;
  /** The suggestion the gate held back (empty when shown: it is the result's text). */
  heldBack?: string;
  /** The gate's inputs (recall/gate.ts GATE_FEATURES), for logs and the fit. */
  features?: number[];
}

/** Sizes of the exact token index (open documents and workspace files). */
export interface IndexStats {
  documents: number;
  /** Index-only documents (workspace files not open in an editor). */
  workspaceFiles: number;
  tokens: number;
  bytes: number;
}

export interface CompletionResult {
  text: string;
  ms: number;
  tokens: number;
  chunkSize: number;
  provider: string;
  /** Why generation stopped: 'newline' | 'indent' | 'blank' | 'brackets' | 'eos' | 'max' | 'aborted'. */
  stop: string;
  /** Where the time went (optional details). */
  timing?: CompletionTiming;
  /** The confidence gate's decision (absent when the model has no calibrated gate). */
  gate?: GateReport;
  /** Longest match of the context in the index at the first token (effective n - 1); 0 = none. */
  indexMatch?: number;
}

export interface CompletionTiming {
  /** Tokenizing and building the context. */
  contextMs: number;
  /** Compression of missing chunks + decoder over new entries + current segment. */
  prefillMs: number;
  /** From the request's start to the first token chosen. */
  firstTokenMs: number;
  /** Entries (cat) or tokens (dense) whose keys/values were reused / computed. */
  reusedRows: number;
  computedRows: number;
  /** Bytes of the context (keys/values + compressed vectors). */
  contextBytes: number;
  /** Context tokens seen by the model (document window + suffix). */
  contextTokens: number;
  /** Decoder calls after the first token; tokens the index drafted / the sampler accepted. */
  decodeCalls?: number;
  drafted?: number;
  accepted?: number;
}

export interface CacheStats {
  entries: number;
  bytes: number;
  budgetBytes: number;
  hits: number;
  misses: number;
  /** Per open document: chunks compressed / total chunks of its whole sequence, at the given chunk
   * size. Computed without tokenizing (chunk keys are kept per version): a document whose latest
   * version has no token array yet (not completed, warmed or summarized since the edit) is left out. */
  /** Per open document: chunks whose vectors are cached, of total; decoderEntries of
   * decoderTotal: chunks of the window warm-up prepares (where the last completion was, else the
   * end; the whole document when it fits the context) whose decoder keys/values are held. */
  coverage: { docId: string; cached: number; total: number; decoderEntries?: number; decoderTotal?: number }[];
}

export interface ProgressReport {
  done: number;
  total: number;
  phase: string;
}

export interface KeyPassage {
  /** 1-based inclusive line range in the document. */
  startLine: number;
  endLine: number;
  /** Ranking score in [0, 1] (a blend of percentile ranks within the file; src/engine/summarize.ts). */
  score: number;
  text: string;
  /** What it holds ("function foo", "class Bar", "section Install") when it is one declaration. */
  label?: string;
}

export interface SummaryResult {
  /** The file's own description (module doc comment, docstring, first paragraph), quoted. */
  header?: FileHeader;
  /** Top-level declarations or headings, grouped as the file groups them (capped); undefined
   * when no parser knows the language (the extension then uses the editor's document symbols). */
  map?: FileMap;
  /** Key passages, cut at declaration boundaries, ranked (src/engine/summarize.ts); best first. */
  passages: KeyPassage[];
  /** Lowest and highest score over all candidate passages (how well the scores separate). */
  scoreRange?: { min: number; max: number; candidates: number };
  /** Short generated overview ("(generated) …"), only when it passed the grounding checks. */
  overview?: string;
  /** A generated overview that was left out, with the check it failed (repetitive, an identifier the file lacks, …). */
  overviewRejected?: { reason: string; text: string };
  chunks: number;
  ms: number;
  /** Milliseconds of the parts: outline (parse), compress, rank, overview. */
  timing?: Record<string, number>;
}

export interface SummaryRequest {
  docId: string;
  version: number;
  chunkSize: number;
  /** Key passages to return (default 5); 0 skips compressing and ranking (an overview alone). */
  maxPassages?: number;
  /** The file's name or path (language by extension; the name feature of the ranking). */
  fileName?: string;
  /** The editor's language id (typescript, javascript, python, markdown, …); before fileName. */
  languageId?: string;
  /** Parse the file for its header and map (default true). */
  outline?: boolean;
  /** Ranking weights other than the default (the evaluation's ablations; src/engine/summarize.ts). */
  rankWeights?: RankWeights;
  /** Also generate a short overview with the model (marked as generated). Default false. It reads the
   * chunk-aligned window at the end of the document (the one warm() prepares, so its entries are
   * reused) and yields to completions, resuming after them. */
  overview?: boolean;
  signal?: AbortSignal;
  /** Phases: 'outline', 'compress' (chunks), then with an overview 'overview' (decoder entries) and 'overview-tokens'. */
  onProgress?: (p: ProgressReport) => void;
}

export interface DocumentCheck {
  ok: boolean;
  /** Human-readable reason when not ok (binary, too large, ...). */
  reason?: string;
}

/** What the engine (src/engine/index.ts, class Engine) offers. Implemented by Engine.load(). */
export interface CatEngine {
  readonly info: EngineInfo;
  /** Set the full text of a document (new version). Text may be a string or raw bytes. */
  updateDocument(docId: string, version: number, text: string | Uint8Array): DocumentCheck;
  closeDocument(docId: string): void;
  complete(req: CompletionRequest): Promise<CompletionResult>;
  summarize(req: SummaryRequest): Promise<SummaryResult>;
  /** Compress every complete chunk of the document at this chunk size (background warm-up). */
  warm(docId: string, chunkSize: number, signal?: AbortSignal, onProgress?: (p: ProgressReport) => void): Promise<void>;
  cacheStats(chunkSize: number): CacheStats;
  /** Adds or replaces an index-only document (a workspace file not open): it feeds the exact index
   * of completions, not the model's context. Binary or huge files are refused (check.ok false). */
  indexFile(fileId: string, text: string | Uint8Array): DocumentCheck;
  /** indexFile a few milliseconds at a time, the event loop free between (a long file never holds up a
   * completion); a later request for the same file, or its removal, wins over one still running. */
  indexFileSliced(fileId: string, text: string | Uint8Array, sliceMs?: number): Promise<DocumentCheck>;
  removeIndexFile(fileId: string): void;
  /** A pass over the workspace sent every file it keeps: files restored from the persisted index
   * that it did not send are dropped. */
  indexPassDone(): void;
  indexStats(): IndexStats;
  clearCache(): void;
  dispose(): Promise<void>;
}
