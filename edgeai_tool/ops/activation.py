"""Standalone int8 activations: LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH: what
they accept (TFLite Micro's Prepare rules, with the input rescaling its Prepare computes)
and what they cost."""

from __future__ import annotations

import math

import numpy as np

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import (
    OpSupport,
    check_int8_unary,
    io_count,
    io_tensors,
    quantized_per_tensor,
    same_dtype,
)
from edgeai_tool.quant import INT32_MAX, quantize_multiplier, round_half_away

# ST Edge AI counts a ReLU as 1 MACC per element (seed report); the others are our estimates
# of their relative cost, in the same unit.
MACC_PER_ELEMENT = {"RELU": 1, "RELU6": 1, "LEAKY_RELU": 2, "HARD_SWISH": 4, "LOGISTIC": 10,
                    "TANH": 10}


def calculate_input_radius(integer_bits: int, left_shift: int, total_signed_bits: int = 31) -> int:
    """TFLite's CalculateInputRadius (floating-point build)."""
    scale = 1 << (total_signed_bits - integer_bits)
    max_input_rescaled = 1.0 * ((1 << integer_bits) - 1) * scale / (1 << left_shift)
    return math.floor(max_input_rescaled)


def sigmoid_input_params(input_scale: float) -> tuple[int, int, int]:
    """LOGISTIC/TANH Prepare: (multiplier, left_shift, radius) for a Q4.27 input."""
    mantissa, left_shift = math.frexp(float(input_scale) * float(1 << 27))
    multiplier = int(round_half_away(mantissa * (1 << 31)))
    return multiplier, left_shift, calculate_input_radius(4, left_shift)


def _downscale_multiplier16(multiplier: int) -> int:
    """DownScaleInt32ToInt16Multiplier."""
    if multiplier >= INT32_MAX - (1 << 15):
        return (1 << 15) - 1
    return (multiplier + (1 << 15)) >> 16


def hard_swish_params(x: Tensor, y: Tensor) -> tuple[int, int, int, int]:
    """HardSwish Prepare: (output multiplier16, output exponent, reluish mult16, reluish exp)."""
    hires_input_scale = np.float32(1.0 / 128.0) * np.float32(x.scale)
    output_multiplier, output_exponent = quantize_multiplier(
        float(hires_input_scale / np.float32(y.scale)))
    reluish_multiplier, reluish_exponent = quantize_multiplier(
        float(hires_input_scale / np.float32(3.0 / 32768.0)))
    return (_downscale_multiplier16(output_multiplier), output_exponent,
            _downscale_multiplier16(reluish_multiplier), reluish_exponent)


def _check_int8_io(graph: Graph, op: Op) -> str | None:
    reason = check_int8_unary(graph, op)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    if x.size != y.size:
        return f"input of {x.size} values but output of {y.size}"
    return None


def _check_leaky_relu(graph: Graph, op: Op) -> str | None:
    """LEAKY_RELU: int8, or int16 with zero points 0 (edgeai_leaky_relu_s16)."""
    reason = io_count(op, (1,))
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    if x.dtype != "int16":
        return _check_int8_io(graph, op)
    reason = (quantized_per_tensor("input", x, ("int16",))
              or quantized_per_tensor("output", y, ("int16",)) or same_dtype(x, y))
    if reason is None and x.size != y.size:
        return f"input of {x.size} values but output of {y.size}"
    return reason


def _check_sigmoid_scale(x: Tensor) -> str | None:
    if sigmoid_input_params(x.scale)[1] < 0:
        return f"input scale {x.scale:g} is too small (TFLite Micro cannot rescale it)"
    return None


def check_logistic(graph: Graph, op: Op) -> str | None:
    """LOGISTIC: TFLM requires the output zero point -128."""
    reason = _check_int8_io(graph, op)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    if y.zero_point != -128:
        return f"output zero point {y.zero_point} is not supported (-128 only, as in TFLite Micro)"
    return _check_sigmoid_scale(x)


def check_tanh(graph: Graph, op: Op) -> str | None:
    reason = _check_int8_io(graph, op)
    return reason or _check_sigmoid_scale(graph.tensor(op.inputs[0]))


def check_hard_swish(graph: Graph, op: Op) -> str | None:
    """HARD_SWISH: TFLM requires input_scale / 128 <= output_scale."""
    reason = _check_int8_io(graph, op)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    if hard_swish_params(x, y)[1] > 0:
        return f"output scale {y.scale:g} is below input scale / 128 (TFLite Micro refuses it)"
    return None


def activation_macc(graph: Graph, op: Op) -> int:
    return MACC_PER_ELEMENT[op.kind] * graph.tensor(op.inputs[0]).size


_CHECKS = {
    "LOGISTIC": check_logistic,
    "TANH": check_tanh,
    "RELU": _check_int8_io,
    "RELU6": _check_int8_io,
    "LEAKY_RELU": _check_leaky_relu,
    "HARD_SWISH": check_hard_swish,
}
_CONSTRAINTS = {
    "LOGISTIC": "int8 input and output, output zero point -128 (scale 1/256 expected)",
    "TANH": "int8 input and output (output scale 1/128, zero point 0 expected)",
    "RELU": "int8 input and output, any scales",
    "RELU6": "int8 input and output with the same quantization",
    "LEAKY_RELU": "int8 input and output, or int16 (16x8, zero point 0); any alpha (negative "
                  "included)",
    "HARD_SWISH": "int8 input and output, output scale >= input scale / 128",
}

SUPPORT = [OpSupport(kind, _CONSTRAINTS[kind], check, activation_macc)
           for kind, check in _CHECKS.items()]
