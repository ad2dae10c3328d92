// ROUGE recall between a reference summary and extracted text, with a tokenizer suited to
// code: identifiers are split into words (getDaysInMonth -> get days in month,
// max_len -> max len), lower-cased; English stop words can be dropped. Pure.

const STOP = new Set(
  (
    'a an the and or but if then else of to in on at by for with from as is are was were be been being it its this that these those ' +
    'which who whom what when where why how not no nor so than too very can will just should would could may might must do does did ' +
    'has have had having i we you he she they them their our your his her my me us there here into over under about after before ' +
    'between through during each all any both few more most other some such only own same also'
  ).split(' '),
);

/** Words of a text: identifiers split at case changes, digits and underscores; lower case. */
export function words(text: string, dropStopWords = true): string[] {
  const out: string[] = [];
  for (const raw of text.match(/[A-Za-z0-9]+/g) ?? []) {
    const parts = raw
      .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
      .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
      .replace(/([A-Za-z])([0-9])/g, '$1 $2')
      .split(' ');
    for (const p of parts) {
      const w = p.toLowerCase();
      if (w.length < 2 && !/[0-9]/.test(w)) continue;
      if (dropStopWords && STOP.has(w)) continue;
      out.push(w);
    }
  }
  return out;
}

function counts(ws: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const w of ws) m.set(w, (m.get(w) ?? 0) + 1);
  return m;
}

/** ROUGE-1 recall: share of the reference's words (with multiplicity) found in the candidate. */
export function rouge1Recall(reference: string[], candidate: string[]): number {
  if (reference.length === 0) return 0;
  const cand = counts(candidate);
  let hit = 0;
  for (const [w, n] of counts(reference)) hit += Math.min(n, cand.get(w) ?? 0);
  return hit / reference.length;
}

/** Length of the longest common subsequence (O(n*m) time, O(m) memory). */
export function lcsLength(a: string[], b: string[]): number {
  if (a.length === 0 || b.length === 0) return 0;
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
    cur.fill(0);
  }
  return prev[b.length];
}

/** ROUGE-L recall: LCS length / reference length. */
export function rougeLRecall(reference: string[], candidate: string[]): number {
  return reference.length === 0 ? 0 : lcsLength(reference, candidate) / reference.length;
}
