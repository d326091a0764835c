"""Standalone activations: LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH, int8, and
all but HARD_SWISH 16x8: what they accept (TFLite Micro's Prepare rules, with the input
rescaling its Prepare computes) and what they cost."""

from __future__ import annotations

import math
from collections.abc import Callable

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


def _check_int16_io(graph: Graph, op: Op) -> str | None:
    """int16 input and output (16x8), zero points 0, as many values in as out."""
    x, y = io_tensors(graph, op)
    reason = (quantized_per_tensor("input", x, ("int16",))
              or quantized_per_tensor("output", y, ("int16",)) or same_dtype(x, y))
    if reason is None and x.size != y.size:
        return f"input of {x.size} values but output of {y.size}"
    return reason


Check = Callable[[Graph, Op], str | None]


def _check_int8_or_int16(int16_check: Check, int8_check: Check) -> Check:
    """A check that sends an op with an int16 input to `int16_check`, else to `int8_check`."""
    def check(graph: Graph, op: Op) -> str | None:
        reason = io_count(op, (1,))
        if reason:
            return reason
        wide = graph.tensor(op.inputs[0]).dtype == "int16"
        return int16_check(graph, op) if wide else int8_check(graph, op)
    return check


def checked_log2(value: float) -> tuple[int, bool]:
    """TFLM's CheckedLog2: (log2 rounded, whether value is a power of two within 1e-3)."""
    exponent = math.log(float(value)) / math.log(2.0)
    rounded = round_half_away(exponent)
    return int(rounded), abs(exponent - rounded) < 1e-3


def sigmoid_s16_input(input_scale: float, kind: str) -> tuple[int, int]:
    """LOGISTIC/TANH int16 Prepare: (input multiplier, right shift) rescaling the input to
    steps of 1 / (3 * 4096). A power-of-two scale TFLM takes as is (multiplier 3, shifted
    left for TANH's 2x); any other scale is multiplied by 3 * 4096, doubled while at most
    32767 / 2, and truncated."""
    log2, power_of_two = checked_log2(input_scale)
    left_shift = (15 - 3) + log2
    if power_of_two and left_shift in ((0, 1) if kind == "TANH" else (0,)):
        return 3 << left_shift, 0
    multiplier = float(input_scale) * 4096.0 * 3.0
    shift = 0
    while multiplier <= 32767.0 / 2.0 and shift <= 30:
        shift += 1
        multiplier *= 2.0
    return int(multiplier), shift


def _check_sigmoid_s16(graph: Graph, op: Op) -> str | None:
    """LOGISTIC/TANH int16: output scale 2^-15 (TFLM requires it) and an input scale whose
    multiplier fits 16 bits."""
    reason = _check_int16_io(graph, op)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    log2, power_of_two = checked_log2(y.scale)
    if not power_of_two or log2 != -15:
        return f"int16 output scale {y.scale:g} is not supported (2^-15, as TFLite Micro " \
               "requires)"
    if sigmoid_s16_input(x.scale, op.kind)[0] > 32767:
        return f"int16 input scale {x.scale:g} is too large (TFLite Micro needs input " \
               "scale x 3 x 4096 < 32768)"
    return None


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
    "LOGISTIC": _check_int8_or_int16(_check_sigmoid_s16, check_logistic),
    "TANH": _check_int8_or_int16(_check_sigmoid_s16, check_tanh),
    "RELU": _check_int8_or_int16(_check_int16_io, _check_int8_io),
    "RELU6": _check_int8_or_int16(_check_int16_io, _check_int8_io),
    "LEAKY_RELU": _check_int8_or_int16(_check_int16_io, _check_int8_io),
    "HARD_SWISH": check_hard_swish,
}
_CONSTRAINTS = {
    "LOGISTIC": "int8 input and output, output zero point -128 (scale 1/256 expected); or "
                "int16 (16x8, zero point 0), output scale 2^-15",
    "TANH": "int8 input and output (output scale 1/128, zero point 0 expected); or int16 "
            "(16x8, zero point 0), output scale 2^-15",
    "RELU": "int8 input and output, any scales; or int16 (16x8, zero point 0)",
    "RELU6": "int8 input and output with the same quantization; or int16 (16x8, zero point 0)",
    "LEAKY_RELU": "int8 input and output, or int16 (16x8, zero point 0); any alpha (negative "
                  "included)",
    "HARD_SWISH": "int8 input and output, output scale >= input scale / 128",
}

SUPPORT = [OpSupport(kind, _CONSTRAINTS[kind], check, activation_macc)
           for kind, check in _CHECKS.items()]
