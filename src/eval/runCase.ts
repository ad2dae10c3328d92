// One completion case through the engine: the file cut at the cursor, optionally the package's
// other files open (their text as documents, passed as context), the same defaults as the
// extension's inline completions (line mode, default chunk size, the default budget of other files'
// compressed entries unless contextEntryBudget says otherwise).
import type { Engine } from '../engine/index';
import type { CompletionResult } from '../engine/types';
import type { CompletionCase } from './completionCases';
import { manifestDefault } from './manifest';

let seq = 0;

export async function runCase(eng: Engine, c: CompletionCase, o: { others: boolean; useIndex: boolean; minConfidence?: number; chunkSize?: number; lookupDraft?: boolean; contextEntryBudget?: number }): Promise<CompletionResult & { text: string }> {
  const id = `case-${++seq}`;
  const ctxIds = o.others ? c.others.map((_, i) => `${id}-o${i}`) : [];
  eng.updateDocument(id, 1, c.before);
  if (o.others) c.others.forEach((f, i) => eng.updateDocument(ctxIds[i], 1, f.text));
  try {
    const r = await eng.complete({
      docId: id, version: 1, offset: c.before.length, chunkSize: o.chunkSize ?? eng.info.defaultChunkSize, mode: 'line', maxTokens: 48,
      useSuffix: 'auto', contextDocIds: ctxIds, contextEntryBudget: o.others ? o.contextEntryBudget ?? manifestDefault('cat.context.crossFileEntryBudget') : 0, useIndex: o.useIndex, minConfidence: o.minConfidence, lookupDraft: o.lookupDraft,
    });
    return { ...r, text: r.text.split('\n')[0].trimEnd() };
  } finally {
    eng.closeDocument(id);
    for (const x of ctxIds) eng.closeDocument(x);
  }
}
