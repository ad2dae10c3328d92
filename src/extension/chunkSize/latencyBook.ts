// Live latency measurements per chunk size, and the "auto" choice made from them. Pure.
import { qualityOrder, type BitsPerByte } from './chunkQuality';

export interface LatencySample {
  /**
   * Milliseconds per generated token: decode time per token after the first when the
   * engine reports its first-token time, else request time / tokens.
   */
  msPerToken: number;
  /** Whole request time (time to the suggestion). */
  ms: number;
}

export interface SizeSummary {
  chunkSize: number;
  samples: number;
  msPerTokenP50?: number;
  msP50?: number;
}

const KEEP = 32;

function median(xs: number[]): number | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export class LatencyBook {
  private readonly bySize = new Map<number, LatencySample[]>();

  record(chunkSize: number, ms: number, tokens: number, firstTokenMs?: number): void {
    if (!(tokens > 0) || !(ms >= 0)) return;
    const decode = firstTokenMs !== undefined && tokens > 1 && firstTokenMs <= ms ? (ms - firstTokenMs) / (tokens - 1) : undefined;
    const list = this.bySize.get(chunkSize) ?? [];
    list.push({ ms, msPerToken: decode ?? ms / tokens });
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
    this.bySize.set(chunkSize, list);
  }

  summary(chunkSize: number): SizeSummary {
    const list = this.bySize.get(chunkSize) ?? [];
    return {
      chunkSize,
      samples: list.length,
      msPerTokenP50: median(list.map((s) => s.msPerToken)),
      msP50: median(list.map((s) => s.ms)),
    };
  }

  summaries(sizes: number[]): SizeSummary[] {
    return sizes.map((c) => this.summary(c));
  }

  clear(): void {
    this.bySize.clear();
  }
}

/** Nearest trained chunk size to a requested one (ties go to the smaller). */
export function snapChunkSize(requested: number, trained: number[]): number {
  if (trained.length === 0) return requested;
  let best = trained[0];
  for (const c of trained) {
    const d = Math.abs(c - requested);
    const bd = Math.abs(best - requested);
    if (d < bd || (d === bd && c < best)) best = c;
  }
  return best;
}

/**
 * The "auto" chunk size: the best-quality trained size whose measured median per-token
 * latency meets the target. Best quality: the lowest held-out bits/byte from the contract
 * (sizes without a number after those with one); without any quality numbers, the smallest
 * size (today's rule). Without any measurement: the model's default.
 * When the next better-quality size was never measured, try it (explore towards quality) if
 * it is larger (larger chunks are faster) or the best meeting size has room to spare (< half
 * the target).
 * When nothing measured meets the target: the fastest measured size, or the next larger
 * unmeasured one after it.
 */
export function pickAutoChunkSize(summaries: SizeSummary[], targetMsPerToken: number, defaultSize: number, bitsPerByte?: BitsPerByte): number {
  const sizes = summaries.map((s) => s.chunkSize).sort((a, b) => a - b);
  const measured = summaries.filter((s) => s.msPerTokenP50 !== undefined);
  if (sizes.length === 0) return defaultSize;
  if (measured.length === 0) return sizes.includes(defaultSize) ? defaultSize : sizes[Math.floor(sizes.length / 2)];
  const order = qualityOrder(sizes, bitsPerByte);
  const meeting = measured.filter((s) => s.msPerTokenP50! <= targetMsPerToken).sort((a, b) => order.indexOf(a.chunkSize) - order.indexOf(b.chunkSize));
  if (meeting.length > 0) {
    const best = meeting[0];
    const idx = order.indexOf(best.chunkSize);
    const better = idx > 0 ? order[idx - 1] : undefined;
    const betterMeasured = better !== undefined && measured.some((s) => s.chunkSize === better);
    if (better !== undefined && !betterMeasured && (better > best.chunkSize || best.msPerTokenP50! < targetMsPerToken / 2)) return better;
    return best.chunkSize;
  }
  const fastest = [...measured].sort((a, b) => a.msPerTokenP50! - b.msPerTokenP50!)[0];
  const idx = sizes.indexOf(fastest.chunkSize);
  const larger = idx >= 0 && idx < sizes.length - 1 ? sizes[idx + 1] : undefined;
  if (larger !== undefined && !measured.some((s) => s.chunkSize === larger)) return larger;
  return fastest.chunkSize;
}
