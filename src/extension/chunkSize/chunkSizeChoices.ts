// The choices offered by the slider and the quick pick: "auto" then every trained chunk
// size, each labelled with its measured speed. Pure.
import type { ChunkSizeSetting } from './chunkSizeSetting';
import type { ChunkSizeView } from './chunkSizeController';
import type { SizeSummary } from './latencyBook';

export interface ChunkChoice {
  value: ChunkSizeSetting;
  label: string;
  /** Measured speed, or why there is none. */
  detail: string;
}

export function speedLabel(s: SizeSummary | undefined): string {
  if (!s || s.msPerTokenP50 === undefined) return 'not measured';
  return `${s.msPerTokenP50.toFixed(1)} ms/token`;
}

export function chunkChoices(v: ChunkSizeView): ChunkChoice[] {
  const auto: ChunkChoice = {
    value: 'auto',
    label: 'auto',
    detail: `smallest size under ${v.targetMsPerToken} ms/token${v.setting === 'auto' ? ` → now ${v.effective}` : ''}`,
  };
  const sizes = [...v.trained].sort((a, b) => a - b);
  return [
    auto,
    ...sizes.map((c, i) => ({
      value: c,
      label: String(c),
      detail:
        speedLabel(v.sizes.find((s) => s.chunkSize === c)) +
        (i === 0 ? ' · best quality' : i === sizes.length - 1 ? ' · fastest, least memory' : ''),
    })),
  ];
}

/** Index of the current setting among the choices (0 = auto). */
export function choiceIndex(choices: ChunkChoice[], setting: ChunkSizeSetting): number {
  const i = choices.findIndex((c) => c.value === setting);
  return i >= 0 ? i : 0;
}
