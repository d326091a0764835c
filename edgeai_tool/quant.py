"""Fixed-point requantization parameters, computed exactly as TFLite Micro computes them.

Bit-exactness starts here: a multiplier that differs in its last bit changes outputs.
Scales are float32 in the flatbuffer. The reference is the `tflite-micro` interpreter
package: its per-tensor FULLY_CONNECTED, RELU and LEAKY_RELU widen the scales to double
before multiplying or dividing (tests on tie-breaking accumulators show it), although
the TFLM sources of August 2026 still compute some of these products in float32.
"""

from __future__ import annotations

import math

import numpy as np

INT32_MIN = -(1 << 31)
INT32_MAX = (1 << 31) - 1


def round_half_away(value: float) -> float:
    """std::round: halves go away from zero (Python's round() goes to even)."""
    return math.copysign(math.floor(abs(value) + 0.5), value)


def quantize_multiplier(real_multiplier: float) -> tuple[int, int]:
    """Split a positive real multiplier into a Q31 significand and a power-of-two shift.

    Returns (multiplier, shift) with real ~= multiplier * 2**(shift - 31); shift > 0 is a
    left shift. Mirrors TFLite's QuantizeMultiplier (double-rounding build).
    """
    if real_multiplier == 0.0:
        return 0, 0
    mantissa, shift = math.frexp(real_multiplier)
    q_fixed = int(round_half_away(mantissa * (1 << 31)))
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    return q_fixed, shift


def f32(value: float) -> float:
    """Round a Python float to the nearest float32, as C++ `float` arithmetic would."""
    return float(np.float32(value))


def conv_multiplier(input_scale: float, filter_scale: float, output_scale: float) -> float:
    """Effective output scale of CONV_2D, DEPTHWISE_CONV_2D and per-channel FC (double)."""
    return float(input_scale) * float(filter_scale) / float(output_scale)


def fc_per_tensor_multiplier(input_scale: float, filter_scale: float, output_scale: float) -> float:
    """Per-tensor FULLY_CONNECTED: the product of the scales in double, as the tflite-micro
    interpreter computes it (a float32 product disagrees with it on tie-breaking inputs)."""
    return float(input_scale) * float(filter_scale) / float(output_scale)


def saturating_rounding_doubling_high_mul(a: int, b: int) -> int:
    """gemmlowp's SaturatingRoundingDoublingHighMul on int32 values."""
    if a == b == INT32_MIN:
        return INT32_MAX
    product = a * b
    nudge = (1 << 30) if product >= 0 else 1 - (1 << 30)
    total = product + nudge
    # C++ integer division truncates toward zero.
    quotient = abs(total) >> 31
    return quotient if total >= 0 else -quotient


def rounding_divide_by_pot(x: int, exponent: int) -> int:
    """gemmlowp's RoundingDivideByPOT: round half away from zero."""
    mask = (1 << exponent) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return (x >> exponent) + (1 if remainder > threshold else 0)


def multiply_by_quantized_multiplier(x: int, multiplier: int, shift: int) -> int:
    """TFLite's MultiplyByQuantizedMultiplier (double rounding), for reference in tests."""
    left = max(shift, 0)
    right = max(-shift, 0)
    return rounding_divide_by_pot(
        saturating_rounding_doubling_high_mul(_wrap32(x * (1 << left)), multiplier), right
    )


def _wrap32(value: int) -> int:
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


ACTIVATION_LIMITS = {"int8": (-128, 127), "int16": (-32768, 32767)}


def dtype_activation_range(activation: str, tensor_scale: float, zero_point: int,
                           dtype: str) -> tuple[int, int]:
    """`activation_range` within an int8 or int16 tensor's limits."""
    return activation_range(activation, tensor_scale, zero_point, *ACTIVATION_LIMITS[dtype])


def activation_range(activation: str, scale: float, zero_point: int,
                     qmin: int = -128, qmax: int = 127) -> tuple[int, int]:
    """The int8 clamp that implements a fused activation (CalculateActivationRangeQuantized)."""

    def quantize(real: float) -> int:
        return zero_point + int(round_half_away(f32(real / scale)))

    if activation == "NONE":
        return qmin, qmax
    if activation == "RELU":
        return max(qmin, quantize(0.0)), qmax
    if activation == "RELU6":
        return max(qmin, quantize(0.0)), min(qmax, quantize(6.0))
    if activation == "RELU_N1_TO_1":
        return max(qmin, quantize(-1.0)), min(qmax, quantize(1.0))
    raise ValueError(f"no quantized range for fused activation {activation}")
