// Typed message protocol between the extension host (EngineClient) and the engine worker.
// Every request carries an id; the worker answers with exactly one 'result' or 'error'
// for it, possibly preceded by 'progress' events. A 'cancel' aborts the request's signal.
import type {
  CacheStats,
  CompletionRequest,
  CompletionResult,
  DocumentCheck,
  EngineInfo,
  IndexStats,
  ProgressReport,
  ProviderSetting,
  SummaryRequest,
  SummaryResult,
} from '../engine/types';

export interface LoadArgs {
  modelDir: string;
  provider: ProviderSetting;
  threads?: number;
  cacheBytes?: number;
  persistDir?: string;
}

/** What 'load' answers: the engine's info plus what the worker had to do to get there. */
export interface LoadResult {
  info: EngineInfo;
  /** The provider the user asked for (may differ from info.provider.active). */
  requested: ProviderSetting;
}

export type CompletionArgs = Omit<CompletionRequest, 'signal' | 'onToken'>;
export type SummaryArgs = Omit<SummaryRequest, 'signal' | 'onProgress'>;

export interface OpMap {
  load: { args: LoadArgs; result: LoadResult };
  update: { args: { docId: string; version: number; text: string }; result: DocumentCheck };
  close: { args: { docId: string }; result: null };
  complete: { args: CompletionArgs; result: CompletionResult };
  summarize: { args: SummaryArgs; result: SummaryResult };
  warm: { args: { docId: string; chunkSize: number }; result: null };
  stats: { args: { chunkSize: number }; result: CacheStats };
  /** An index-only document (a workspace file that is not open): raw bytes as read from disk. */
  indexFile: { args: { fileId: string; text: string | Uint8Array }; result: DocumentCheck };
  removeIndexFile: { args: { fileId: string }; result: null };
  indexPassDone: { args: Record<string, never>; result: null };
  indexStats: { args: Record<string, never>; result: IndexStats };
  clear: { args: Record<string, never>; result: null };
  dispose: { args: Record<string, never>; result: null };
}

export type Op = keyof OpMap;

export interface RequestMessage<K extends Op = Op> {
  kind: 'request';
  id: number;
  op: K;
  args: OpMap[K]['args'];
}

export interface CancelMessage {
  kind: 'cancel';
  id: number;
}

export type ToWorker = RequestMessage | CancelMessage;

export interface SerializedError {
  name: string;
  message: string;
  /** 'aborted' when the request was cancelled; 'load' for model loading failures. */
  code?: string;
}

export type FromWorker =
  | { kind: 'result'; id: number; value: unknown }
  | { kind: 'error'; id: number; error: SerializedError }
  | { kind: 'progress'; id: number; progress: ProgressReport }
  | { kind: 'log'; level: LogLevel; message: string }
  /** The worker's network guard blocked a connection attempt (should never happen). */
  | { kind: 'net'; what: string; target: string }
  | { kind: 'ready' };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export function serializeError(e: unknown, code?: string): SerializedError {
  if (e instanceof Error) {
    const aborted = e.name === 'AbortError' || code === 'aborted';
    return { name: e.name, message: e.message, code: aborted ? 'aborted' : code };
  }
  return { name: 'Error', message: String(e), code };
}
