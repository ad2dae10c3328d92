// Measured held-out quality per chunk size (bits/byte from the contract; lower is better) and
// the words the chunk-size UI uses for the quality/speed trade-off. Nothing here assumes that a
// smaller chunk size is better: only the numbers say which size is. Pure.

/** Bits/byte keyed by chunk size, as the contract's quality.bitsPerByte; undefined = unknown. */
export type BitsPerByte = Record<string, number> | undefined;

export function bitsPerByteOf(bpb: BitsPerByte, chunkSize: number): number | undefined {
  const v = bpb?.[String(chunkSize)];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function qualityLabel(v: number): string {
  return `${v.toFixed(2)} bits/byte`;
}

/** Sizes best quality first: measured ones by bits/byte (ties: smaller), then unmeasured by size. */
export function qualityOrder(sizes: number[], bpb: BitsPerByte): number[] {
  const known = sizes.filter((c) => bitsPerByteOf(bpb, c) !== undefined);
  const unknown = sizes.filter((c) => bitsPerByteOf(bpb, c) === undefined).sort((a, b) => a - b);
  known.sort((a, b) => bitsPerByteOf(bpb, a)! - bitsPerByteOf(bpb, b)! || a - b);
  return [...known, ...unknown];
}

/** The trained size with the lowest measured bits/byte; undefined when none is measured. */
export function bestQualitySize(sizes: number[], bpb: BitsPerByte): number | undefined {
  const first = qualityOrder(sizes, bpb)[0];
  return first !== undefined && bitsPerByteOf(bpb, first) !== undefined ? first : undefined;
}

export interface TradeoffWording {
  /** Ends of the slider's scale. */
  left: string;
  right: string;
  /** The panel's explanation under its title. */
  hint: string;
  /** The quick pick title's trade-off clause. */
  short: string;
}

const ENTRY = 'Each chunk of C tokens is compressed into one entry; larger chunks mean fewer entries: faster, less memory.';

export function tradeoffWording(trained: number[], bpb: BitsPerByte): TradeoffWording {
  const sizes = [...trained].sort((a, b) => a - b);
  const best = bestQualitySize(sizes, bpb);
  if (best === undefined) {
    return { left: 'small C', right: 'speed', short: 'large = faster', hint: `${ENTRY} This model carries no measured quality per chunk size.` };
  }
  const measured = sizes.filter((c) => bitsPerByteOf(bpb, c) !== undefined);
  const smallIsBetter = measured.every((c, i) => i === 0 || bitsPerByteOf(bpb, measured[i - 1])! < bitsPerByteOf(bpb, c)!);
  const at = `${qualityLabel(bitsPerByteOf(bpb, best)!)} at C = ${best}; lower is better`;
  if (smallIsBetter && measured.length > 1) {
    const hint = `${ENTRY} Measured on held-out code, quality falls as C grows (best: ${at}).`;
    return { left: 'quality', right: 'speed', short: 'small = quality, large = speed', hint };
  }
  const largest = sizes[sizes.length - 1];
  return {
    left: 'small C',
    right: best === largest ? 'quality and speed' : 'speed',
    short: `best quality at C = ${best}, large = faster`,
    hint: `${ENTRY} Measured on held-out code, quality is best at C = ${best} (${at}).`,
  };
}
