// The index of one document: its token array cut into blocks at content-defined line
// boundaries, one suffix array per block. Block boundaries depend only on nearby lines, so an edit
// (an insertion at the start included) changes one or two blocks; the others are found again by
// content key and reused, so a keystroke in a 5,000-line file rebuilds about a thousand tokens.
import type { DocTokens } from '../docTokens';
import { drain, type Steps } from '../steps';
import { OVERLAP, SuffixArray } from './suffixArray';

/** A block ends after a line whose token hash has these low bits zero (and MIN_BLOCK is reached). */
const BOUNDARY_MASK = 15;
const MIN_BLOCK = 256;
const MAX_BLOCK = 2048;

export interface Block {
  sa: SuffixArray;
  /** Token offset of the block's first own token in the document. */
  start: number;
}

function fnv(ids: ArrayLike<number>, from: number, to: number, h = 0x811c9dc5): number {
  for (let i = from; i < to; i++) {
    h ^= ids[i] & 0xffff;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Token offsets where blocks start (and the end), cut after boundary lines. */
export function blockStarts(dt: DocTokens): number[] {
  const out = [0];
  const { ids, lineStarts } = dt;
  const lines = lineStarts.length - 1;
  for (let l = 0; l < lines; l++) {
    const a = lineStarts[l], b = lineStarts[l + 1];
    const len = b - out[out.length - 1];
    if (len >= MAX_BLOCK || (len >= MIN_BLOCK && b > a && (fnv(ids, a, b) & BOUNDARY_MASK) === 0)) out.push(b);
  }
  if (out[out.length - 1] !== ids.length) out.push(ids.length);
  return out;
}

export class DocIndex {
  private blocks: Block[] = [];
  private byKey = new Map<string, SuffixArray>();
  tokens = 0;
  /** The token array indexed (a workspace store copies it into a segment). */
  ids?: ArrayLike<number>;
  /** Blocks built by the last update (the rest were reused). */
  lastBuilt = 0;

  /** Re-indexes the document from its token array, reusing unchanged blocks. */
  update(dt: DocTokens): void { drain(this.updateSteps(dt)); }

  /** update as steps (steps.ts): it may pause after each block it sorts; the index changes only at the end. */
  *updateSteps(dt: DocTokens): Steps<void> {
    const starts = blockStarts(dt);
    const next = new Map<string, SuffixArray>();
    const blocks: Block[] = [];
    let built = 0;
    for (let i = 0; i + 1 < starts.length; i++) {
      const a = starts[i], own = starts[i + 1] - a;
      const end = Math.min(dt.ids.length, starts[i + 1] + OVERLAP);
      const key = `${own}:${end - a}:${fnv(dt.ids, a, end).toString(36)}:${fnv(dt.ids, a, end, 0x2545f491).toString(36)}`;
      let sa = next.get(key) ?? this.byKey.get(key);
      if (!sa) {
        sa = new SuffixArray(Uint16Array.from(dt.ids.subarray(a, end)), own);
        built++;
        yield;
      }
      next.set(key, sa);
      blocks.push({ sa, start: a });
    }
    this.blocks = blocks;
    this.byKey = next;
    this.tokens = dt.ids.length;
    this.ids = dt.ids;
    this.lastBuilt = built;
  }

  get all(): readonly Block[] { return this.blocks; }

  get bytes(): number {
    let b = 0;
    for (const sa of this.byKey.values()) b += sa.bytes;
    return b;
  }
}
