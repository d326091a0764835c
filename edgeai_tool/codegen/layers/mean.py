"""MEAN, int8: average over any set of axes, with requantization.

Bit-exact with TFLite Micro, whose int8 MEAN always runs reference QuantizedMeanOrSum
(whatever the axes and keep_dims; keep_dims only shapes the output): an int32 sum per
output, minus n * zp_in, then MultiplyByQuantizedMultiplier with 1/n folded into the
multiplier of scale_in / scale_out the way TFLM folds it (see `mean_multiplier`).
Structure (loops over kept and reduced dimensions) is resolved here; ST counts one
operation per input element (macc = input elements).
"""

from __future__ import annotations

import math

import numpy as np

from edgeai_tool.codegen.layers.base import Buffer, LayerCode, OpSupport, require
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.quant import quantize_multiplier

LOOPS = 3  # EDGEAI_MEAN_LOOPS
CONSTRAINTS = (
    "int8 input (rank 1 to 5) and output, per-tensor quantized (any scales and zero points); "
    "constant int32 axis, any subset of the dimensions, negative and repeated values "
    "allowed; keep_dims true or false"
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


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """(multiplier, shift) of TFLM's QuantizedMeanOrSum for `count` values per output."""
    multiplier, shift = quantize_multiplier(float(input_scale) / float(output_scale))
    if count <= 0:
        return multiplier, shift
    fold = min(count.bit_length() - 1, 32, 31 + shift)
    return int((multiplier << fold) // count), shift - fold


def _axes(graph: Graph, op: Op) -> tuple[list[int] | None, str | None]:
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


def _check_tensor(role: str, tensor: Tensor) -> str | None:
    if tensor.dtype != "int8":
        return f"{role} type {tensor.dtype} is not supported (int8 only)"
    if tensor.quant is None or tensor.quant.per_channel:
        return f"{role} needs per-tensor quantization"
    return None


def check_mean(graph: Graph, op: Op) -> str | None:
    """None when the MEAN is supported, else the reason."""
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (2 and 1 expected)"
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    reason = _check_tensor("input", x) or _check_tensor("output", y)
    if reason:
        return reason
    if x.is_constant:
        return "constant input is not supported (the converter folds such ops)"
    if not 1 <= len(x.shape) <= 5 or x.size == 0:
        return f"input shape {list(x.shape)} is not supported (rank 1 to 5, not empty)"
    axes, reason = _axes(graph, op)
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


def _loops(dims: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """(counts, steps) of nested loops over (size, stride) dims, merged, padded to LOOPS."""
    merged: list[tuple[int, int]] = []
    for size, stride in dims:
        if size == 1:
            continue
        if merged and merged[-1][1] == size * stride:
            merged[-1] = (merged[-1][0] * size, stride)
        else:
            merged.append((size, stride))
    require(len(merged) <= LOOPS, f"MEAN: {len(merged)} loops exceed {LOOPS}")
    merged = [(1, 0)] * (LOOPS - len(merged)) + merged
    return [m[0] for m in merged], [m[1] for m in merged]


def lower_mean(graph: Graph, op: Op) -> LayerCode:
    """MEAN -> edgeai_mean_s8."""
    reason = check_mean(graph, op)
    require(reason is None, f"MEAN: {reason}")
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    axes, _ = _axes(graph, op)
    strides = [math.prod(x.shape[d + 1:]) for d in range(len(x.shape))]
    kept = [(n, s) for d, (n, s) in enumerate(zip(x.shape, strides, strict=True))
            if d not in axes]
    reduced = [(n, s) for d, (n, s) in enumerate(zip(x.shape, strides, strict=True))
               if d in axes]
    outer_count, outer_step = _loops(kept)
    inner_count, inner_step = _loops(reduced)
    count = math.prod(x.shape[d] for d in axes)
    multiplier, shift = mean_multiplier(x.scale, y.scale, count)
    bias = (-int(x.zero_point) * count + (1 << 31)) % (1 << 32) - (1 << 31)
    return LayerCode(
        kernel="edgeai_mean_s8", header="edgeai_mean.h", params_type="edgeai_mean_params",
        params={"outer_count": tuple(outer_count), "outer_step": tuple(outer_step),
                "inner_count": tuple(inner_count), "inner_step": tuple(inner_step)},
        data_type="edgeai_mean_data",
        data={"bias": bias, "multiplier": multiplier, "shift": shift,
              "output_offset": y.zero_point},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        macc=x.size, c_type="Reduce",
    )


SUPPORT = [OpSupport("MEAN", CONSTRAINTS, check_mean)]
LOWERINGS = {"MEAN": lower_mean}
