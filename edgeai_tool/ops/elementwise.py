"""ADD, SUB, MUL, MAXIMUM, MINIMUM, int8 and 16x8 with broadcasting: what they accept and
cost.

ADD and SUB take TFLite Micro's requantization ratios (`add_real_multipliers`, in double as
TFLM computes them): the check refuses an output scale whose ratio does not stay below 1.
MAXIMUM and MINIMUM compare raw int8 values, so their quantization is not read.
"""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import (
    OpSupport,
    check_fused_activation,
    output_size_macc,
    quantized_per_tensor,
)
from edgeai_tool.quant import f32, quantize_multiplier

MAX_DIMS = 4
LEFT_SHIFT = 20  # TFLM's left_shift for int8 ADD/SUB
LEFT_SHIFTS = {"int8": LEFT_SHIFT, "int16": 15}  # ... and for int16
HAS_ACTIVATION = ("ADD", "SUB", "MUL")

_BROADCAST_TEXT = (
    "inputs broadcast against each other along any dimensions (TFLite rules, shapes "
    "right-aligned, output at most 4-D); either input may be constant (scalar, per-channel "
    "vector or any broadcastable shape), not both"
)
_ARITH_CONSTRAINTS = (
    "int8 inputs and output, or int16 (16x8, zero point 0); per-tensor quantization; "
    + _BROADCAST_TEXT
    + "; fused activation NONE, RELU, RELU6 or RELU_N1_TO_1"
)
_MINMAX_CONSTRAINTS = (
    "int8 or int16 inputs and output; " + _BROADCAST_TEXT + "; compares raw values: TFLite "
    "Micro ignores the quantization of this op (give inputs and output the same scale and zero "
    "point)"
)


def add_real_multipliers(s1: float, s2: float, s_out: float,
                         left_shift: int = LEFT_SHIFT) -> tuple[float, float, float]:
    """ADD and SUB: input 1, input 2 and output real multipliers, all in double."""
    twice_max = 2 * float(max(f32(s1), f32(s2)))
    return (float(s1) / twice_max, float(s2) / twice_max,
            twice_max / ((1 << left_shift) * float(s_out)))


def broadcast_shape(shape1: tuple[int, ...], shape2: tuple[int, ...]) -> tuple[int, ...] | None:
    """The broadcast of two shapes (right-aligned), or None when they do not broadcast."""
    rank = max(len(shape1), len(shape2))
    a = (1,) * (rank - len(shape1)) + tuple(shape1)
    b = (1,) * (rank - len(shape2)) + tuple(shape2)
    out = []
    for m, n in zip(a, b, strict=True):
        if m != n and 1 not in (m, n):
            return None
        out.append(n if m == 1 else m)
    return tuple(out)


def check_elementwise(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    if len(op.inputs) != 2 or len(op.outputs) != 1 or min(op.inputs) < 0:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (2 and 1 expected)"
    x1, x2, y = graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), graph.tensor(op.outputs[0])
    return (_check_types(op, x1, x2, y) or _check_options(op) or _check_shapes(x1, x2, y)
            or _check_scales(op, x1, x2, y))


def _check_types(op: Op, x1: Tensor, x2: Tensor, y: Tensor) -> str | None:
    dtypes = ("int8", "int16")
    for role, tensor in (("input 1", x1), ("input 2", x2), ("output", y)):
        if tensor.dtype not in dtypes:
            return f"{role} type {tensor.dtype} is not supported ({' or '.join(dtypes)} only)"
        if tensor.dtype != y.dtype:
            return f"{role} type {tensor.dtype} differs from the output type {y.dtype}"
        if op.kind in HAS_ACTIVATION:
            reason = quantized_per_tensor(role, tensor, dtypes)
            if reason:
                return reason
    if x1.is_constant and x2.is_constant:
        return "both inputs are constant (fold the op into a constant before conversion)"
    return None


def _check_options(op: Op) -> str | None:
    return check_fused_activation(op.options) if op.kind in HAS_ACTIVATION else None


def _check_shapes(x1: Tensor, x2: Tensor, y: Tensor) -> str | None:
    for role, tensor in (("input 1", x1), ("input 2", x2), ("output", y)):
        if len(tensor.shape) > MAX_DIMS:
            return f"{len(tensor.shape)}-D {role} shape {list(tensor.shape)} is not supported " \
                   f"(at most {MAX_DIMS}-D)"
        if tensor.size == 0:
            return f"{role} shape {list(tensor.shape)} is empty"
    expected = broadcast_shape(x1.shape, x2.shape)
    if expected is None:
        return f"input shapes {list(x1.shape)} and {list(x2.shape)} do not broadcast"
    rank = max(len(expected), len(y.shape))
    if _extended(y.shape, rank) != _extended(expected, rank):
        return f"output shape {list(y.shape)} is not the broadcast of {list(x1.shape)} and " \
               f"{list(x2.shape)} ({list(expected)})"
    return None


def _extended(shape: tuple[int, ...], rank: int) -> tuple[int, ...]:
    return (1,) * (rank - len(shape)) + tuple(shape)


def _check_scales(op: Op, x1: Tensor, x2: Tensor, y: Tensor) -> str | None:
    if op.kind not in HAS_ACTIVATION:
        return None
    for role, tensor in (("input 1", x1), ("input 2", x2), ("output", y)):
        if not tensor.scale > 0:
            return f"{role} scale {tensor.scale:g} is not positive"
    if op.kind in ("ADD", "SUB"):
        left_shift = LEFT_SHIFTS[y.dtype]
        output_real = add_real_multipliers(x1.scale, x2.scale, y.scale, left_shift)[2]
        if quantize_multiplier(output_real)[1] > 0:
            return f"output scale {y.scale:g} is too small for input scales {x1.scale:g} and " \
                   f"{x2.scale:g} (TFLite Micro needs 2 max(input scales) / " \
                   f"(2^{left_shift} output scale) < 1)"
    return None


SUPPORT = [
    OpSupport(kind, _ARITH_CONSTRAINTS if kind in HAS_ACTIVATION else _MINMAX_CONSTRAINTS,
              check_elementwise, output_size_macc)
    for kind in (*HAS_ACTIVATION, "MAXIMUM", "MINIMUM")
]
