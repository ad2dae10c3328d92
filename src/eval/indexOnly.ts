// The "index alone" row: greedy decoding from the exact index's counts (no model), with the same
// token healing as the engine; stops at the end of the line or when the context no longer occurs.
import type { DocTokenizer } from '../engine/tokenizer';
import { Healer } from '../engine/recall/heal';
import { TokenIndex } from '../engine/recall/tokenIndex';
import { workspaceTokens } from '../engine/recall/workspaceFiles';

export function indexOnlyLine(tok: DocTokenizer, vocab: number, before: string, others: string[], maxTokens = 48): { text: string; k: number } {
  const idx = new TokenIndex();
  const doc = workspaceTokens(Buffer.from(before, 'utf8'), tok).tokens;
  if (!doc || doc.ids.length === 0) return { text: '', k: 0 };
  const lastLine = doc.lineStarts.length - 2;
  idx.update('doc', doc);
  others.forEach((t, i) => { const d = workspaceTokens(Buffer.from(t, 'utf8'), tok).tokens; if (d) idx.update(`o${i}`, d); });
  const ctx = Array.from(doc.ids);
  const lineHasText = doc.lineStarts[lastLine] < doc.ids.length && !before.endsWith('\n');
  const healer = lineHasText ? new Healer(tok, tok.tokenBytes(ctx.pop() as number), vocab) : undefined;
  const lookup = idx.lookup(undefined, { docId: 'doc', from: doc.lineStarts[lastLine], to: doc.ids.length + 1 });
  const out: number[] = [];
  let k = 0, firstK = -1;
  const row = new Float32Array(vocab);
  for (let step = 0; step < maxTokens; step++) {
    const e = lookup.estimate(ctx, ctx.length, step ? k + 1 : undefined);
    if (firstK < 0) firstK = e.k;
    k = e.k;
    if (e.k === 0) break;
    row.fill(-Infinity);
    for (const [id, c] of e.counts) row[id] = c;
    healer?.mask(row);
    let best = -1;
    for (const [id] of e.counts) if (row[id] > -Infinity && (best < 0 || row[id] > row[best])) best = id;
    if (best < 0 || tok.isSpecial(best)) break;
    healer?.advance(best);
    out.push(best);
    ctx.push(best);
    if (tok.tokenBytes(best).includes(0x0a)) break;
  }
  const skip = healer?.bytes.length ?? 0;
  const text = new TextDecoder().decode(tok.decodeBytes(out).subarray(skip));
  return { text: text.split('\n')[0].replace(/\r$/, '').trimEnd(), k: Math.max(0, firstK) };
}
