// Worker thread hosting the engine, off the extension host's event loop. It speaks the
// protocol in protocol.ts; it blocks all network access for its whole life.
import { parentPort } from 'node:worker_threads';
import { Engine } from '../engine/index';
import type { CatEngine, Logger } from '../engine/types';
import { installNetGuard } from './netGuard';
import type { FromWorker, LoadArgs, LoadResult, LogLevel, OpMap, RequestMessage, ToWorker } from './protocol';
import { serializeError } from './protocol';

const port = parentPort;
if (!port) throw new Error('engineWorker must run in a worker thread');

function post(msg: FromWorker): void {
  port!.postMessage(msg);
}

function log(level: LogLevel, message: string): void {
  post({ kind: 'log', level, message });
}

const logger: Logger = {
  trace: (m) => log('trace', m),
  debug: (m) => log('debug', m),
  info: (m) => log('info', m),
  warn: (m) => log('warn', m),
  error: (m) => log('error', m),
};

installNetGuard((a) => {
  log('error', `${a.what} to ${a.target} blocked in the engine worker`);
  post({ kind: 'net', what: a.what, target: a.target });
});

let engine: CatEngine | undefined;
const inFlight = new Map<number, AbortController>();

function requireEngine(): CatEngine {
  if (!engine) throw new Error('engine not loaded');
  return engine;
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

async function load(args: LoadArgs): Promise<LoadResult> {
  if (engine) {
    await engine.dispose();
    engine = undefined;
  }
  const opts = { ...args, logger };
  try {
    engine = await Engine.load(opts);
    return { info: engine.info, requested: args.provider };
  } catch (e) {
    if (args.provider !== 'cuda') throw e;
    // Explicit CUDA that cannot load: run on CPU and say what was tried.
    const cudaError = errorText(e);
    logger.warn(`CUDA requested but could not load (${cudaError}); falling back to CPU`);
    engine = await Engine.load({ ...opts, provider: 'cpu' });
    const info = engine.info;
    const skipped = info.provider.skipped.some((s) => s.provider === 'cuda')
      ? info.provider.skipped
      : [{ provider: 'cuda', error: cudaError }, ...info.provider.skipped];
    return { info: { ...info, provider: { ...info.provider, skipped } }, requested: 'cuda' };
  }
}

type Handler<K extends keyof OpMap> = (args: OpMap[K]['args'], signal: AbortSignal, id: number) => Promise<OpMap[K]['result']>;

const handlers: { [K in keyof OpMap]: Handler<K> } = {
  load: (args) => load(args),
  update: async (a) => requireEngine().updateDocument(a.docId, a.version, a.text),
  close: async (a) => {
    requireEngine().closeDocument(a.docId);
    return null;
  },
  complete: (a, signal) => requireEngine().complete({ ...a, signal }),
  summarize: (a, signal, id) =>
    requireEngine().summarize({ ...a, signal, onProgress: (progress) => post({ kind: 'progress', id, progress }) }),
  warm: async (a, signal, id) => {
    await requireEngine().warm(a.docId, a.chunkSize, signal, (progress) => post({ kind: 'progress', id, progress }));
    return null;
  },
  stats: async (a) => requireEngine().cacheStats(a.chunkSize),
  indexFile: async (a) => requireEngine().indexFileSliced(a.fileId, a.text),
  removeIndexFile: async (a) => {
    requireEngine().removeIndexFile(a.fileId);
    return null;
  },
  indexPassDone: async () => {
    requireEngine().indexPassDone();
    return null;
  },
  indexStats: async () => requireEngine().indexStats(),
  clear: async () => {
    requireEngine().clearCache();
    return null;
  },
  dispose: async () => {
    const e = engine;
    engine = undefined;
    await e?.dispose();
    return null;
  },
};

async function handle(msg: RequestMessage): Promise<void> {
  const controller = new AbortController();
  inFlight.set(msg.id, controller);
  try {
    const handler = handlers[msg.op] as Handler<typeof msg.op>;
    const value = await handler(msg.args as never, controller.signal, msg.id);
    post({ kind: 'result', id: msg.id, value });
  } catch (e) {
    const aborted = controller.signal.aborted;
    if (!aborted) logger.debug(`${msg.op} #${msg.id} failed: ${errorText(e)}`);
    post({ kind: 'error', id: msg.id, error: serializeError(e, aborted ? 'aborted' : msg.op === 'load' ? 'load' : undefined) });
  } finally {
    inFlight.delete(msg.id);
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.kind === 'cancel') {
    inFlight.get(msg.id)?.abort();
    return;
  }
  void handle(msg);
});

post({ kind: 'ready' });
