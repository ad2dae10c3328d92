// Lookup drafting: the index proposes the next tokens, the decoder checks them in one call. The
// sampler still picks every token from the same logits, so the suggestion must be the same with
// drafting on and off (greedy and seeded top-p), on CAT (drafts stay inside a chunk) and dense.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recallParams, TINY_DENSE, tinyEngineLoader } from './helpers';

const { load } = tinyEngineLoader();

/** lam: the index's weight at long matches; a low one lets the model overrule drafts (rejections). */
const params = (lam: number) => recallParams({ long: [lam, lam], dense: [lam, lam] });

const block = [
  'export function totalOf(orders: Order[], taxRate: number): number {',
  '  let sum = 0;',
  '  for (const order of orders) sum += order.price * order.quantity;',
  '  return sum * (1 + taxRate);',
  '}',
  '',
].join('\n');

for (const kind of ['cat', 'dense'] as const) {
  test(`${kind}: drafting on and off give the same suggestion, in fewer decoder calls on repeated text`, async () => {
    const eng = await load(kind === 'dense' ? { modelDir: TINY_DENSE } : {});
    const text = block + 'const x = 1;\n' + block.slice(0, 40);
    eng.updateDocument('d', 1, text);
    let savedCalls = 0, accepted = 0, rejected = 0;
    for (const C of kind === 'cat' ? [4, 16] : [0]) {
      for (const [lam, sampling] of [[0.98, {}], [0.98, { temperature: 0.8, topP: 0.9, seed: 7 }], [0.02, {}], [0.02, { temperature: 1, topP: 1, seed: 3 }]] as const) {
        eng.recall.params = params(lam);
        const req = { docId: 'd', version: 1, offset: text.length, chunkSize: C, mode: 'multiline' as const, maxTokens: 48, maxLines: 4, minConfidence: 0, ...sampling };
        const off = await eng.complete({ ...req, lookupDraft: false });
        const on = await eng.complete({ ...req, lookupDraft: true });
        const again = await eng.complete({ ...req, lookupDraft: false });   // the state after drafting is sound
        assert.equal(on.text, off.text, `C=${C} lambda ${lam} ${JSON.stringify(sampling)}`);
        assert.equal(again.text, off.text);
        assert.equal(on.tokens, off.tokens);
        // the steps the gate reads are the same (estimates kept from the draft; logits of one wider call
        // differ from one-token calls in the last float digits)
        const fOn = on.gate?.features ?? [], fOff = off.gate?.features ?? [];
        assert.equal(fOn.length, fOff.length);
        fOn.forEach((v, i) => assert.ok(Math.abs(v - fOff[i]) <= 1e-6 * Math.max(1, Math.abs(v)), `gate feature ${i}: ${v} vs ${fOff[i]}`));
        assert.equal(off.timing?.drafted, 0);
        assert.ok((on.timing?.accepted ?? 0) <= (on.timing?.drafted ?? 0));
        savedCalls += (off.timing?.decodeCalls ?? 0) - (on.timing?.decodeCalls ?? 0);
        accepted += on.timing?.accepted ?? 0;
        rejected += (on.timing?.drafted ?? 0) - (on.timing?.accepted ?? 0);
      }
    }
    assert.ok(accepted >= 8, `the repeated block is drafted and accepted (${accepted})`);
    assert.ok(rejected > 0, 'drafts the sampler overruled were rolled back');
    assert.equal(savedCalls, accepted, 'every accepted token is a decoder call saved');
  });
}
