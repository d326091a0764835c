"""MEAN, int8 or int16 (16x8): average over any set of axes, with requantization.

Bit-exact with TFLite Micro, whose int8 MEAN always runs reference QuantizedMeanOrSum
(whatever the axes and keep_dims; keep_dims only shapes the output): an int32 sum per
output, minus n * zp_in, then MultiplyByQuantizedMultiplier with 1/n folded into the
multiplier of scale_in / scale_out the way TFLM folds it (see `mean_multiplier`).
Structure (loops over kept and reduced dimensions) is resolved here; ST counts one
operation per input element (macc = input elements).
"""

from __future__ import annotations

import math

from edgeai_tool.codegen.layers.base import Buffer, LayerCode
from edgeai_tool.codegen.loops import merged_loops
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.mean import mean_axes, mean_macc
from edgeai_tool.quant import quantize_multiplier

LOOPS = 3  # EDGEAI_MEAN_LOOPS


def mean_multiplier(input_scale: float, output_scale: float, count: int) -> tuple[int, int]:
    """(multiplier, shift) of TFLM's QuantizedMeanOrSum for `count` values per output."""
    multiplier, shift = quantize_multiplier(float(input_scale) / float(output_scale))
    if count <= 0:
        return multiplier, shift
    fold = min(count.bit_length() - 1, 32, 31 + shift)
    return int((multiplier << fold) // count), shift - fold


def _loops(dims: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """(counts, steps) of nested loops over (size, stride) dims, merged, padded to LOOPS."""
    merged = merged_loops(dims)
    assert len(merged) <= LOOPS, "a rank-5 input splits into at most three runs of axes"
    merged = [(1, 0)] * (LOOPS - len(merged)) + merged
    return [m[0] for m in merged], [m[1] for m in merged]


def lower_mean(graph: Graph, op: Op) -> LayerCode:
    """MEAN -> edgeai_mean_s8, or edgeai_mean_s16 for 16x8."""
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    axes, _ = mean_axes(graph, op)
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
        kernel="edgeai_mean_s16" if x.dtype == "int16" else "edgeai_mean_s8",
        header="edgeai_mean.h", params_type="edgeai_mean_params",
        params={"outer_count": tuple(outer_count), "outer_step": tuple(outer_step),
                "inner_count": tuple(inner_count), "inner_step": tuple(inner_step)},
        data_type="edgeai_mean_data",
        data={"bias": bias, "multiplier": multiplier, "shift": shift,
              "output_offset": y.zero_point},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        macc=mean_macc(graph, op), c_type="Reduce",
    )


LOWERINGS = {"MEAN": lower_mean}
