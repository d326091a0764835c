"""SOFTMAX int8 -> int8, bit-exact with TFLite Micro's reference_ops::Softmax.

TFLM (int8 in, int8 out) has no lookup table of its own: it rescales each difference from
the row maximum into Q5.26 (PreprocessSoftmaxScaling with kScaledDiffIntegerBits = 5),
skips differences below diff_min, and takes gemmlowp's exp_on_negative_values. The
exponential depends only on the difference (0..255) and on beta * input_scale, so it is
precomputed here into `exp_lut`; the C kernel does the sum, the reciprocal and the output
scaling exactly as TFLM.
"""

from __future__ import annotations

import math

import numpy as np

from edgeai_tool.codegen.layers.activation import exp_on_negative_values
from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, LayerCode, OpSupport, require
from edgeai_tool.ir import Graph, Op
from edgeai_tool.quant import quantize_multiplier, saturating_rounding_doubling_high_mul
from edgeai_tool.runtime.buffer_sizes import buffer_size

SCALED_DIFF_INTEGER_BITS = 5
OUTPUT_SCALE = 1.0 / 256.0
OUTPUT_ZERO_POINT = -128
# ST Edge AI reports 150 MACC for a 10-class softmax (seed report).
MACC_PER_ELEMENT = 15
# The Q12.19 sum of exponentials (each up to 2^19) overflows int32 beyond this depth, where
# TFLM's kernel aborts.
MAX_DEPTH = 4095

CONSTRAINTS = (
    "int8 input and output, along the last dimension (at most 4095 wide), any beta; output "
    "scale 1/256 and zero point -128 (as TFLite Micro requires)"
)


def softmax_scaling(beta: float, input_scale: float) -> tuple[int, int, int]:
    """PreprocessSoftmaxScaling + CalculateInputRadius: (multiplier, left_shift, diff_min)."""
    real = min(float(beta) * float(input_scale) * (1 << (31 - SCALED_DIFF_INTEGER_BITS)),
               float((1 << 31) - 1))
    multiplier, left_shift = quantize_multiplier(real)
    radius = math.floor(1.0 * ((1 << SCALED_DIFF_INTEGER_BITS) - 1)
                        * (1 << (31 - SCALED_DIFF_INTEGER_BITS)) / (1 << left_shift))
    return multiplier, left_shift, -radius


def exp_table(beta: float, input_scale: float) -> np.ndarray:
    """exp_lut[d]: TFLM's Q0.31 exponential of the difference -d, for every kept d."""
    multiplier, left_shift, diff_min = softmax_scaling(beta, input_scale)
    size = min(256, 1 - diff_min)
    values = [exp_on_negative_values(
        saturating_rounding_doubling_high_mul(-d * (1 << left_shift), multiplier),
        SCALED_DIFF_INTEGER_BITS) for d in range(size)]
    return np.array(values, dtype=np.int32)


def check_softmax(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    if len(op.inputs) != 1 or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (1 and 1 expected)"
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    for role, tensor in (("input", x), ("output", y)):
        if tensor.dtype != "int8":
            return f"{role} type {tensor.dtype} is not supported (int8 only)"
        if tensor.quant is None or tensor.quant.per_channel:
            return f"{role} must be quantized per tensor"
    if not x.shape or x.shape != y.shape:
        return f"input shape {list(x.shape)} and output shape {list(y.shape)} differ"
    if x.shape[-1] > MAX_DEPTH:
        return f"softmax over {x.shape[-1]} values is not supported (at most {MAX_DEPTH})"
    if np.float32(y.scale) != np.float32(OUTPUT_SCALE) or y.zero_point != OUTPUT_ZERO_POINT:
        return f"output quantization ({y.scale:g}, {y.zero_point}) is not supported " \
               "(scale 1/256 and zero point -128 only, as in TFLite Micro)"
    beta = float(op.options.get("beta", 1.0))
    if not beta > 0 or softmax_scaling(beta, x.scale)[1] < 0:
        return f"beta {beta:g} with input scale {x.scale:g} is outside TFLite Micro's range"
    return None


def lower_softmax(graph: Graph, op: Op) -> LayerCode:
    """SOFTMAX -> edgeai_softmax_s8 with the layer's exponential table."""
    reason = check_softmax(graph, op)
    require(reason is None, f"SOFTMAX: {reason}")
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
        macc=MACC_PER_ELEMENT * x.size,
        c_type="Nonlinearity",
    )


SUPPORT = [OpSupport("SOFTMAX", CONSTRAINTS, check_softmax)]
LOWERINGS = {"SOFTMAX": lower_softmax}
