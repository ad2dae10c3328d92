// The map a summary shows: top-level declarations grouped as the file groups them (`@category`
// tags, section banners; headings nest), each with its line and doc sentence, members under
// their container, capped for huge files with counts of what was left out.
import type { Decl, FileMap, MapEntry, MapGroup, ParsedOutline } from './types';

export interface MapCaps {
  /** Top-level entries shown at most (exported ones first when there are more). */
  top: number;
  /** Exported top-level entries are shown up to this many even past `top` (a module's API is its map). */
  exported: number;
  /** Members shown under one container. */
  children: number;
  /** Entries shown in all. */
  total: number;
  /** Depth of nesting shown (0 = top level only). */
  depth: number;
}

export const DEFAULT_CAPS: MapCaps = { top: 200, exported: 400, children: 8, total: 320, depth: 2 };

const baseKind = (k: string) => k.split(' + ')[0];

function countKinds(ds: Decl[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const d of ds) out[baseKind(d.kind)] = (out[baseKind(d.kind)] ?? 0) + 1;
  return out;
}

/** A Markdown document's single title heading is the document itself: its sections are the top level. */
function topLevel(p: ParsedOutline): Decl[] {
  if (p.language === 'markdown' && p.decls.length === 1 && p.decls[0].children.length) return p.decls[0].children;
  return p.decls;
}

export function buildMap(p: ParsedOutline, caps: MapCaps = DEFAULT_CAPS): FileMap {
  const top = topLevel(p);
  const shownTop = new Set<Decl>();
  const exported = top.filter((d) => d.exported);
  const limit = Math.max(caps.top, Math.min(exported.length, caps.exported));
  if (top.length <= limit) top.forEach((d) => shownTop.add(d));
  else {
    // exported first, then documented, then the rest; each tier spread evenly over the file
    const tiers = [exported, top.filter((d) => !d.exported && d.doc), top.filter((d) => !d.exported && !d.doc)];
    for (const tier of tiers) for (const d of evenly(tier, limit - shownTop.size)) shownTop.add(d);
  }
  // huge files: top level only
  const depth = top.length > caps.top ? 0 : caps.depth;
  let budget = caps.total - shownTop.size;
  const entry = (d: Decl, level: number): MapEntry[] => {
    const e: MapEntry = { name: d.name, kind: d.kind, line: d.line + 1, depth: level };
    if (d.doc) e.doc = d.doc;
    if (d.exported) e.exported = true;
    if (d.merged && d.merged > 1) e.merged = d.merged;
    const out = [e];
    if (level < depth && d.children.length) {
      const n = Math.max(0, Math.min(d.children.length, caps.children, budget));
      budget -= n;
      for (const c of d.children.slice(0, n)) out.push(...entry(c, level + 1));
      if (d.children.length > n) e.moreChildren = d.children.length - n;
    }
    return out;
  };

  const categorized = top.filter((d) => d.category).length;
  const groupedBy = p.language === 'markdown' ? 'heading' : categorized >= Math.max(2, top.length / 4) ? 'category' : top.some((d) => d.group) ? 'section' : 'none';
  const groups: MapGroup[] = [];
  const byTitle = new Map<string | undefined, MapGroup>();
  for (const d of top) {
    if (!shownTop.has(d)) continue;
    let title: string | undefined;
    if (groupedBy === 'category') title = d.category ?? 'Other';
    else if (groupedBy === 'section') title = d.group;
    let g = byTitle.get(title);
    if (!g) { g = { title, entries: [] }; byTitle.set(title, g); groups.push(g); }
    g.entries.push(...entry(d, 0));
  }
  if (groupedBy === 'category') {
    const other = byTitle.get('Other');
    if (other) groups.push(...groups.splice(groups.indexOf(other), 1));
  }
  const left = top.filter((d) => !shownTop.has(d));
  return {
    source: p.language, groupedBy, groups, total: top.length, shown: shownTop.size, more: left.length,
    moreByKind: countKinds(left), byKind: countKinds(top),
  };
}

/** At most n items, evenly spaced, in order. */
function evenly<T>(items: T[], n: number): T[] {
  if (n <= 0) return [];
  if (items.length <= n) return items;
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

/** Every declaration, depth first (tests, the exports check). */
export function flatDecls(ds: Decl[]): Decl[] {
  return ds.flatMap((d) => [d, ...flatDecls(d.children)]);
}
