"""ADD, SUB, MUL, MAXIMUM, MINIMUM: int8 element-wise binary ops with broadcasting.

Bit-exact with TFLite Micro's reference kernels (add_common.cc, sub_common.cc,
mul_common.cc, maximum_minimum.cc). The requantization parameters are computed here with
TFLM's own precision:

- ADD and SUB: `twice_max = 2 * double(max(s1, s2))`, `s1 / twice_max`, `s2 / twice_max`
  and `twice_max / (2^20 * s_out)`, all in double. (The sub_common.cc of tflite-micro's
  2026-08 source computes SUB's ratios in float32; the pinned `tflite-micro` package
  (0.dev20261023182759) does not: exhaustive tests over all 65536 input pairs match double
  and not float32, see tests/runtime/test_elementwise.py.)
- MUL: `double(s1) * double(s2) / double(s_out)`.

MAXIMUM and MINIMUM compare the raw int8 values: TFLM ignores their quantization
parameters (a converter gives the inputs and output the same ones anyway).

Broadcasting (NumPy / TFLite rules, shapes right-aligned, at most 4-D) is turned into
structure here: the output dimensions of size 1 are dropped, neighbouring dimensions that
both inputs walk contiguously (or both broadcast) are merged, and the result is at most
four loops with one element stride per input and loop (0 where that input is broadcast).
A constant input (scalar, per-channel vector or any broadcastable shape) goes to the data
file and the layer calls the op's `_const_` kernel with the other input.

ADD and SUB layers of at least `LUT_MIN_ELEMENTS` outputs also get one int32 table per input
(256 entries, data file, 1 KiB each). Preferably the tables hold each input's share of the
output in Q22 (`output_tables`): the kernel adds two entries and saturates, one shift and no
multiply per element. That single rounding equals TFLM's three only when every one of the
65,536 input pairs says so, which is checked here; otherwise the tables hold each input's
first requantization and the kernel requantizes once per element instead of three times.
"""

from __future__ import annotations

import numpy as np

from edgeai_tool.codegen.layers.base import ArrayRef, Banding, Buffer, CArray, CValue, LayerCode
from edgeai_tool.codegen.loops import merged_loops
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import output_size_macc
from edgeai_tool.ops.elementwise import (
    HAS_ACTIVATION,
    LEFT_SHIFT,
    LEFT_SHIFTS,
    MAX_DIMS,
    add_real_multipliers,
)
from edgeai_tool.quant import (
    dtype_activation_range,
    multiply_by_quantized_multiplier,
    quantize_multiplier,
)

# ADD/SUB layers with at least this many outputs get a 256-entry int32 table per input in
# flash (2 KiB in all).
LUT_MIN_ELEMENTS = 1024
# The fixed point of output tables: the kernel's saturation takes it as an immediate
# (EDGEAI_ADD_LUT_OUTPUT_SHIFT). With 22 bits, int32 sums reach 512 output steps either side
# of 0 and two rounded entries are off by at most 2^-22 steps.
LUT_OUTPUT_SHIFT = 22
_KERNEL_NAMES = {"ADD": "add", "SUB": "sub", "MUL": "mul", "MAXIMUM": "maximum",
                 "MINIMUM": "minimum"}


def mul_real_multiplier(s1: float, s2: float, s_out: float) -> float:
    """MUL (mul_common.cc): double(s1) * double(s2) / double(s_out)."""
    return float(s1) * float(s2) / float(s_out)


# -- broadcast structure -----------------------------------------------------------------------


def broadcast_loops(shape1: tuple[int, ...], shape2: tuple[int, ...],
                    out_shape: tuple[int, ...]) -> list[tuple[int, int, int]]:
    """Merged loops (extent, input 1 stride, input 2 stride), outermost first.

    Output dimensions of size 1 are dropped; a dimension is merged into the one inside it
    when both inputs step through the pair as one (strides s_outer == s_inner * n_inner,
    which includes both being 0). The innermost loop's strides are 0 or 1.
    """
    rank = len(out_shape)

    def extended_strides(shape: tuple[int, ...]) -> list[int]:
        shape = (1,) * (rank - len(shape)) + tuple(shape)
        strides, step = [0] * rank, 1
        for d in reversed(range(rank)):
            strides[d] = 0 if shape[d] == 1 else step
            step *= shape[d]
        return strides

    return merged_loops(zip(out_shape, extended_strides(shape1), extended_strides(shape2),
                            strict=True))


def loop_params(shape1: tuple[int, ...], shape2: tuple[int, ...],
                out_shape: tuple[int, ...]) -> dict[str, CValue]:
    """The `edgeai_eltwise_params` fields except `constant`."""
    loops = broadcast_loops(shape1, shape2, out_shape)
    size = int(np.prod(out_shape, dtype=np.int64)) if out_shape else 1
    flat = not loops or (len(loops) == 1 and loops[0][1:] == (1, 1))
    padded = [(1, 0, 0)] * (MAX_DIMS - len(loops)) + loops
    return {
        "size": size,
        "broadcast": 0 if flat else 1,
        "shape": tuple(n for n, _, _ in padded),
        "stride1": tuple(a for _, a, _ in padded),
        "stride2": tuple(b for _, _, b in padded),
    }


# -- lowering ----------------------------------------------------------------------------------


def lower_elementwise(graph: Graph, op: Op) -> LayerCode:
    """ADD/SUB/MUL/MAXIMUM/MINIMUM -> edgeai_<op>_s8 or edgeai_<op>_const_s8 (16x8 ADD, SUB
    and MUL: `lower_elementwise_s16`)."""
    x1, x2, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
    if y.dtype == "int16":
        return lower_elementwise_s16(graph, op)
    constant, data, arrays = _constant_input(x1, x2, np.int8)
    params = loop_params(x1.shape, x2.shape, y.shape)
    params["constant"] = constant
    if op.kind in HAS_ACTIVATION:
        data.update(_arith_data(op, x1, x2, y))
    if op.kind in ("ADD", "SUB") and y.size >= LUT_MIN_ELEMENTS:
        tables = [rescale_table(data[f"input{k}_offset"], data[f"input{k}_multiplier"],
                                data[f"input{k}_shift"]) for k in (1, 2)]
        fast = output_tables(*tables, data, subtract=op.kind == "SUB")
        if fast is not None:
            tables = list(fast)
            data["lut_output"] = 1
        for k, lut in enumerate(tables, 1):
            arrays.append(CArray(f"input{k}_lut", "int32_t", lut, kind="quant"))
            data[f"input{k}_lut"] = ArrayRef(f"input{k}_lut")
    name = _KERNEL_NAMES[op.kind]
    has_data = bool(data)
    data_type = {"ADD": "edgeai_add_data", "SUB": "edgeai_add_data", "MUL": "edgeai_mul_data"}.get(
        op.kind, "edgeai_minmax_data")
    runtime_inputs = [Buffer("input", t) for k, t in enumerate(op.inputs, 1) if k != constant]
    return LayerCode(
        kernel=f"edgeai_{name}_const_s8" if constant else f"edgeai_{name}_s8",
        header="edgeai_elementwise.h",
        params_type="edgeai_eltwise_params",
        params=params,
        data_type=data_type if has_data else "",
        data=data,
        args=[*runtime_inputs, Buffer("output", op.outputs[0])],
        arrays=arrays,
        scratch_bytes=0,
        macc=output_size_macc(graph, op),
        # Element i is read before it is written and from the same offset, in every loop
        # form; a broadcast operand is read again later, so only full-shape inputs qualify.
        overwrites={buffer.tensor: 0 for buffer in runtime_inputs
                    if graph.tensor(buffer.tensor).shape == y.shape
                    and graph.tensor(buffer.tensor).dtype == y.dtype},
        c_type="Eltwise",
        banding=Banding.ELEMENTWISE if op.kind == "ADD" and not constant else Banding.NONE,
    )


def lower_elementwise_s16(graph: Graph, op: Op) -> LayerCode:
    """16x8 ADD/SUB/MUL/MAXIMUM/MINIMUM -> edgeai_<op>_s16 or edgeai_<op>_const_s16 (zero
    points are 0, so the data has no offsets)."""
    x1, x2, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
    constant, data, arrays = _constant_input(x1, x2, np.int16)
    if op.kind in HAS_ACTIVATION:
        data.update({name: value for name, value in _arith_data(op, x1, x2, y).items()
                     if not name.endswith("_offset")})
    name = _KERNEL_NAMES[op.kind]
    data_type = {"ADD": "edgeai_add_s16_data", "SUB": "edgeai_add_s16_data",
                 "MUL": "edgeai_mul_s16_data"}.get(op.kind, "edgeai_minmax_s16_data")
    return LayerCode(
        kernel=f"edgeai_{name}_const_s16" if constant else f"edgeai_{name}_s16",
        header="edgeai_elementwise_s16.h",
        params_type="edgeai_eltwise_params",
        params={**loop_params(x1.shape, x2.shape, y.shape), "constant": constant},
        data_type=data_type if data else "",
        data=data,
        args=[*(Buffer("input", t, "int16_t") for k, t in enumerate(op.inputs, 1)
                if k != constant), Buffer("output", op.outputs[0], "int16_t")],
        arrays=arrays,
        macc=output_size_macc(graph, op),
        c_type="Eltwise",
    )


def _constant_input(x1: Tensor, x2: Tensor, dtype: type[np.integer]
                    ) -> tuple[int, dict[str, CValue], list[CArray]]:
    """Which input is constant (1 or 2; 0 for none), with the layer's data entry and the
    array holding its values as `dtype`."""
    constant = 1 if x1.is_constant else 2 if x2.is_constant else 0
    if not constant:
        return 0, {}, []
    values = np.asarray((x1 if constant == 1 else x2).data, dtype=dtype).reshape(-1)
    return (constant, {"constant": ArrayRef("constant")},
            [CArray("constant", f"{np.dtype(dtype).name}_t", values)])


def rescale_table(offset: int, multiplier: int, shift: int) -> np.ndarray:
    """ADD/SUB's first requantization of every int8 value x (entry x + 128), as int32."""
    return np.array([multiply_by_quantized_multiplier((x + offset) << LEFT_SHIFT, multiplier,
                                                      shift) for x in range(-128, 128)],
                    dtype=np.int32)


def requantize_array(x: np.ndarray, multiplier: int, shift: int) -> np.ndarray:
    """`multiply_by_quantized_multiplier` over an int64 array, for shift <= 0 (no left
    shift), 0 <= multiplier < 2^31 and |x| < 2^31."""
    product = x.astype(np.int64) * multiplier
    nudged = product + np.where(product >= 0, 1 << 30, 1 - (1 << 30))
    high = np.where(nudged >= 0, nudged >> 31, -((-nudged) >> 31))  # divides toward zero
    exponent = -shift
    mask = (1 << exponent) - 1
    threshold = (mask >> 1) + (high < 0)
    return (high >> exponent) + ((high & mask) > threshold)


def addsub_reference(lut1: np.ndarray, lut2: np.ndarray, data: dict[str, CValue],
                     subtract: bool) -> np.ndarray:
    """TFLM's output for every int8 pair [x1 + 128, x2 + 128], from the first-requantization
    tables."""
    raw = lut1.astype(np.int64)[:, None] + (-1 if subtract else 1) * lut2.astype(np.int64)
    value = requantize_array(raw, int(data["output_multiplier"]), int(data["output_shift"]))
    return np.clip(value + int(data["output_offset"]), data["act_min"], data["act_max"])


def output_tables(lut1: np.ndarray, lut2: np.ndarray, data: dict[str, CValue],
                  subtract: bool) -> tuple[np.ndarray, np.ndarray] | None:
    """Tables t1, t2 with clamp(sat8((t1[x1] + t2[x2]) >> LUT_OUTPUT_SHIFT)) equal to TFLM's
    ADD (or SUB) for all 65,536 int8 pairs, or None when no such pair of tables was found.

    Each input's first requantization times the output scale, in Q22 and rounded, plus one
    constant in t1 (zero point and rounding) chosen from the interval that every pair allows:
    a pair with TFLM output t in the activation range needs t * 2^22 <= sum < (t + 1) * 2^22
    (only the upper bound at act_min, only the lower one at act_max).
    """
    multiplier, shift = int(data["output_multiplier"]), int(data["output_shift"])
    act_min, act_max = int(data["act_min"]), int(data["act_max"])
    expected = addsub_reference(lut1, lut2, data, subtract)
    drop = 31 - shift - LUT_OUTPUT_SHIFT  # lut * multiplier * 2^(shift - 31) in Q22

    def share(lut: np.ndarray) -> np.ndarray:
        return (lut.astype(np.int64) * multiplier + (1 << (drop - 1))) >> drop

    share1 = share(lut1)
    share2 = share(-lut2 if subtract else lut2)
    sums = share1[:, None] + share2[None, :]
    one = 1 << LUT_OUTPUT_SHIFT
    above = expected > act_min  # the sum must reach expected * 2^22
    below = expected < act_max  # and stay below (expected + 1) * 2^22
    low = int(np.max(expected[above] * one - sums[above])) if above.any() else None
    high = int(np.min((expected[below] + 1) * one - 1 - sums[below])) if below.any() else None
    bounds = [bound for bound in (low, high) if bound is not None]
    if len(bounds) == 2 and low > high:
        return None
    constant = sum(bounds) // len(bounds) if bounds else 0  # the middle of what is allowed
    table1 = share1 + constant
    # The kernel adds in int32: refuse any entry or sum outside it.
    if any(int(np.abs(values).max()) >= 1 << 31 for values in (table1, share2, sums + constant)):
        return None
    return table1.astype(np.int32), share2.astype(np.int32)


def _arith_data(op: Op, x1: Tensor, x2: Tensor, y: Tensor) -> dict[str, CValue]:
    activation = op.options.get("fused_activation_function", "NONE")
    act_min, act_max = dtype_activation_range(activation, y.scale, y.zero_point, y.dtype)
    if op.kind == "MUL":
        multiplier, shift = quantize_multiplier(mul_real_multiplier(x1.scale, x2.scale, y.scale))
        return {"input1_offset": -x1.zero_point, "input2_offset": -x2.zero_point,
                "output_multiplier": multiplier, "output_shift": shift,
                "output_offset": y.zero_point, "act_min": act_min, "act_max": act_max}
    real1, real2, real_out = add_real_multipliers(x1.scale, x2.scale, y.scale,
                                                  LEFT_SHIFTS[y.dtype])
    # QuantizeMultiplierSmallerThanOneExp: the input ratios are <= 1/2 and the check made
    # sure the output one rounds below 1, so every shift is <= 0.
    m1, s1 = quantize_multiplier(real1)
    m2, s2 = quantize_multiplier(real2)
    mo, so = quantize_multiplier(real_out)
    return {"input1_offset": -x1.zero_point, "input1_multiplier": m1, "input1_shift": s1,
            "input2_offset": -x2.zero_point, "input2_multiplier": m2, "input2_shift": s2,
            "output_multiplier": mo, "output_shift": so, "output_offset": y.zero_point,
            "act_min": act_min, "act_max": act_max}


LOWERINGS = {kind: lower_elementwise for kind in _KERNEL_NAMES}
