"""Print the model card's Markdown tables from models/eval/results.json (so the card quotes the run).

  python3 -m models.pipeline.card_tables models/eval/results.json
  python3 -m models.pipeline.card_tables models/eval/completion.json    (the index evaluation)
"""
from __future__ import annotations

import json
import sys
from pathlib import Path


def table(head: list[str], rows: list[list]) -> str:
    out = ['| ' + ' | '.join(head) + ' |', '|' + '---|' * len(head)]
    out += ['| ' + ' | '.join(str(c) for c in r) + ' |' for r in rows]
    return '\n'.join(out)


def completion(r: dict) -> None:
    print(f"### Line completions with the exact index ({r['cases']} held-out cases, "
          f"{100 * r['midLineShare']:.0f}% mid-line; gate thresholds cat {r['thresholds']['cat']}, dense {r['thresholds']['dense']})\n")
    rows = []
    for k, v in r['rows'].items():
        ms = f"{v['msP50']:.0f} / {v['msP90']:.0f}" if 'msP50' in v else '—'
        rows.append([k, f"{100 * v['exactMatch']:.1f}%", f"{v['editSimilarity']:.3f}", f"{100 * v['shown']:.1f}%",
                     f"{100 * v['precision']:.1f}%", f"{100 * v['rightPerCase']:.1f}%", ms])
    print(table(['configuration, other files open', 'exact match', 'edit similarity', 'shown', 'precision', 'right per case', 'ms p50 / p90'], rows))
    if 'copyable' in r:
        print('\nCompleted line a whole line of the indexed text (what copying can reach): '
              + ', '.join(f"{k} {100 * v:.1f}%" for k, v in r['copyable'].items()) + '.')
    if 'workspace' in r:
        w = r['workspace']
        print(f"Workspace setting: budget {w['budgetTokens']:,} tokens, index p50 {w['indexTokensP50']:,} tokens (max {w['indexTokensMax']:,}).")


def main(path: str) -> int:
    r = json.loads(Path(path).read_text())
    if 'rows' in r and 'gateCurves' in r:
        completion(r)
        return 0
    bpb = r['bitsPerByte']['byConfig']
    dense = bpb['dense']['bitsPerByte']
    print(f"### Bits per byte, held-out packages ({r['bitsPerByte']['files']} files, first "
          f"{r['bitsPerByte']['maxBytesPerFile']} bytes each)\n")
    print(table(['model', 'bits/byte', 'vs dense', 'tokens'],
                [[k, f"{v['bitsPerByte']:.3f}", f"{100 * (v['bitsPerByte'] / dense - 1):+.1f}%", v['tokens']] for k, v in bpb.items()]))
    pos = r['bitsPerByteByPosition']
    names = list(pos)
    spans = [f"{p['fromTokens']}-{p['toTokens']}" for p in pos[names[0]]]
    print('\n### Bits per byte by token position (one long held-out sequence)\n')
    print(table(['tokens'] + names, [[s] + [f"{pos[n][i]['bitsPerByte']:.3f}" for n in names] for i, s in enumerate(spans)]))
    print('\n### Next-line completion (greedy, held-out files, the model alone)\n')
    lines = r['nextLine']
    pkgs = sorted({p for v in lines.values() for p in v.get('byPackage', {})})
    ci = lambda v: f"{100 * v['exactMatch95'][0]:.1f}-{100 * v['exactMatch95'][1]:.1f}%" if 'exactMatch95' in v else '—'
    print(table(['model', 'cases (files)', 'exact match', '95% (files resampled)', 'package mean'] + pkgs + ['edit similarity', 'mean ms'],
                [[k, f"{v['cases']} ({v.get('files', '?')})", f"{100 * v['exactMatch']:.1f}%", ci(v),
                  f"{100 * v['packageMeanExactMatch']:.1f}%" if 'packageMeanExactMatch' in v else '—']
                 + [f"{100 * v['byPackage'][p]['exactMatch']:.1f}%" if p in v.get('byPackage', {}) else '—' for p in pkgs]
                 + [f"{v['editSimilarity']:.3f}", f"{v['meanMs']:.0f}"] for k, v in lines.items()]))
    rec = r['recall']['byConfig']
    dists = list(next(iter(rec.values())))
    print(f"\n### In-context recall (accuracy, {r['recall']['casesPerDistance']} cases per distance)\n")
    print(table(['model'] + [f'{d} tokens' for d in dists], [[k] + [f"{100 * v[d]:.0f}%" for d in dists] for k, v in rec.items()]))
    if 'recallGainBits' in r:
        g = r['recallGainBits']['byConfig']
        print(f"\n### Recall gain (bits saved on the use line by the matching definition vs another name; "
              f"{r['recallGainBits']['casesPerDistance']} cases per distance)\n")
        print(table(['model'] + [f'{d} tokens' for d in dists], [[k] + [f"{v[d]:+.2f}" for d in dists] for k, v in g.items()]))
    print(f"\n(evaluation wall time {r['wallSeconds']} s)")
    return 0


if __name__ == '__main__':
    raise SystemExit(main(sys.argv[1]))
