// The choices offered by the slider and the quick pick: "auto" then every trained chunk
// size, each labelled with its measured speed and, when the contract carries it, its measured
// held-out quality (bits/byte). "best quality" goes to the lowest bits/byte, never by size. Pure.
import type { ChunkSizeSetting } from './chunkSizeSetting';
import type { ChunkSizeView } from './chunkSizeController';
import type { SizeSummary } from './latencyBook';
import { bestQualitySize, bitsPerByteOf, qualityLabel } from './chunkQuality';

export interface ChunkChoice {
  value: ChunkSizeSetting;
  label: string;
  /** Measured speed (or why there is none), measured quality when known, and a tag. */
  detail: string;
}

export function speedLabel(s: SizeSummary | undefined): string {
  if (!s || s.msPerTokenP50 === undefined) return 'not measured';
  return `${s.msPerTokenP50.toFixed(1)} ms/token`;
}

export function chunkChoices(v: ChunkSizeView): ChunkChoice[] {
  const sizes = [...v.trained].sort((a, b) => a - b);
  const best = bestQualitySize(sizes, v.bitsPerByte);
  const rule = best === undefined ? 'smallest size' : 'best measured quality';
  const auto: ChunkChoice = {
    value: 'auto',
    label: 'auto',
    detail: `${rule} under ${v.targetMsPerToken} ms/token${v.setting === 'auto' ? ` → now ${v.effective}` : ''}`,
  };
  return [
    auto,
    ...sizes.map((c, i) => {
      const q = bitsPerByteOf(v.bitsPerByte, c);
      const tags = [c === best ? 'best quality' : '', i === sizes.length - 1 ? 'fastest, least memory' : ''].filter(Boolean);
      return {
        value: c,
        label: String(c),
        detail: [speedLabel(v.sizes.find((s) => s.chunkSize === c)), q === undefined ? '' : qualityLabel(q), ...tags].filter(Boolean).join(' · '),
      };
    }),
  ];
}

/** Index of the current setting among the choices (0 = auto). */
export function choiceIndex(choices: ChunkChoice[], setting: ChunkSizeSetting): number {
  const i = choices.findIndex((c) => c.value === setting);
  return i >= 0 ? i : 0;
}
