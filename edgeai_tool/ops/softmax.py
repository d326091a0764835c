"""SOFTMAX int8 -> int8: what TFLite Micro accepts (its output quantization, the depth its
int32 sum of exponentials holds, the range of beta its Prepare can rescale) and its cost."""

from __future__ import annotations

import math

import numpy as np

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import OpSupport, io_count, io_tensors, quantized_per_tensor, same_dtype
from edgeai_tool.quant import quantize_multiplier

SCALED_DIFF_INTEGER_BITS = 5
OUTPUT_SCALE = 1.0 / 256.0
OUTPUT_ZERO_POINT = -128
# ST Edge AI reports 150 MACC for a 10-class softmax (seed report).
MACC_PER_ELEMENT = 15
# The Q12.19 sum of exponentials (each up to 2^19) overflows int32 beyond this depth, where
# TFLM's kernel aborts.
MAX_DEPTH = 4095

# 16x8: int16 in and out, output scale 1/32768 within TFLM's tolerance, zero point 0; the
# int32 sum of exponentials (each up to 32767) holds this many.
INT16_OUTPUT_SCALE = 1.0 / 32768.0
INT16_MAX_DEPTH = 65535

CONSTRAINTS = (
    "int8 input and output, along the last dimension (at most 4095 wide), any beta; output "
    "scale 1/256 and zero point -128 (as TFLite Micro requires); or int16 (16x8) input and "
    "output, at most 65535 wide, output scale 1/32768 and zero point 0"
)


def softmax_scaling(beta: float, input_scale: float) -> tuple[int, int, int]:
    """PreprocessSoftmaxScaling + CalculateInputRadius: (multiplier, left_shift, diff_min)."""
    real = min(float(beta) * float(input_scale) * (1 << (31 - SCALED_DIFF_INTEGER_BITS)),
               float((1 << 31) - 1))
    multiplier, left_shift = quantize_multiplier(real)
    radius = math.floor(1.0 * ((1 << SCALED_DIFF_INTEGER_BITS) - 1)
                        * (1 << (31 - SCALED_DIFF_INTEGER_BITS)) / (1 << left_shift))
    return multiplier, left_shift, -radius


def check_softmax(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    reason = io_count(op, (1,))
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    reason = (quantized_per_tensor("input", x, ("int8", "int16"))
              or quantized_per_tensor("output", y, ("int8", "int16")) or same_dtype(x, y))
    if reason:
        return reason
    if not x.shape or x.shape != y.shape:
        return f"input shape {list(x.shape)} and output shape {list(y.shape)} differ"
    if x.dtype == "int16":
        return _check_int16(op, x, y)
    if x.shape[-1] > MAX_DEPTH:
        return f"softmax over {x.shape[-1]} values is not supported (at most {MAX_DEPTH})"
    if np.float32(y.scale) != np.float32(OUTPUT_SCALE) or y.zero_point != OUTPUT_ZERO_POINT:
        return f"output quantization ({y.scale:g}, {y.zero_point}) is not supported " \
               "(scale 1/256 and zero point -128 only, as in TFLite Micro)"
    beta = float(op.options.get("beta", 1.0))
    if not beta > 0 or softmax_scaling(beta, x.scale)[1] < 0:
        return f"beta {beta:g} with input scale {x.scale:g} is outside TFLite Micro's range"
    return None


def _check_int16(op: Op, x: Tensor, y: Tensor) -> str | None:
    if x.shape[-1] > INT16_MAX_DEPTH:
        return f"softmax over {x.shape[-1]} values is not supported (at most {INT16_MAX_DEPTH})"
    if abs(float(y.scale) - INT16_OUTPUT_SCALE) > 0.001 * INT16_OUTPUT_SCALE:
        return f"int16 output scale {y.scale:g} is not supported (1/32768, as TFLite Micro " \
               "requires)"
    beta = float(op.options.get("beta", 1.0))
    if not beta > 0 or quantize_multiplier(beta * float(x.scale) / (10.0 / 65535.0))[1] > 30:
        return f"beta {beta:g} with input scale {x.scale:g} is outside TFLite Micro's range"
    return None


def softmax_macc(graph: Graph, op: Op) -> int:
    return MACC_PER_ELEMENT * graph.tensor(op.inputs[0]).size


SUPPORT = [OpSupport("SOFTMAX", CONSTRAINTS, check_softmax, softmax_macc)]
