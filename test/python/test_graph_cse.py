"""graph_cse: duplicate nodes merged (constants by value), graph outputs and their names kept."""
import onnx
from onnx import TensorProto, helper

from models.pipeline.graph_cse import eliminate


def const(name: str, value: int) -> onnx.NodeProto:
    return helper.make_node('Constant', [], [name], value=helper.make_tensor(name + '_v', TensorProto.INT64, [1], [value]))


def test_merges_duplicates_and_keeps_outputs():
    nodes = [
        helper.make_node('Shape', ['x'], ['s1']),
        helper.make_node('Shape', ['x'], ['s2']),                 # same as s1
        const('c1', 0), const('c2', 0), const('c3', 1),           # c2 equals c1 by value; c3 differs
        helper.make_node('Gather', ['s1', 'c1'], ['g1'], axis=0),
        helper.make_node('Gather', ['s2', 'c2'], ['g2'], axis=0), # same as g1 once s2 -> s1, c2 -> c1
        helper.make_node('Gather', ['s2', 'c3'], ['g3'], axis=0), # another index: kept
        helper.make_node('Add', ['g1', 'g2'], ['y']),
        helper.make_node('Add', ['g1', 'g1'], ['z']),             # equal to y after merging, but a graph output
        helper.make_node('Add', ['g3', 'g3'], ['w']),
    ]
    g = helper.make_graph(nodes, 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['n', 'm'])],
                          [helper.make_tensor_value_info(o, TensorProto.INT64, [1]) for o in ('y', 'z', 'w')])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
    removed = eliminate(m)
    onnx.checker.check_model(m)
    assert removed == 3                                           # s2, c2, g2
    names = [n.output[0] for n in m.graph.node]
    assert names == ['s1', 'c1', 'c3', 'g1', 'g3', 'y', 'z', 'w']
    y = next(n for n in m.graph.node if n.output[0] == 'y')
    assert list(y.input) == ['g1', 'g1']
    assert [o.name for o in m.graph.output] == ['y', 'z', 'w']
