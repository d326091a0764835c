"""Shape-only ops (RESHAPE, SQUEEZE, EXPAND_DIMS) cost nothing: their output aliases
their input buffer, and the op leaves the schedule."""

from __future__ import annotations

from edgeai_tool.ir import Graph

SHAPE_ONLY_OPS = frozenset({"RESHAPE", "SQUEEZE", "EXPAND_DIMS"})


def alias_reshapes(graph: Graph) -> Graph:
    """Drop shape-only ops, making each output an alias (or, for constants, a copy)."""
    graph = graph.copy()
    kept = []
    for op in graph.ops:
        if op.kind not in SHAPE_ONLY_OPS or not _can_alias(graph, op.inputs[0], op.outputs[0]):
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


def _can_alias(graph: Graph, source_id: int, target_id: int) -> bool:
    source, target = graph.tensor(source_id), graph.tensor(target_id)
    if source.quant != target.quant or source.dtype != target.dtype:
        return False
    # A graph input reshaped straight into a graph output still needs a distinct output.
    return not (source_id in graph.inputs and target_id in graph.outputs)
