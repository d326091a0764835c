"""SOFTMAX int8 -> int8, bit-exact with TFLite Micro's reference_ops::Softmax.

TFLM (int8 in, int8 out) has no lookup table of its own: it rescales each difference from
the row maximum into Q5.26 (PreprocessSoftmaxScaling with kScaledDiffIntegerBits = 5),
skips differences below diff_min, and takes gemmlowp's exp_on_negative_values. The
exponential depends only on the difference (0..255) and on beta * input_scale, so it is
precomputed here into `exp_lut`; the C kernel does the sum, the reciprocal and the output
scaling exactly as TFLM. What TFLM accepts is checked in `edgeai_tool.ops.softmax`.
"""

from __future__ import annotations

import numpy as np

from edgeai_tool.codegen.layers.activation import exp_on_negative_values
from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, LayerCode
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.softmax import SCALED_DIFF_INTEGER_BITS, softmax_macc, softmax_scaling
from edgeai_tool.quant import saturating_rounding_doubling_high_mul
from edgeai_tool.runtime.buffer_sizes import buffer_size


def exp_table(beta: float, input_scale: float) -> np.ndarray:
    """exp_lut[d]: TFLM's Q0.31 exponential of the difference -d, for every kept d."""
    multiplier, left_shift, diff_min = softmax_scaling(beta, input_scale)
    size = min(256, 1 - diff_min)
    values = [exp_on_negative_values(
        saturating_rounding_doubling_high_mul(-d * (1 << left_shift), multiplier),
        SCALED_DIFF_INTEGER_BITS) for d in range(size)]
    return np.array(values, dtype=np.int32)


def lower_softmax(graph: Graph, op: Op) -> LayerCode:
    """SOFTMAX -> edgeai_softmax_s8 with the layer's exponential table."""
    x = graph.tensor(op.inputs[0])
    depth = x.shape[-1]
    table = exp_table(float(op.options.get("beta", 1.0)), x.scale)
    return LayerCode(
        kernel="edgeai_softmax_s8",
        header="edgeai_softmax.h",
        params_type="edgeai_softmax_params",
        params={"rows": x.size // depth, "depth": depth},
        data_type="edgeai_softmax_data",
        data={"exp_lut": ArrayRef("exp_lut"), "lut_size": int(table.size)},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        arrays=[CArray("exp_lut", "int32_t", table, kind="quant")],
        scratch_bytes=buffer_size("EDGEAI_SOFTMAX_S8_BUFFER_SIZE"),
        macc=softmax_macc(graph, op),
        c_type="Nonlinearity",
    )


LOWERINGS = {"SOFTMAX": lower_softmax}
