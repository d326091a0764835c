"""RESHAPE, SQUEEZE, EXPAND_DIMS: shape-only ops, free of cost (their output aliases the
input's buffer, see passes/alias.py)."""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.base import OpSupport, no_macc

SHAPE_ONLY_OPS = ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")
_CONSTRAINTS = "any shape with the same element count and quantization; no copy (aliased)"


def _check_shape_only(graph: Graph, op: Op) -> str | None:
    source, target = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if source.dtype != target.dtype:
        return f"input type {source.dtype} differs from output type {target.dtype}"
    if source.quant != target.quant:
        return "input and output quantization differ"
    if source.size != target.size:
        return f"{source.size} input elements cannot become {target.size} output elements"
    return None


SUPPORT = [OpSupport(kind, _CONSTRAINTS, _check_shape_only, no_macc) for kind in SHAPE_ONLY_OPS]
