// Renders a benchmark run as Markdown and as a hand-written SVG chart (no dependencies).
import type { CompressionRow, ContextRow, EditRow } from './measure';
import type { TargetRow } from './targets';

export interface BenchReport {
  when: string;
  machine: { cpus: number; cpuModel: string; node: string; provider: string; threads: number };
  models: { cat: string; dense?: string; note?: string };
  source: string;
  results: ContextRow[];
  edits: EditRow[];
  compression: CompressionRow[];
  tokenizer: { bytes: number; ms: number; mbPerSecond: number; tokensPerSecond: number; editReencodeMs: number; editLines: number };
  targets: TargetRow[];
  notes: string[];
}

const n = (x: number | null | undefined, d = 1) => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const kb = (b: number | null) => (b === null ? '—' : b >= 1 << 20 ? `${(b / (1 << 20)).toFixed(1)} MiB` : `${(b / 1024).toFixed(0)} KiB`);
const label = (r: { model: string; chunkSize: number }) => (r.model === 'cat' ? `CAT C=${r.chunkSize}` : 'dense');

export function toMarkdown(r: BenchReport): string {
  const out: string[] = [];
  out.push(`# Benchmarks (${r.when})`, '');
  out.push(`Machine: ${r.machine.cpus} CPU cores (${r.machine.cpuModel}), Node ${r.machine.node}, provider ${r.machine.provider}, ${r.machine.threads} intra-op threads.`);
  out.push(`Models: ${r.models.cat}${r.models.dense ? ` and ${r.models.dense}` : ''}.${r.models.note ? ` ${r.models.note}` : ''} Text: ${r.source}.`, '');
  out.push('## Targets', '', '| target | measured | goal | met |', '|---|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.name} | ${t.measured} | ${t.target} | ${t.met === null ? 'not run' : t.met ? 'yes' : 'no'} |`);
  out.push('', '## Context length: CAT at every chunk size vs dense', '');
  out.push('| model | context tokens | decode ms/token p50 | p90 | TTFT cold ms | TTFT warm ms | prefill ms | context memory | note |', '|---|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const x of r.results) {
    out.push(`| ${label(x)} | ${x.contextTokens} | ${n(x.decodeMsP50, 2)} | ${n(x.decodeMsP90, 2)} | ${n(x.ttftColdMs)} | ${n(x.ttftWarmMs)} | ${n(x.prefillMs)} | ${kb(x.contextBytes)} | ${x.note ?? ''} |`);
  }
  if (r.edits.length) {
    out.push('', `## Re-prefill after a one-line edit (${r.edits[0].lines}-line file, completion at the end)`, '');
    out.push('| model | edit at | line | prefill ms | TTFT ms | rows reused | rows computed |', '|---|---|---:|---:|---:|---:|---:|');
    for (const e of r.edits) out.push(`| ${label(e)} | ${e.where} | ${e.line} | ${n(e.prefillMs)} | ${n(e.ttftMs)} | ${e.reusedRows} | ${e.computedRows} |`);
  }
  if (r.compression.length) {
    out.push('', '## Background compression throughput (cold cache, batched compressor calls)', '');
    out.push('| chunk size | tokens | ms | tokens/s |', '|---:|---:|---:|---:|');
    for (const c of r.compression) out.push(`| ${c.chunkSize} | ${c.tokens} | ${n(c.ms)} | ${c.tokensPerSecond} |`);
  }
  const t = r.tokenizer;
  out.push('', '## Tokenizer', '', `Canonical encoding of ${t.bytes} bytes, no cache: ${n(t.ms)} ms = ${n(t.mbPerSecond, 2)} MB/s, ${t.tokensPerSecond} tokens/s. Re-encoding a ${t.editLines}-line document after a one-line edit (line cache + byte diff): ${n(t.editReencodeMs, 2)} ms.`);
  if (r.notes.length) out.push('', '## Notes', '', ...r.notes.map((x) => `- ${x}`));
  out.push('', '![benchmark chart](bench.svg)', '');
  return out.join('\n');
}

const decimalBytes = (b: number) => (b >= 1e9 ? `${b / 1e9} GB` : b >= 1e6 ? `${b / 1e6} MB` : b >= 1e3 ? `${b / 1e3} kB` : `${b} B`);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const COLORS = ['#1b9e77', '#66a61e', '#e6ab02', '#7570b3', '#e7298a', '#d95f02', '#a6761d'];

/** Two panels (decode ms/token, context memory), log-scale bars grouped by context length. */
export function toSvg(r: BenchReport): string {
  const sizes = [...new Set(r.results.map((x) => x.contextTokens))].sort((a, b) => a - b);
  const series = [...new Set(r.results.map((x) => label(x)))];
  const W = 860, panelH = 250, top = 40, left = 70, gap = 70;
  const panels: { title: string; value: (x: ContextRow) => number | null; unit: string }[] = [
    { title: 'Decode latency, ms per token (p50, log scale)', value: (x) => x.decodeMsP50, unit: 'ms' },
    { title: 'Context memory, keys/values + compressed vectors (log scale)', value: (x) => x.contextBytes, unit: 'B' },
  ];
  const H = top + panels.length * (panelH + gap) + 30;
  const s: string[] = [];
  s.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`);
  s.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  s.push(`<text x="${left}" y="20" font-size="14" font-weight="bold">CAT vs dense, ${esc(r.machine.provider)} (${r.machine.cpus} cores) — ${esc(r.when)}</text>`);
  series.forEach((name, i) => {
    const x = left + i * 105;
    s.push(`<rect x="${x}" y="${H - 22}" width="10" height="10" fill="${COLORS[i % COLORS.length]}"/><text x="${x + 14}" y="${H - 13}">${esc(name)}</text>`);
  });
  panels.forEach((p, pi) => {
    const y0 = top + pi * (panelH + gap) + 20;
    const vals = r.results.map(p.value).filter((v): v is number => v !== null && v > 0);
    if (vals.length === 0) return;
    const lo = Math.floor(Math.log10(Math.min(...vals))), hi = Math.ceil(Math.log10(Math.max(...vals)));
    const span = Math.max(1, hi - lo);
    const yOf = (v: number) => y0 + panelH - ((Math.log10(v) - lo) / span) * panelH;
    s.push(`<text x="${left}" y="${y0 - 8}" font-size="12" font-weight="bold">${esc(p.title)}</text>`);
    for (let e = lo; e <= hi; e++) {
      const y = yOf(10 ** e);
      const lab = p.unit === 'B' ? decimalBytes(10 ** e) : `${10 ** e}`;
      s.push(`<line x1="${left}" x2="${W - 10}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${left - 6}" y="${y + 4}" text-anchor="end">${esc(lab)}</text>`);
    }
    const groupW = (W - left - 20) / sizes.length;
    const barW = Math.max(4, (groupW - 20) / series.length);
    sizes.forEach((size, gi) => {
      const gx = left + 10 + gi * groupW;
      s.push(`<text x="${gx + (groupW - 20) / 2}" y="${y0 + panelH + 16}" text-anchor="middle">${size >= 1024 ? `${size / 1024}k` : size} tokens</text>`);
      series.forEach((name, si) => {
        const row = r.results.find((x) => x.contextTokens === size && label(x) === name);
        const v = row ? p.value(row) : null;
        const x = gx + si * barW;
        if (v === null || !(v > 0)) {
          s.push(`<text x="${x + barW / 2}" y="${y0 + panelH - 4}" text-anchor="middle" fill="#999">×</text>`);
          return;
        }
        const y = yOf(v);
        s.push(`<rect x="${x}" y="${y}" width="${barW - 1}" height="${y0 + panelH - y}" fill="${COLORS[si % COLORS.length]}"><title>${esc(name)}, ${size} tokens: ${p.unit === 'B' ? kb(v) : `${v} ms`}</title></rect>`);
      });
    });
  });
  s.push('</svg>');
  return `${s.join('\n')}\n`;
}
