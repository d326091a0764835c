"""Standalone int8 activations: LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH.

An int8 op with one input has 256 possible inputs, so each becomes a 256-entry lookup
table computed here by emulating TFLite Micro's integer kernel (gemmlowp fixed point
included) exactly; the C kernel is one load per element. Tables are indexed by the input
byte as unsigned (`lut[(uint8_t)x]`).

This module also holds the gemmlowp fixed-point emulation that SOFTMAX shares.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, CValue, LayerCode
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.activation import (
    MACC_PER_ELEMENT,
    activation_macc,
    hard_swish_params,
    sigmoid_input_params,
    sigmoid_s16_input,
)
from edgeai_tool.ops.base import io_tensors
from edgeai_tool.quant import (
    INT32_MAX,
    INT32_MIN,
    f32,
    multiply_by_quantized_multiplier,
    quantize_multiplier,
    round_half_away,
    rounding_divide_by_pot,
    saturating_rounding_doubling_high_mul,
)
from edgeai_tool.runtime.buffer_sizes import buffer_size

# -- gemmlowp fixed point on int32 raw values (FixedPoint<int32_t, IntegerBits>) ------------------

srdhm = saturating_rounding_doubling_high_mul


def wrap32(value: int) -> int:
    """Two's complement int32 wrap-around (gemmlowp adds and negates raw values unchecked)."""
    return (value + (1 << 31)) % (1 << 32) - (1 << 31)


def saturating_rounding_multiply_by_pot(x: int, exponent: int) -> int:
    """gemmlowp's SaturatingRoundingMultiplyByPOT<exponent> on an int32."""
    if exponent < 0:
        return rounding_divide_by_pot(x, -exponent)
    if exponent == 0:
        return x
    threshold = (1 << (31 - exponent)) - 1
    if x > threshold:
        return INT32_MAX
    if x < -threshold:
        return INT32_MIN
    return x << exponent


def rounding_half_sum(a: int, b: int) -> int:
    """gemmlowp's RoundingHalfSum for int32: (a + b + sign) / 2, truncated toward zero."""
    total = a + b + (1 if a + b >= 0 else -1)
    return int(math.copysign(abs(total) // 2, total))


def _exp_on_interval_between_negative_one_quarter_and_0_excl(a: int) -> int:
    constant_term = 1895147668  # exp(-1/8) in Q0.31
    constant_1_over_3 = 715827883
    x = wrap32(a + (1 << 28))
    x2 = srdhm(x, x)
    x3 = srdhm(x2, x)
    x4 = srdhm(x2, x2)
    x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2)
    poly = saturating_rounding_multiply_by_pot(
        wrap32(srdhm(wrap32(x4_over_4 + x3), constant_1_over_3) + x2), -1)
    return wrap32(constant_term + srdhm(constant_term, wrap32(x + poly)))


_EXP_BARREL = ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
               (2, 39332535), (3, 720401), (4, 242))


def exp_on_negative_values(a: int, integer_bits: int) -> int:
    """gemmlowp's exp_on_negative_values: Q(integer_bits) input <= 0 -> Q0.31 result."""
    fractional_bits = 31 - integer_bits
    one_quarter = 1 << (fractional_bits - 2)
    a_mod_quarter_minus_one_quarter = wrap32((a & (one_quarter - 1)) - one_quarter)
    result = _exp_on_interval_between_negative_one_quarter_and_0_excl(
        saturating_rounding_multiply_by_pot(a_mod_quarter_minus_one_quarter, integer_bits))
    remainder = wrap32(a_mod_quarter_minus_one_quarter - a)
    for exponent, multiplier in _EXP_BARREL:
        if integer_bits > exponent and remainder & (1 << (fractional_bits + exponent)):
            result = srdhm(result, multiplier)
    if integer_bits > 5 and a < -(1 << (36 - integer_bits)):
        result = 0
    return INT32_MAX if a == 0 else result


def _newton_reciprocal_q2(half_denominator: int) -> int:
    """The Newton-Raphson iterations shared by the two gemmlowp divisions (Q2.29 result)."""
    one_q2 = 1 << 29
    x = wrap32(1515870810 + srdhm(half_denominator, -1010580540))
    for _ in range(3):
        one_minus = wrap32(one_q2 - srdhm(half_denominator, x))
        x = wrap32(x + saturating_rounding_multiply_by_pot(srdhm(x, one_minus), 2))
    return x


def one_over_one_plus_x_for_x_in_0_1(a: int) -> int:
    """gemmlowp: 1 / (1 + a) for a in [0, 1), Q0.31 in and out."""
    x = _newton_reciprocal_q2(rounding_half_sum(a, INT32_MAX))
    return saturating_rounding_multiply_by_pot(x, 1)


def one_minus_x_over_one_plus_x_for_x_in_0_1(a: int) -> int:
    """gemmlowp: (1 - a) / (1 + a) for a in [0, 1), Q0.31 in and out."""
    x = _newton_reciprocal_q2(rounding_half_sum(a, INT32_MAX))
    return saturating_rounding_multiply_by_pot(wrap32(x - (1 << 29)), 2)


def fixed_logistic(a: int, integer_bits: int) -> int:
    """gemmlowp::logistic: Q(integer_bits) -> Q0.31."""
    if a == 0:
        return 1 << 30
    positive = a > 0
    magnitude = a if positive else wrap32(-a)
    result_if_positive = one_over_one_plus_x_for_x_in_0_1(
        exp_on_negative_values(wrap32(-magnitude), integer_bits))
    return result_if_positive if positive else wrap32(INT32_MAX - result_if_positive)


def fixed_tanh(a: int, integer_bits: int) -> int:
    """gemmlowp::tanh: Q(integer_bits) -> Q0.31."""
    if a == 0:
        return 0
    negative = a < 0
    n = a if negative else wrap32(-a)
    t = one_minus_x_over_one_plus_x_for_x_in_0_1(exp_on_negative_values(n, integer_bits + 1))
    return wrap32(-t) if negative else t


# -- TFLM's int8 kernels, one input value at a time --------------------------------------------

_INT8_VALUES = range(-128, 128)


def _clamp8(value: int) -> int:
    return min(max(value, -128), 127)


def _sigmoid_table(input_scale: float, input_zero_point: int,
                   saturated: Callable[[int], int]) -> np.ndarray:
    """LOGISTIC and TANH: saturate outside TFLM's input radius, else rescale the input to
    Q4.27 and let `saturated` compute the int8 output from it."""
    multiplier, left_shift, radius = sigmoid_input_params(input_scale)

    def one(q: int) -> int:
        value = q - input_zero_point
        if value <= -radius:
            return -128
        if value >= radius:
            return 127
        return saturated(multiply_by_quantized_multiplier(value, multiplier, left_shift))

    return _table(one)


def logistic_table(input_scale: float, input_zero_point: int) -> np.ndarray:
    """reference_integer_ops::Logistic (int8) for every input value."""
    return _sigmoid_table(input_scale, input_zero_point, lambda q4: _clamp8(
        rounding_divide_by_pot(fixed_logistic(q4, 4), 23) - 128))


def tanh_table(input_scale: float, input_zero_point: int) -> np.ndarray:
    """reference_integer_ops::Tanh (int8) for every input value."""
    return _sigmoid_table(input_scale, input_zero_point, lambda q4: _clamp8(
        rounding_divide_by_pot(fixed_tanh(q4, 4), 24)))


def relu_table(x: Tensor, y: Tensor) -> np.ndarray:
    """TFLM ReluQuantized (int8): rescale to the output, then clamp at the output's zero.

    The scale ratio is taken in double, as the tflite-micro interpreter does."""
    multiplier, shift = quantize_multiplier(float(x.scale) / float(y.scale))
    act_min = max(-128, y.zero_point)

    def one(q: int) -> int:
        value = y.zero_point + multiply_by_quantized_multiplier(q - x.zero_point, multiplier, shift)
        return min(max(value, act_min), 127)

    return _table(one)


def relu6_table(x: Tensor) -> np.ndarray:
    """TFLM Relu6Quantized (int8): a clamp in the input's scale (the output's is not used)."""
    six = _clamp8(int(round_half_away(f32(np.float32(6.0) / np.float32(x.scale)))) + x.zero_point)
    return _table(lambda q: six if q > six else max(q, x.zero_point))


def leaky_relu_multipliers(x: Tensor, y: Tensor, alpha: float) -> tuple[int, int, int, int]:
    """LeakyRelu Prepare: (alpha multiplier, alpha shift, identity multiplier, identity shift).

    In double, as the tflite-micro interpreter computes them (float32 divisions disagree
    with it on tie-breaking inputs)."""
    alpha_real = float(x.scale) * float(alpha) / float(y.scale)
    return (*quantize_multiplier(alpha_real),
            *quantize_multiplier(float(x.scale) / float(y.scale)))


def leaky_relu_table(x: Tensor, y: Tensor, alpha: float) -> np.ndarray:
    """reference_ops::QuantizeLeakyRelu (int8), negative alpha included."""
    alpha_multiplier, alpha_shift, identity_multiplier, identity_shift = \
        leaky_relu_multipliers(x, y, alpha)

    def one(q: int) -> int:
        value = q - x.zero_point
        if value >= 0:
            scaled = multiply_by_quantized_multiplier(value, identity_multiplier, identity_shift)
        elif alpha_multiplier < 0:
            scaled = -multiply_by_quantized_multiplier(value, -alpha_multiplier, alpha_shift)
        else:
            scaled = multiply_by_quantized_multiplier(value, alpha_multiplier, alpha_shift)
        return _clamp8(y.zero_point + scaled)

    return _table(one)


def _int16(value: int) -> int:
    return (value + (1 << 15)) % (1 << 16) - (1 << 15)


def _srdhm16(a: int, b: int) -> int:
    """gemmlowp's SaturatingRoundingDoublingHighMul on int16."""
    if a == b == -(1 << 15):
        return (1 << 15) - 1
    product = a * b
    total = product + ((1 << 14) if product >= 0 else 1 - (1 << 14))
    return _int16(int(math.copysign(abs(total) >> 15, total)))


def _sdhm16(a: int, b: int) -> int:
    """HardSwish's SaturatingDoublingHighMul: like SQDMULH, truncating toward zero."""
    if a == b == -(1 << 15):
        return (1 << 15) - 1
    product = a * b
    return _int16(int(math.copysign(abs(product) >> 15, product)))


def _rounding_divide_by_pot16(x: int, exponent: int) -> int:
    """gemmlowp's RoundingDivideByPOT instantiated on int16 (mask and shift in int16)."""
    mask = _int16((1 << exponent) - 1)
    threshold = (mask >> 1) + (1 if x < 0 else 0)
    return _int16((x >> exponent) + (1 if (x & mask) > threshold else 0))


def _saturating_left_shift16(value: int, amount: int) -> int:
    return min(max(value * (1 << amount), -(1 << 15)), (1 << 15) - 1)


def hard_swish_table(x: Tensor, y: Tensor) -> np.ndarray:
    """reference_ops::HardSwish (int8) for every input value."""
    output_multiplier, output_exponent, reluish_multiplier, reluish_exponent = \
        hard_swish_params(x, y)

    def one(q: int) -> int:
        hires = _int16(_int16(q - x.zero_point) * (1 << 7))
        preshift_output = _srdhm16(hires, output_multiplier)
        reluish = hires
        if reluish_exponent > 0:
            reluish = _saturating_left_shift16(reluish, reluish_exponent - 1)
        reluish = _srdhm16(reluish, reluish_multiplier)
        if reluish_exponent > 0:
            reluish = _saturating_left_shift16(reluish, 1)
        if reluish_exponent < 0:
            reluish = _rounding_divide_by_pot16(reluish, -reluish_exponent)
        reluish = _int16((reluish + (1 << 15)) >> 1)
        output = _rounding_divide_by_pot16(_sdhm16(reluish, preshift_output), -output_exponent)
        return _clamp8(_int16(output + y.zero_point))

    return _table(one)


def _table(function: Callable[[int], int]) -> np.ndarray:
    """lut[(uint8_t)q] = function(q) for every int8 q."""
    table = np.zeros(256, dtype=np.int8)
    for q in _INT8_VALUES:
        table[q & 0xFF] = function(q)
    return table


# -- lowering ----------------------------------------------------------------------------------

def _table_for(graph: Graph, op: Op) -> np.ndarray:
    x, y = io_tensors(graph, op)
    if op.kind == "LOGISTIC":
        return logistic_table(x.scale, x.zero_point)
    if op.kind == "TANH":
        return tanh_table(x.scale, x.zero_point)
    if op.kind == "RELU":
        return relu_table(x, y)
    if op.kind == "RELU6":
        return relu6_table(x)
    if op.kind == "LEAKY_RELU":
        return leaky_relu_table(x, y, float(op.options.get("alpha", 0.2)))
    return hard_swish_table(x, y)


def sigmoid_table_s16() -> np.ndarray:
    """The 256-entry uint16 table of TFLM's int16 LOGISTIC and TANH: 65536 sigmoid(k / 24)
    raised by half the gap between the curve and the chord at the segment's midpoint (so
    linear interpolation errs both ways), rounded; the last entry is the saturation value
    2^16 - 1."""
    def scaled(x: float) -> float:
        return 65536.0 / (1.0 + math.exp(-x))

    values = []
    for k in range(255):
        low, high, middle = scaled(k / 24), scaled((k + 1) / 24), scaled((k + 0.5) / 24)
        values.append(round_half_away(low + (middle - (low + high) / 2) / 2))
    return np.array([*values, 65535], dtype=np.uint16)


def _s16_layer(graph: Graph, op: Op, kernel: str, data_type: str, data: dict[str, CValue],
               arrays: list[CArray] | None = None) -> LayerCode:
    """A 16x8 activation layer: `kernel` over the op's int16 elements with `data`."""
    return LayerCode(
        kernel=kernel,
        header="edgeai_activation.h",
        params_type="edgeai_lut_params",
        params={"size": graph.tensor(op.inputs[0]).size},
        data_type=data_type,
        data=data,
        args=[Buffer("input", op.inputs[0], "int16_t"), Buffer("output", op.outputs[0], "int16_t")],
        arrays=arrays or [],
        macc=activation_macc(graph, op),
        c_type="Nonlinearity",
    )


def lower_sigmoid_s16(graph: Graph, op: Op) -> LayerCode:
    """16x8 LOGISTIC / TANH -> edgeai_logistic_s16 / edgeai_tanh_s16."""
    x, _ = io_tensors(graph, op)
    multiplier, shift = sigmoid_s16_input(x.scale, op.kind)
    return _s16_layer(
        graph, op, f"edgeai_{op.kind.lower()}_s16", "edgeai_sigmoid_s16_data",
        {"sigmoid": ArrayRef("sigmoid"), "input_multiplier": multiplier, "input_shift": shift},
        arrays=[CArray("sigmoid", "uint16_t", sigmoid_table_s16(), kind="quant")])


def lower_relu_s16(graph: Graph, op: Op) -> LayerCode:
    """16x8 RELU / RELU6 -> edgeai_relu_s16: RELU rescales to the output (ratio in double),
    RELU6 clamps in the input's scale (the identity requantization, 2^30 and shift 1)."""
    x, y = io_tensors(graph, op)
    if op.kind == "RELU":
        multiplier, shift = quantize_multiplier(float(x.scale) / float(y.scale))
        act_max = 32767
    else:
        multiplier, shift = 1 << 30, 1
        act_max = min(32767, int(round_half_away(f32(np.float32(6.0) / np.float32(x.scale)))))
    return _s16_layer(
        graph, op, "edgeai_relu_s16", "edgeai_relu_s16_data",
        {"multiplier": multiplier, "shift": shift, "act_min": 0, "act_max": act_max})


def lower_leaky_relu_s16(graph: Graph, op: Op) -> LayerCode:
    """16x8 LEAKY_RELU -> edgeai_leaky_relu_s16 (TFLM's two multipliers, no table)."""
    x, y = io_tensors(graph, op)
    alpha_multiplier, alpha_shift, identity_multiplier, identity_shift = \
        leaky_relu_multipliers(x, y, float(op.options.get("alpha", 0.2)))
    return _s16_layer(
        graph, op, "edgeai_leaky_relu_s16", "edgeai_leaky_relu_s16_data",
        {"alpha_multiplier": alpha_multiplier, "alpha_shift": alpha_shift,
         "identity_multiplier": identity_multiplier, "identity_shift": identity_shift})


# 16x8 activations: no table of all inputs, a kernel each.
_S16_LOWERINGS = {"LEAKY_RELU": lower_leaky_relu_s16, "RELU": lower_relu_s16,
                  "RELU6": lower_relu_s16, "LOGISTIC": lower_sigmoid_s16,
                  "TANH": lower_sigmoid_s16}


def lower_activation(graph: Graph, op: Op) -> LayerCode:
    """Any supported activation -> edgeai_lut_s8 with the op's 256-entry table (16x8
    LEAKY_RELU: `lower_leaky_relu_s16`)."""
    x, _ = io_tensors(graph, op)
    if x.dtype == "int16":
        return _S16_LOWERINGS[op.kind](graph, op)
    return LayerCode(
        kernel="edgeai_lut_s8",
        header="edgeai_activation.h",
        params_type="edgeai_lut_params",
        params={"size": x.size},
        data_type="edgeai_lut_data",
        data={"lut": ArrayRef("lut")},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        arrays=[CArray("lut", "int8_t", _table_for(graph, op), kind="quant")],
        scratch_bytes=buffer_size("EDGEAI_LUT_S8_BUFFER_SIZE"),
        macc=activation_macc(graph, op),
        c_type="Nonlinearity",
        overwrites={op.inputs[0]: 0},  # output[i] = lut[input[i]], in order
    )


LOWERINGS = dict.fromkeys(MACC_PER_ELEMENT, lower_activation)  # every activation kind
