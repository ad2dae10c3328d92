// The chunkSize setting's value: a trained chunk size, or "auto". Pure.

export type ChunkSizeSetting = number | 'auto';

/** Parse the raw setting ("auto", a number, or a numeric string); anything else is "auto". */
export function parseChunkSizeSetting(raw: unknown): ChunkSizeSetting {
  if (typeof raw === 'number' && Number.isFinite(raw) && raw > 0) return Math.round(raw);
  if (typeof raw === 'string') {
    const s = raw.trim().toLowerCase();
    if (s === 'auto' || s === '') return 'auto';
    const n = Number(s);
    if (Number.isFinite(n) && n > 0) return Math.round(n);
  }
  return 'auto';
}
