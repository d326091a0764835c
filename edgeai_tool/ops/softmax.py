"""SOFTMAX int8 -> int8: what TFLite Micro accepts (its output quantization, the depth its
int32 sum of exponentials holds, the range of beta its Prepare can rescale) and its cost."""

from __future__ import annotations

import math

import numpy as np

from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.base import OpSupport, check_int8_unary, io_tensors
from edgeai_tool.quant import quantize_multiplier

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


def check_softmax(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    reason = check_int8_unary(graph, op)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
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


def softmax_macc(graph: Graph, op: Op) -> int:
    return MACC_PER_ELEMENT * graph.tensor(op.inputs[0]).size


SUPPORT = [OpSupport("SOFTMAX", CONSTRAINTS, check_softmax, softmax_macc)]
