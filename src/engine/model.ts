// The immutable Model: contract + onnxruntime sessions (decoder, compressor for cat).
// Mutable generation state lives elsewhere (state.ts, kvCache.ts).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ContractError, loadContract, type GraphSpec, type ModelContract } from './contract';
import type { Logger, ProviderReport, ProviderSetting } from './types';

export interface ModelLoadOptions {
  provider: ProviderSetting;
  threads?: number;
  logger?: Logger;
  /** Skip sha256 checks (tests of other layers only). Default: verify. */
  verifyFiles?: boolean;
}

/** Providers tried for each setting, in order. CPU is always the last resort. */
export function providerChain(setting: ProviderSetting): string[] {
  switch (setting) {
    case 'cpu': return ['cpu'];
    // Explicit 'cuda' also falls back to CPU: a visible fallback (warning + report.skipped)
    // beats a dead extension. The report says CUDA was skipped and why.
    case 'cuda': return ['cuda', 'cpu'];
    case 'auto': return ['cuda', 'cpu'];
    default: throw new Error(`unknown provider setting ${JSON.stringify(setting)} (use auto, cuda or cpu)`);
  }
}

export function defaultThreads(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return Math.max(1, Math.min(4, cores));
}

function oneLine(e: unknown): string {
  const s = e instanceof Error ? e.message : String(e);
  return s.replace(/\s+/g, ' ').trim().slice(0, 500);
}

/** What is known about why CUDA failed, beyond onnxruntime's short message. */
export function cudaHint(): string {
  try {
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
    if (!fs.existsSync(path.join(dir, lib))) return `${lib} is not installed in ${dir} (onnxruntime-node was installed without its CUDA files)`;
    return 'the CUDA provider library is present; CUDA 12 / cuDNN 9 or a GPU may be missing';
  } catch {
    return '';
  }
}

let ortLogQuiet = false;

async function createSession(file: string, provider: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, {
    executionProviders: [provider],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    logSeverityLevel: 3,
    // Spinning worker threads were measured to hurt badly when the cores are shared (editor,
    // other processes): a 4330-entry decode step went from 14 ms p50 to 6 ms with spinning off
    // (2 threads, busy 2-core machine). Latency of small calls matters more than peak throughput.
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  });
}

function checkIo(s: ort.InferenceSession, g: GraphSpec): void {
  for (const n of g.inputs) {
    if (!s.inputNames.includes(n)) throw new ContractError(`${g.file}: graph has no input "${n}" (has ${s.inputNames.join(', ')})`, g.file);
  }
  for (const n of g.outputs) {
    if (!s.outputNames.includes(n)) throw new ContractError(`${g.file}: graph has no output "${n}" (has ${s.outputNames.join(', ')})`, g.file);
  }
}

export class Model {
  private constructor(
    readonly contract: ModelContract,
    readonly decoder: ort.InferenceSession,
    readonly compressor: ort.InferenceSession | undefined,
    readonly provider: ProviderReport,
    readonly threads: number,
    /** A one-thread session of the decoder for small calls (decode steps) on CPU: measured faster
     * there than `threads` threads (2.0 vs 2.6 ms for one token over 4,330 entries, quiet 2-core
     * machine), while large prefill calls gain from the threads. Undefined when threads is 1. */
    readonly decoderStep?: ort.InferenceSession,
  ) {}

  get kind(): 'cat' | 'dense' { return this.contract.kind; }
  get dims() { return this.contract.dims; }
  /** Floats per cached row (one token or entry): L * H * hd. */
  get rowSize(): number { const d = this.contract.dims; return d.nLayers * d.nHeads * d.headDim; }

  static async load(dir: string, opts: ModelLoadOptions): Promise<Model> {
    const contract = loadContract(dir, { verifyFiles: opts.verifyFiles });
    if (!ortLogQuiet) {
      // onnxruntime's own stderr lines (e.g. for a missing CUDA library) are replaced by our
      // report and log lines, which say the same thing with the file and the fallback.
      ort.env.logLevel = 'fatal';
      ortLogQuiet = true;
    }
    const threads = opts.threads && opts.threads > 0 ? Math.floor(opts.threads) : defaultThreads();
    const log = opts.logger;
    const skipped: { provider: string; error: string }[] = [];
    const decFile = path.join(contract.dir, contract.graphs.decoder.file);
    const compSpec = contract.kind === 'cat' ? contract.graphs.compressor : undefined;
    const compFile = compSpec ? path.join(contract.dir, compSpec.file) : undefined;
    for (const provider of providerChain(opts.provider)) {
      let decoder: ort.InferenceSession | undefined;
      let decoderStep: ort.InferenceSession | undefined;
      let compressor: ort.InferenceSession | undefined;
      let current = contract.graphs.decoder.file;
      try {
        decoder = await createSession(decFile, provider, threads);
        if (provider === 'cpu' && threads > 1) decoderStep = await createSession(decFile, provider, 1);
        if (compFile && compSpec) {
          current = compSpec.file;
          compressor = await createSession(compFile, provider, threads);
        }
      } catch (e) {
        await decoder?.release().catch(() => undefined);
        await decoderStep?.release().catch(() => undefined);
        const hint = provider === 'cuda' ? cudaHint() : '';
        const msg = `${current}: ${oneLine(e)}${hint ? ` (${hint})` : ''}`;
        if (provider === 'cpu') {
          throw new ContractError(`${current}: onnxruntime could not load it on cpu (${oneLine(e)})${skipped.length ? `; also tried ${skipped.map((s) => `${s.provider} (${s.error})`).join('; ')}` : ''}`, current);
        }
        skipped.push({ provider, error: msg });
        const line = `provider ${provider} unavailable, falling back: ${msg}`;
        if (opts.provider === provider) log?.warn(line); else log?.info(line);
        continue;
      }
      checkIo(decoder, contract.graphs.decoder);
      if (compressor && compSpec) checkIo(compressor, compSpec);
      log?.info(`model ${contract.name} (${contract.kind}) loaded on ${provider}, ${threads} threads${decoderStep ? ' (1 for decode steps)' : ''}`);
      return new Model(contract, decoder, compressor, { active: provider, skipped }, threads, decoderStep);
    }
    throw new Error('no execution provider could be tried');
  }

  async dispose(): Promise<void> {
    await this.decoder.release();
    await this.decoderStep?.release();
    await this.compressor?.release();
  }
}
