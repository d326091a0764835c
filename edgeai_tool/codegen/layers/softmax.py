"""SOFTMAX int8 -> int8 and int16 -> int16 (16x8), bit-exact with TFLite Micro's
reference_ops::Softmax.

For int16, TFLM builds two 513-entry tables at Prepare (LUTPopulateInt16, in float32):
exp over [-10, 0] and 1 / (1 + x) over [0, 1]; `int16_lut` builds them here with the same
float32 steps, and the kernel reads them with TFLM's interpolation.

TFLM (int8 in, int8 out) has no lookup table of its own: it rescales each difference from
the row maximum into Q5.26 (PreprocessSoftmaxScaling with kScaledDiffIntegerBits = 5),
skips differences below diff_min, and takes gemmlowp's exp_on_negative_values. The
exponential depends only on the difference (0..255) and on beta * input_scale, so it is
precomputed here into `exp_lut`; the C kernel does the sum, the reciprocal and the output
scaling exactly as TFLM. What TFLM accepts is checked in `edgeai_tool.ops.softmax`.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from edgeai_tool.codegen.layers.activation import exp_on_negative_values
from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, CValue, LayerCode
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.softmax import SCALED_DIFF_INTEGER_BITS, softmax_macc, softmax_scaling
from edgeai_tool.quant import (
    quantize_multiplier,
    round_half_away,
    saturating_rounding_doubling_high_mul,
)
from edgeai_tool.runtime.buffer_sizes import buffer_size


def exp_table(beta: float, input_scale: float) -> np.ndarray:
    """exp_lut[d]: TFLM's Q0.31 exponential of the difference -d, for every kept d."""
    multiplier, left_shift, diff_min = softmax_scaling(beta, input_scale)
    size = min(256, 1 - diff_min)
    values = [exp_on_negative_values(
        saturating_rounding_doubling_high_mul(-d * (1 << left_shift), multiplier),
        SCALED_DIFF_INTEGER_BITS) for d in range(size)]
    return np.array(values, dtype=np.int32)


F32 = np.float32
_LUT_STEPS = 512
_INT16_RANGE = 65535  # int16 max - min, as TFLM writes it


def int16_lut(transform: Callable[[np.float32], np.float32], input_scale: np.float32,
              input_zero_point: int, output_scale: np.float32) -> np.ndarray:
    """TFLM's LUTPopulateInt16<float> (output zero point 0): 512 samples of `transform`
    over the int16 input range, each nudged by half the error of linear interpolation at
    the segment's midpoint, and the end point; every step in float32."""
    input_min = F32(input_scale * F32(-32768 - input_zero_point))
    input_max = F32(input_scale * F32(32767 - input_zero_point))
    output_min = F32(output_scale * F32(-32768))
    output_max = F32(output_scale * F32(32767))
    step = F32(F32(input_max - input_min) / F32(_LUT_STEPS))
    half_step = F32(step / F32(2))
    inverse = F32(F32(65536) / F32(output_max - output_min))

    def scaled(value: np.float32) -> np.float32:
        return F32(value * inverse)

    def at(i: int) -> np.float32:
        return F32(input_min + F32(F32(i) * step))

    lut = []
    for i in range(_LUT_STEPS):
        value, value_next = transform(at(i)), transform(at(i + 1))
        midpoint = transform(F32(at(i) + half_step))
        sample = round_half_away(scaled(value))
        interpolated = round_half_away(F32(F32(scaled(value_next) + F32(sample)) / F32(2)))
        error = F32(interpolated - round_half_away(scaled(midpoint)))
        lut.append(sample - round_half_away(F32(error / F32(2))))
    lut.append(round_half_away(scaled(transform(input_max))))
    return np.clip(np.array(lut), -32768, 32767).astype(np.int16)


def _expf(value: np.float32) -> np.float32:
    """expf, correctly rounded (glibc's)."""
    return F32(math.exp(float(value)))


def _one_over_one_plus(value: np.float32) -> np.float32:
    return F32(F32(1) / F32(F32(1) + value))


def _softmax_layer(graph: Graph, op: Op, dtype: str, data: dict[str, CValue],
                   arrays: list[CArray], scratch_bytes: int = 0) -> LayerCode:
    """edgeai_softmax_<dtype> ("s8" or "s16") over the rows of the op's last axis."""
    x = graph.tensor(op.inputs[0])
    depth = x.shape[-1]
    ctype = "int16_t" if dtype == "s16" else "int8_t"
    return LayerCode(
        kernel=f"edgeai_softmax_{dtype}",
        header="edgeai_softmax.h",
        params_type="edgeai_softmax_params",
        params={"rows": x.size // depth, "depth": depth},
        data_type="edgeai_softmax_s16_data" if dtype == "s16" else "edgeai_softmax_data",
        data=data,
        args=[Buffer("input", op.inputs[0], ctype), Buffer("output", op.outputs[0], ctype)],
        arrays=arrays,
        scratch_bytes=scratch_bytes,
        macc=softmax_macc(graph, op),
        c_type="Nonlinearity",
    )


def lower_softmax_s16(graph: Graph, op: Op) -> LayerCode:
    """16x8 SOFTMAX -> edgeai_softmax_s16 with TFLM's two tables."""
    x = graph.tensor(op.inputs[0])
    step = F32(F32(2) / F32(_INT16_RANGE))
    exp_lut = int16_lut(_expf, F32(F32(10) / F32(_INT16_RANGE)), 32767, step)
    recip_lut = int16_lut(_one_over_one_plus, F32(F32(1) / F32(_INT16_RANGE)), -32768, step)
    multiplier, shift = quantize_multiplier(
        float(x.scale) * float(op.options.get("beta", 1.0)) / (10.0 / 65535.0))
    return _softmax_layer(
        graph, op, "s16",
        {"exp_lut": ArrayRef("exp_lut"), "recip_lut": ArrayRef("recip_lut"),
         "input_multiplier": multiplier, "input_shift": shift},
        [CArray("exp_lut", "int16_t", exp_lut, kind="quant"),
         CArray("recip_lut", "int16_t", recip_lut, kind="quant")])


def lower_softmax(graph: Graph, op: Op) -> LayerCode:
    """SOFTMAX -> edgeai_softmax_s8 with the layer's exponential table (16x8:
    `lower_softmax_s16`)."""
    x = graph.tensor(op.inputs[0])
    if x.dtype == "int16":
        return lower_softmax_s16(graph, op)
    table = exp_table(float(op.options.get("beta", 1.0)), x.scale)
    return _softmax_layer(
        graph, op, "s8", {"exp_lut": ArrayRef("exp_lut"), "lut_size": int(table.size)},
        [CArray("exp_lut", "int32_t", table, kind="quant")],
        scratch_bytes=buffer_size("EDGEAI_SOFTMAX_S8_BUFFER_SIZE"))


LOWERINGS = {"SOFTMAX": lower_softmax}
