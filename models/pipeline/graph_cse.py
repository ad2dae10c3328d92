"""Common-subexpression elimination on an exported ONNX graph (math unchanged).

The tracer writes a size read from a tensor's shape anew at every use: each reshape of the step
graph builds its own [B, T, H, hd] from Unsqueeze + Concat, each head its own slice bounds. The
runtime dispatches every node on every decode step, and its own CSE does not merge them (their
constant inputs are distinct nodes with equal values). This pass merges nodes with the same op,
attributes and (already merged) inputs, constants by value, in the graph's topological order.
Nodes that write a graph output are kept, so input and output names do not change.

  python3 -m models.pipeline.graph_cse IN.onnx [OUT.onnx]      # prints the node counts
"""
from __future__ import annotations

import sys

import onnx

# ops whose output is not a function of their inputs and attributes
NONDETERMINISTIC = {'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial', 'Bernoulli'}


def attr_bytes(a: onnx.AttributeProto) -> bytes:
    """An attribute's value as bytes; a tensor's own name does not count (equal constants are equal)."""
    if a.type == onnx.AttributeProto.TENSOR and a.t.name:
        a = onnx.AttributeProto.FromString(a.SerializeToString())
        a.t.name = ''
    return a.SerializeToString()


def eliminate(model: onnx.ModelProto) -> int:
    """Merges duplicate nodes of model.graph in place; returns how many were removed."""
    g = model.graph
    if any(a.type == onnx.AttributeProto.GRAPH for n in g.node for a in n.attribute):
        return 0                                             # subgraphs (If, Loop) capture names: leave them
    outputs = {o.name for o in g.output}
    rename: dict[str, str] = {}
    seen: dict[tuple, onnx.NodeProto] = {}
    kept = []
    for n in g.node:
        for i, x in enumerate(n.input):
            if x in rename:
                n.input[i] = rename[x]
        attrs = tuple(sorted((a.name, attr_bytes(a)) for a in n.attribute))
        key = (n.domain, n.op_type, tuple(n.input), attrs, len(n.output))
        first = seen.get(key)
        if first is None or n.op_type in NONDETERMINISTIC or any(o in outputs for o in n.output):
            seen.setdefault(key, n)
            kept.append(n)
            continue
        for mine, theirs in zip(n.output, first.output):
            rename[mine] = theirs
    removed = len(g.node) - len(kept)
    del g.node[:]
    g.node.extend(kept)
    return removed


def main(argv: list[str]) -> int:
    src = argv[0]
    dst = argv[1] if len(argv) > 1 else src
    m = onnx.load(src)
    before = len(m.graph.node)
    removed = eliminate(m)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    print(f'{src}: {before} -> {before - removed} nodes')
    return 0


if __name__ == '__main__':
    raise SystemExit(main(sys.argv[1:]))
