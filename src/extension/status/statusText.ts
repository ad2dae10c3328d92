// What the status bar item says, from the engine state, the chunk size in effect, the
// active document's verdict and the latest cache statistics. Pure.
import type { CacheStats, EngineInfo, IndexStats, ProviderSetting } from '../../engine/types';
import type { DocumentVerdict } from '../documents/documentFilter';
import type { EngineState } from '../engineClient';
import type { ChunkSizeView } from '../chunkSize/chunkSizeController';
import { bestQualitySize, bitsPerByteOf, qualityLabel } from '../chunkSize/chunkQuality';
import { indexLines, tallyLine, type IndexerView } from '../index/indexText';
import type { TallyView } from '../inline/gate';

export type Severity = 'ok' | 'busy' | 'warning' | 'error';

export interface StatusInput {
  engine: EngineState;
  chunk: ChunkSizeView;
  doc?: { name: string; verdict: DocumentVerdict };
  stats?: CacheStats;
  /** Latest inline completion (provider call to items), ms. */
  lastCompletionMs?: number;
  /** Suggestions shown and held back by the confidence gate this session. */
  tally?: TallyView;
  /** The workspace indexer's state and the engine's index sizes. */
  index?: { view: IndexerView; stats?: IndexStats };
}

export interface StatusView {
  text: string;
  severity: Severity;
  tooltip: string;
}

/** "model missing", "model corrupt" or "engine failed", from a load error message. */
export function classifyLoadError(message: string): string {
  const m = message.toLowerCase();
  if (/enoent|not found|no such file|missing|does not exist/.test(m)) return 'model missing';
  if (/sha256|checksum|corrupt|truncat|invalid|protobuf|parse|unexpected|version/.test(m)) return 'model corrupt';
  if (/crashed/.test(m)) return 'engine stopped';
  return 'engine failed';
}

/** "CPU", "CUDA", or "CPU (CUDA unavailable)" when CUDA was asked for explicitly and did not load. */
export function providerLabel(info: EngineInfo, requested: ProviderSetting): string {
  const active = info.provider.active.toUpperCase();
  if (requested !== 'auto' && requested !== info.provider.active) return `${active} (${requested.toUpperCase()} unavailable)`;
  return active;
}

function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function escapeMd(s: string): string {
  return s.replace(/([\\`*_[\]<>|#])/g, '\\$1');
}

export function coverageTotals(stats: CacheStats): { cached: number; total: number } {
  return stats.coverage.reduce((a, c) => ({ cached: a.cached + c.cached, total: a.total + c.total }), { cached: 0, total: 0 });
}

export function buildStatus(input: StatusInput): StatusView {
  const e = input.engine;
  const tip: string[] = ['**CAT Local Assist** (runs locally; nothing leaves this machine)', ''];
  let text: string;
  let severity: Severity = 'ok';
  switch (e.kind) {
    case 'stopped':
      text = '$(circle-slash) CAT stopped';
      severity = 'warning';
      tip.push('The engine is stopped.');
      break;
    case 'starting':
      text = '$(loading~spin) CAT loading…';
      severity = 'busy';
      tip.push(`Loading the model from \`${escapeMd(e.modelDir)}\`…`);
      break;
    case 'restarting':
      text = '$(sync~spin) CAT restarting…';
      severity = 'warning';
      tip.push(`The engine stopped (${escapeMd(e.reason)}); restart #${e.attempt} in ${Math.round(e.delayMs / 1000)} s.`);
      break;
    case 'failed':
      text = `$(error) CAT: ${classifyLoadError(e.message)}`;
      severity = 'error';
      tip.push(`**${classifyLoadError(e.message)}**: ${escapeMd(e.message)}`, '', `Model folder: \`${escapeMd(e.modelDir)}\` (setting \`cat.modelPath\`).`);
      tip.push('', 'Run "CAT: Restart Engine" after fixing it.');
      break;
    case 'ready': {
      const c = input.chunk;
      const prov = providerLabel(e.info, e.requested);
      text = `$(sparkle) CAT ${c.effective}${c.setting === 'auto' ? ' (auto)' : ''} · ${prov}`;
      if (prov.includes('unavailable')) severity = 'warning';
      tip.push(`Model **${escapeMd(e.info.modelName)}** (${e.info.kind}), provider **${prov}**.`);
      for (const s of e.info.provider.skipped) tip.push(`- ${s.provider.toUpperCase()} skipped: ${escapeMd(s.error)}`);
      tip.push('', `Chunk size **${c.effective}**${c.setting === 'auto' ? ` (auto, target ${c.targetMsPerToken} ms/token)` : ''}; trained: ${c.trained.join(', ')}.`);
      const cur = c.sizes.find((s) => s.chunkSize === c.effective);
      if (cur?.msPerTokenP50 !== undefined) tip.push(`Measured latency at C=${c.effective}: **${cur.msPerTokenP50.toFixed(1)} ms/token** (p50 of ${cur.samples}).`);
      else tip.push(`Latency at C=${c.effective}: not measured yet.`);
      const q = bitsPerByteOf(c.bitsPerByte, c.effective);
      const best = bestQualitySize(c.trained, c.bitsPerByte);
      if (q !== undefined && best !== undefined) {
        const vs = best === c.effective ? 'the best of the trained sizes' : `best: C=${best}, ${qualityLabel(bitsPerByteOf(c.bitsPerByte, best)!)}`;
        tip.push(`Held-out quality at C=${c.effective}: **${qualityLabel(q)}** (lower is better; ${vs}).`);
      }
      if (input.lastCompletionMs !== undefined) tip.push(`Last suggestion: ${input.lastCompletionMs.toFixed(0)} ms.`);
      if (input.stats) {
        const cov = coverageTotals(input.stats);
        tip.push(
          `Cache coverage (open files, C=${c.effective}): **${cov.cached}/${cov.total} chunks**; ` +
            `cache memory **${mb(input.stats.bytes)}** of ${mb(input.stats.budgetBytes)} (${input.stats.entries} entries).`,
        );
      }
      if (input.tally) tip.push('', tallyLine(input.tally));
      if (input.index) tip.push(...indexLines(input.index.view, input.index.stats));
      break;
    }
  }
  const d = input.doc;
  if (d && !d.verdict.ok && e.kind === 'ready') {
    const short = d.verdict.reason === 'tooLarge' ? 'file too large' : d.verdict.reason === 'binary' ? 'binary file' : 'not handled';
    text += ` · $(circle-slash) ${short}`;
    severity = severity === 'error' ? 'error' : 'warning';
    tip.push('', `**${escapeMd(d.name)}**: ${escapeMd(d.verdict.message)}`);
  } else if (d?.verdict.ok && d.verdict.note) {
    tip.push('', `**${escapeMd(d.name)}**: ${escapeMd(d.verdict.note)}`);
    text += ' $(warning)';
  }
  tip.push('', 'Click to choose the chunk size (speed ↔ quality).');
  return { text, severity, tooltip: tip.join('\n') };
}
