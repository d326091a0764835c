"""MEAN, int8 and 16x8: what it accepts (TFLite Micro's axis rules) and what it costs (ST counts one
operation per input element)."""

from __future__ import annotations

import numpy as np

from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.base import OpSupport, quantized_per_tensor, same_dtype

CONSTRAINTS = (
    "int8 input (rank 1 to 5) and output, per-tensor quantized (any scales and zero points); "
    "constant int32 axis, any subset of the dimensions, negative and repeated values "
    "allowed; keep_dims true or false; or int16 (16x8, zero point 0) input and output"
)


def resolve_axes(axes: list[int], rank: int) -> list[int] | None:
    """TFLM's ResolveAxis: negative axes count from the end, duplicates dropped, sorted."""
    resolved: list[int] = []
    for axis in axes:
        current = axis + rank if axis < 0 else axis
        if not 0 <= current < rank:
            return None
        if current not in resolved:
            resolved.append(current)
    return sorted(resolved)


def mean_axes(graph: Graph, op: Op) -> tuple[list[int] | None, str | None]:
    axis = graph.tensor(op.inputs[1])
    if not axis.is_constant:
        return None, "axis computed at run time is not supported (constant only)"
    if axis.dtype != "int32":
        return None, f"axis of type {axis.dtype} is not supported (int32 only)"
    values = [int(v) for v in np.asarray(axis.data).reshape(-1)]
    rank = len(graph.tensor(op.inputs[0]).shape)
    resolved = resolve_axes(values, rank)
    if resolved is None:
        return None, f"axis {values} is out of range for rank {rank}"
    return resolved, None


def check_mean(graph: Graph, op: Op) -> str | None:
    """None when the MEAN is supported, else the reason."""
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (2 and 1 expected)"
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    reason = (quantized_per_tensor("input", x, ("int8", "int16"))
              or quantized_per_tensor("output", y, ("int8", "int16")) or same_dtype(x, y))
    if reason:
        return reason
    if x.is_constant:
        return "constant input is not supported (the converter folds such ops)"
    if not 1 <= len(x.shape) <= 5 or x.size == 0:
        return f"input shape {list(x.shape)} is not supported (rank 1 to 5, not empty)"
    axes, reason = mean_axes(graph, op)
    if reason:
        return reason
    keep = bool(op.options.get("keep_dims", False))
    expected = [1 if d in axes else n for d, n in enumerate(x.shape)] if keep else \
        [n for d, n in enumerate(x.shape) if d not in axes]
    if list(y.shape) != expected:
        return f"output shape {list(y.shape)} differs from {expected} (axis {axes}, " \
               f"keep_dims {keep})"
    if not x.scale > 0 or not y.scale > 0:
        return "scales must be positive"
    return None


def mean_macc(graph: Graph, op: Op) -> int:
    return graph.tensor(op.inputs[0]).size


SUPPORT = [OpSupport("MEAN", CONSTRAINTS, check_mean, mean_macc)]
