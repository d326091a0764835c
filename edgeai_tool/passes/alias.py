"""Shape-only ops (RESHAPE, SQUEEZE, EXPAND_DIMS) cost nothing: their output aliases
their input buffer, and the op leaves the schedule."""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.check import is_supported
from edgeai_tool.ops.shape import SHAPE_ONLY_OPS


def alias_reshapes(graph: Graph) -> Graph:
    """Drop shape-only ops, making each output an alias (or, for constants, a copy)."""
    graph = graph.copy()
    kept = []
    for op in graph.ops:
        if not _can_alias(graph, op):
            kept.append(op)
            continue
        source = graph.tensor(op.inputs[0])
        target = graph.tensor(op.outputs[0])
        if source.is_constant:
            target.data = source.data.reshape(target.shape)
        else:
            target.alias_of = source.id
    graph.ops = kept
    return graph


def _can_alias(graph: Graph, op: Op) -> bool:
    if op.kind not in SHAPE_ONLY_OPS or not is_supported(graph, op):
        return False
    # The check made sure type and quantization are kept. A graph input reshaped straight
    # into a graph output still needs a distinct output.
    return not (op.inputs[0] in graph.inputs and op.outputs[0] in graph.outputs)
