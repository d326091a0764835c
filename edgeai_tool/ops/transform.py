"""Data movement, int8 and int16: TRANSPOSE, STRIDED_SLICE, PAD, PADV2 and CONCATENATION:
what they accept, the slice and padding each resolves to, and their cost (ST counts none).

TFLite Micro's kernels copy raw values and never read a scale (TFLM requires
CONCATENATION's inputs to share the output's scale and zero point; PAD writes the output
zero point, PADV2 its constant).
"""

from __future__ import annotations

import math

import numpy as np

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import OpSupport, io_count, io_tensors, no_macc, same_dtype

CONCAT_MAX_INPUTS = 10  # EDGEAI_CONCAT_MAX_INPUTS (TFLM's kMaxInputNum)

TRANSPOSE_CONSTRAINTS = (
    "int8 input and output of rank 1 to 5; constant int32 perm, a permutation of the input's "
    "dimensions; output shape = input shape permuted; quantization is not read (raw copy)"
)
STRIDED_SLICE_CONSTRAINTS = (
    "int8 input and output, input of rank 1 to 4; constant int32 begin, end and strides with "
    "one value per input dimension; strides non-zero (negative allowed); negative begin/end "
    "count from the end; begin_mask, end_mask and shrink_axis_mask; ellipsis_mask and "
    "new_axis_mask 0 and offset false (TFLite Micro ignores them); quantization is not read"
)
PAD_CONSTRAINTS = (
    "int8 input and output of rank 1 to 5; constant int32 paddings [rank, 2], each >= 0; "
    "padded with the output zero point; quantization otherwise not read (raw copy)"
)
PADV2_CONSTRAINTS = (
    "as PAD, plus an optional constant int8 scalar pad value quantized like the output "
    "(same scale and zero point); without it, the output zero point"
)
CONCAT_CONSTRAINTS = (
    f"1 to {CONCAT_MAX_INPUTS} int8 inputs (constant inputs allowed, at least one computed) "
    "of equal rank up to 5, equal except along the axis; any axis, negative counts from the "
    "end; every input with the output's scale and zero point (TFLite Micro does not "
    "requantize); fused activation NONE"
)


_INT16_TEXT = (
    "; int16 (16x8) too, of rank up to 4 (the kernel moves each value's two bytes as one "
    "more loop)"
)
TRANSPOSE_CONSTRAINTS += _INT16_TEXT
STRIDED_SLICE_CONSTRAINTS += "; int16 (16x8) too"
PAD_CONSTRAINTS += _INT16_TEXT
PADV2_CONSTRAINTS += _INT16_TEXT + ", pad value int16"
CONCAT_CONSTRAINTS += "; int16 (16x8) too, all inputs and output"
MOVED_DTYPES = ("int8", "int16")
# A box move of int16 values spends one of its EDGEAI_MOVE_DIMS loops on the two bytes.
_INT16_BOX_RANK = 4


# ---- shared checks ------------------------------------------------------------------------


def moved_activation(role: str, tensor: Tensor, max_rank: int, box: bool = True,
                     dtypes: tuple[str, ...] = MOVED_DTYPES) -> str | None:
    """An activation a data-movement kernel can copy: one of `dtypes`, computed at run time,
    of rank 1 to `max_rank` (less for int16 in a box move), not empty."""
    if tensor.dtype not in dtypes:
        return f"{role} type {tensor.dtype} is not supported ({' or '.join(dtypes)} only)"
    if tensor.is_constant:
        return f"constant {role} is not supported (the converter folds such ops)"
    if box and tensor.dtype == "int16":
        max_rank = min(max_rank, _INT16_BOX_RANK)
    if not 1 <= len(tensor.shape) <= max_rank:
        return f"{tensor.dtype} {role} of rank {len(tensor.shape)} is not supported " \
               f"(1 to {max_rank})"
    if tensor.size == 0:
        return f"empty {role} (shape {list(tensor.shape)}) is not supported"
    return None


def _const_int32_vector(graph: Graph, op: Op, index: int, role: str,
                        length: int) -> tuple[list[int] | None, str | None]:
    if len(op.inputs) <= index or op.inputs[index] < 0:
        return None, f"missing {role} tensor"
    tensor = graph.tensor(op.inputs[index])
    if not tensor.is_constant:
        return None, f"{role} computed at run time is not supported (constant only)"
    if tensor.dtype != "int32":
        return None, f"{role} of type {tensor.dtype} is not supported (int32 only)"
    values = [int(v) for v in np.asarray(tensor.data).reshape(-1)]
    if len(values) != length:
        return None, f"{role} has {len(values)} values for {length} dimensions"
    return values, None


def _check_moved(graph: Graph, op: Op, inputs: tuple[int, ...], max_rank: int,
                 scalar_output: bool = False) -> str | None:
    """Input count, then a computed input and an output of the same type (int8 or int16) and
    of rank 1 to `max_rank` (or a scalar output, when `scalar_output`)."""
    reason = io_count(op, inputs)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    reason = moved_activation("input", x, max_rank) or same_dtype(x, y)
    if reason or (scalar_output and not y.shape):
        return reason
    return moved_activation("output", y, max_rank)


# ---- TRANSPOSE ------------------------------------------------------------------------------


def check_transpose(graph: Graph, op: Op) -> str | None:
    """None when the TRANSPOSE is supported, else the reason."""
    reason = _check_moved(graph, op, (2,), 5)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    perm, reason = _const_int32_vector(graph, op, 1, "perm", len(x.shape))
    if reason:
        return reason
    if sorted(perm) != list(range(len(x.shape))):
        return f"perm {perm} is not a permutation of 0..{len(x.shape) - 1}"
    expected = [x.shape[p] for p in perm]
    if list(y.shape) != expected:
        return f"output shape {list(y.shape)} differs from {expected} (input shape permuted)"
    return None


# ---- STRIDED_SLICE --------------------------------------------------------------------------


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(value, high))


def slice_axis(size: int, begin: int, end: int, stride: int, begin_masked: bool,
               end_masked: bool, shrink: bool) -> tuple[int, int]:
    """(start, trip count) along one axis, exactly as TFLM's StridedSlice Eval loops
    (StridedSliceStartForAxis / StridedSliceEndForAxis)."""
    start = begin + size if begin < 0 else begin
    start = _clamp(start, 0, size) if stride > 0 else _clamp(start, -1, size - 1)
    if begin_masked:
        start = 0 if stride > 0 else size - 1
    if shrink:
        stop = start if start >= size else start + 1
    else:
        stop = end + size if end < 0 else end
        stop = _clamp(stop, 0, size) if stride > 0 else _clamp(stop, -1, size - 1)
        if end_masked:
            stop = size if stride > 0 else -1
    if stride > 0:
        count = max(0, -(-(stop - start) // stride))
    else:
        count = max(0, -(-(start - stop) // -stride))
    return start, count


def slice_plan(graph: Graph, op: Op) -> tuple[list[tuple[int, int, int]] | None, str | None]:
    """Per input axis (start, count, stride), or the reason the slice is unsupported."""
    x = graph.tensor(op.inputs[0])
    rank = len(x.shape)
    vectors = []
    for index, role in ((1, "begin"), (2, "end"), (3, "strides")):
        values, reason = _const_int32_vector(graph, op, index, role, rank)
        if reason:
            return None, reason
        vectors.append(values)
    begin, end, strides = vectors
    options = op.options
    for name in ("ellipsis_mask", "new_axis_mask"):
        if int(options.get(name, 0)):
            return None, f"{name} {options[name]} is not supported (0 only; TFLite Micro " \
                         "ignores it)"
    if options.get("offset", False):
        return None, "offset true is not supported (TFLite Micro ignores it)"
    begin_mask = int(options.get("begin_mask", 0))
    end_mask = int(options.get("end_mask", 0))
    shrink_mask = int(options.get("shrink_axis_mask", 0))
    plan = []
    for axis in range(rank):
        if strides[axis] == 0:
            return None, f"stride 0 on axis {axis} is not supported (non-zero only)"
        shrink = bool(shrink_mask >> axis & 1)
        start, count = slice_axis(x.shape[axis], begin[axis], end[axis], strides[axis],
                                  bool(begin_mask >> axis & 1), bool(end_mask >> axis & 1),
                                  shrink)
        if shrink and count != 1:
            return None, f"shrunk axis {axis} with begin {begin[axis]} and stride " \
                         f"{strides[axis]} selects {count} values (1 expected)"
        plan.append((start, count, strides[axis]))
    return plan, None


def check_strided_slice(graph: Graph, op: Op) -> str | None:
    """None when the STRIDED_SLICE is supported, else the reason."""
    reason = _check_moved(graph, op, (4,), 4, scalar_output=True)
    if reason:
        return reason
    y = graph.tensor(op.outputs[0])
    plan, reason = slice_plan(graph, op)
    if reason:
        return reason
    shrink_mask = int(op.options.get("shrink_axis_mask", 0))
    expected = [count for axis, (_, count, _) in enumerate(plan) if not shrink_mask >> axis & 1]
    if list(y.shape) != expected:
        return f"output shape {list(y.shape)} differs from {expected} that begin, end, " \
               "strides and masks give"
    if math.prod(expected) == 0:
        return "empty slice is not supported"
    return None


# ---- PAD / PADV2 ----------------------------------------------------------------------------


def _pad_value_tensor(graph: Graph, op: Op) -> Tensor | None:
    if op.kind == "PADV2" and len(op.inputs) > 2 and op.inputs[2] >= 0:
        return graph.tensor(op.inputs[2])
    return None


def paddings_of(graph: Graph, op: Op) -> list[tuple[int, int]]:
    """(before, after) per input dimension of a PAD/PADV2 (checked op)."""
    values = np.asarray(graph.tensor(op.inputs[1]).data).reshape(-1)
    return [(int(values[2 * d]), int(values[2 * d + 1])) for d in range(values.size // 2)]


def pad_value(graph: Graph, op: Op) -> int:
    """The value a PAD/PADV2 writes: PADV2's constant, else the output zero point."""
    constant = _pad_value_tensor(graph, op)
    if constant is not None:
        return int(np.asarray(constant.data).reshape(-1)[0])
    return int(graph.tensor(op.outputs[0]).zero_point)


def check_pad(graph: Graph, op: Op) -> str | None:
    """None when the PAD/PADV2 is supported, else the reason."""
    reason = _check_moved(graph, op, (2, 3) if op.kind == "PADV2" else (2,), 5)
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    if y.quant is None or y.quant.per_channel:
        return "output needs per-tensor quantization (its zero point is the pad value)"
    rank = len(x.shape)
    paddings_id = op.inputs[1]
    paddings = graph.tensor(paddings_id) if paddings_id >= 0 else None
    if paddings is None or not paddings.is_constant:
        return "paddings computed at run time are not supported (constant only)"
    if paddings.dtype != "int32":
        return f"paddings of type {paddings.dtype} are not supported (int32 only)"
    if paddings.size != 2 * rank or len(y.shape) != rank:
        return f"paddings of {paddings.size} values for input rank {rank} and output rank " \
               f"{len(y.shape)} ([rank, 2] expected)"
    pads = paddings_of(graph, op)
    if any(before < 0 or after < 0 for before, after in pads):
        return f"negative paddings {[list(p) for p in pads]} are not supported (>= 0 only)"
    expected = [size + before + after for size, (before, after) in zip(x.shape, pads,
                                                                        strict=True)]
    if list(y.shape) != expected:
        return f"output shape {list(y.shape)} differs from {expected} (input plus paddings)"
    constant = _pad_value_tensor(graph, op)
    if constant is not None:
        if constant.dtype != y.dtype or not constant.is_constant or constant.size != 1:
            return f"pad value must be a constant {y.dtype} scalar (got {constant.dtype}, " \
                   f"{constant.size} values)"
        if constant.quant is None or constant.quant.scale[0] != y.quant.scale[0] or \
                constant.quant.zero_point[0] != y.quant.zero_point[0]:
            return "pad value quantized differently from the output (TFLite Micro requires " \
                   "the same scale and zero point)"
    return None


# ---- CONCATENATION --------------------------------------------------------------------------


def concat_axis(op: Op, rank: int) -> int:
    axis = int(op.options.get("axis", 0))
    return axis + rank if axis < 0 else axis


def check_concatenation(graph: Graph, op: Op) -> str | None:
    """None when the CONCATENATION is supported, else the reason."""
    if not 1 <= len(op.inputs) <= CONCAT_MAX_INPUTS or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs " \
               f"(1 to {CONCAT_MAX_INPUTS} and 1 expected)"
    activation = op.options.get("fused_activation_function", "NONE")
    if activation != "NONE":
        return f"fused activation {activation} is not supported (NONE only, as TFLite Micro)"
    y = graph.tensor(op.outputs[0])
    reason = moved_activation("output", y, 5, box=False)
    if reason:
        return reason
    if y.quant is None or y.quant.per_channel:
        return "output needs per-tensor quantization"
    rank = len(y.shape)
    axis = concat_axis(op, rank)
    if not 0 <= axis < rank:
        return f"axis {op.options.get('axis')} is out of range for rank {rank}"
    total = 0
    for k, tensor_id in enumerate(op.inputs):
        if tensor_id < 0:
            return f"input {k} is missing"
        x = graph.tensor(tensor_id)
        if x.dtype != y.dtype:
            return f"input {k} type {x.dtype} differs from the output type {y.dtype}"
        if len(x.shape) != rank or any(
                a != b for d, (a, b) in enumerate(zip(x.shape, y.shape, strict=True)) if d != axis):
            return f"input {k} shape {list(x.shape)} does not match output {list(y.shape)} " \
                   f"outside axis {axis}"
        if x.quant is None or x.quant.per_channel or x.quant.scale[0] != y.quant.scale[0] \
                or x.quant.zero_point[0] != y.quant.zero_point[0]:
            return f"input {k} quantization differs from the output's (TFLite Micro requires " \
                   "equal scale and zero point; it does not requantize)"
        total += x.shape[axis]
    if total != y.shape[axis]:
        return f"inputs give {total} values along axis {axis}, output has {y.shape[axis]}"
    if all(graph.tensor(t).is_constant for t in op.inputs):
        return "every input is constant (the converter folds such ops)"
    return None


SUPPORT = [
    OpSupport("CONCATENATION", CONCAT_CONSTRAINTS, check_concatenation, no_macc),
    OpSupport("PAD", PAD_CONSTRAINTS, check_pad, no_macc),
    OpSupport("PADV2", PADV2_CONSTRAINTS, check_pad, no_macc),
    OpSupport("STRIDED_SLICE", STRIDED_SLICE_CONSTRAINTS, check_strided_slice, no_macc),
    OpSupport("TRANSPOSE", TRANSPOSE_CONSTRAINTS, check_transpose, no_macc),
]
