"""Ops around sequence models, int8: PACK, UNPACK, SPLIT and SPLIT_V. What they accept and
their cost (ST counts none).

TFLite Micro's kernels copy raw values and never read a scale, so the outputs' quantization
is not checked. Seen around the axis, each is a CONCATENATION (PACK) or its inverse (the
splits): [outer][block] pieces copied in turn.
"""

from __future__ import annotations

import numpy as np

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import OpSupport, no_macc
from edgeai_tool.ops.transform import CONCAT_MAX_INPUTS, moved_activation

SPLIT_MAX_OUTPUTS = 10  # EDGEAI_SPLIT_MAX_OUTPUTS
MAX_RANK = 5

PACK_CONSTRAINTS = (
    f"1 to {CONCAT_MAX_INPUTS} int8 inputs of equal shape (rank up to {MAX_RANK - 1}, "
    "constant inputs allowed, at least one computed), stacked along a new axis (any, "
    "negative counts from the end); quantization is not read (raw copy)"
)
UNPACK_CONSTRAINTS = (
    f"int8 input of rank up to {MAX_RANK} into its {SPLIT_MAX_OUTPUTS} or fewer slices along "
    "any axis (negative counts from the end); quantization is not read (raw copy)"
)
SPLIT_CONSTRAINTS = (
    f"constant int32 axis (negative counts from the end); int8 input of rank up to "
    f"{MAX_RANK} into 1 to {SPLIT_MAX_OUTPUTS} equal parts; quantization is not read (raw copy)"
)
SPLIT_V_CONSTRAINTS = (
    f"int8 input of rank up to {MAX_RANK}; constant int32 size_splits and axis; 1 to "
    f"{SPLIT_MAX_OUTPUTS} outputs whose sizes along the axis add up to the input's; "
    "quantization is not read (raw copy)"
)


def normalized_axis(axis: int, rank: int) -> int:
    return axis + rank if axis < 0 else axis


def _shape_without(shape: tuple[int, ...], axis: int) -> list[int]:
    return [size for d, size in enumerate(shape) if d != axis]


# ---- PACK -----------------------------------------------------------------------------------


def pack_axis(graph: Graph, op: Op) -> int:
    """PACK's axis in the output's dimensions, as TFLM normalises it."""
    return normalized_axis(int(op.options.get("axis", 0)), len(graph.tensor(op.outputs[0]).shape))


def _check_moved_along(role: str, tensor: Tensor, axis: int, shown_axis: object) -> str | None:
    """Why the int8 `tensor` cannot be stacked or cut along `axis` (reported as the
    model's `shown_axis`), or None."""
    reason = moved_activation(role, tensor, MAX_RANK, dtypes=("int8",))
    if reason:
        return reason
    if not 0 <= axis < len(tensor.shape):
        return f"axis {shown_axis} is out of range for {role} rank {len(tensor.shape)}"
    return None


def check_pack(graph: Graph, op: Op) -> str | None:
    """None when the PACK is supported, else the reason."""
    if not 1 <= len(op.inputs) <= CONCAT_MAX_INPUTS or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs " \
               f"(1 to {CONCAT_MAX_INPUTS} and 1 expected)"
    if int(op.options.get("values_count", len(op.inputs))) != len(op.inputs):
        return f"values_count {op.options['values_count']} differs from the {len(op.inputs)} " \
               "inputs"
    y = graph.tensor(op.outputs[0])
    axis = pack_axis(graph, op)
    reason = _check_moved_along("output", y, axis, op.options.get("axis"))
    if reason:
        return reason
    inputs = [graph.tensor(t) for t in op.inputs]
    for k, x in enumerate(inputs):
        if x.dtype != "int8":
            return f"input {k} type {x.dtype} is not supported (int8 only)"
        if list(x.shape) != _shape_without(y.shape, axis) or y.shape[axis] != len(inputs):
            return f"input {k} shape {list(x.shape)} stacked {len(inputs)} times along axis " \
                   f"{axis} does not give output {list(y.shape)}"
    if all(x.is_constant for x in inputs):
        return "every input is constant (the converter folds such ops)"
    return None


# ---- UNPACK, SPLIT, SPLIT_V -----------------------------------------------------------------


def split_axis(graph: Graph, op: Op) -> int:
    """The axis a checked UNPACK, SPLIT or SPLIT_V cuts, in the input's dimensions."""
    x = split_input(graph, op)
    if op.kind == "UNPACK":
        axis = int(op.options.get("axis", 0))
    else:
        axis_tensor = graph.tensor(op.inputs[0 if op.kind == "SPLIT" else 2])
        axis = int(np.asarray(axis_tensor.data).reshape(-1)[0])
    return normalized_axis(axis, len(x.shape))


def split_input(graph: Graph, op: Op) -> Tensor:
    """The tensor a SPLIT (second input), SPLIT_V or UNPACK (first input) cuts."""
    return graph.tensor(op.inputs[1 if op.kind == "SPLIT" else 0])


def _check_axis_tensor(graph: Graph, tensor_id: int) -> str | None:
    axis = graph.tensor(tensor_id)
    if not axis.is_constant or axis.dtype != "int32" or axis.size != 1:
        return "axis must be a constant int32 scalar (TFLite Micro refuses a computed one)"
    return None


def _check_split_common(graph: Graph, op: Op, inputs: int) -> str | None:
    if len(op.inputs) != inputs or not 1 <= len(op.outputs) <= SPLIT_MAX_OUTPUTS:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs ({inputs} and 1 to " \
               f"{SPLIT_MAX_OUTPUTS} expected)"
    if op.kind != "UNPACK":
        reason = _check_axis_tensor(graph, op.inputs[0 if op.kind == "SPLIT" else 2])
        if reason:
            return reason
    x = split_input(graph, op)
    axis = split_axis(graph, op)
    reason = _check_moved_along("input", x, axis, axis)
    if reason:
        return reason
    for k, tensor_id in enumerate(op.outputs):
        y = graph.tensor(tensor_id)
        if y.dtype != "int8":
            return f"output {k} type {y.dtype} is not supported (int8 only)"
    return None


def check_unpack(graph: Graph, op: Op) -> str | None:
    """None when the UNPACK is supported, else the reason."""
    reason = _check_split_common(graph, op, 1)
    if reason:
        return reason
    x, axis = split_input(graph, op), split_axis(graph, op)
    if x.shape[axis] != len(op.outputs) or int(op.options.get("num", 0)) != len(op.outputs):
        return f"num {op.options.get('num')} and {len(op.outputs)} outputs for " \
               f"{x.shape[axis]} slices along axis {axis}"
    expected = _shape_without(x.shape, axis)
    for k, tensor_id in enumerate(op.outputs):
        if list(graph.tensor(tensor_id).shape) != expected:
            return f"output {k} shape {list(graph.tensor(tensor_id).shape)} is not {expected}"
    return None


def check_split(graph: Graph, op: Op) -> str | None:
    """None when the SPLIT or SPLIT_V is supported, else the reason."""
    reason = _check_split_common(graph, op, 2 if op.kind == "SPLIT" else 3)
    if reason:
        return reason
    x, axis = split_input(graph, op), split_axis(graph, op)
    outputs = [graph.tensor(t) for t in op.outputs]
    for k, y in enumerate(outputs):
        if len(y.shape) != len(x.shape) or _shape_without(y.shape, axis) != \
                _shape_without(x.shape, axis):
            return f"output {k} shape {list(y.shape)} does not match input {list(x.shape)} " \
                   f"outside axis {axis}"
    if op.kind == "SPLIT" and int(op.options.get("num_splits", 0)) != len(outputs):
        return f"num_splits {op.options.get('num_splits')} for {len(outputs)} outputs"
    sizes = [y.shape[axis] for y in outputs]
    if sum(sizes) != x.shape[axis] or (op.kind == "SPLIT" and len(set(sizes)) != 1):
        return f"outputs of {sizes} along axis {axis} do not split the input's {x.shape[axis]}" \
               f"{' equally' if op.kind == 'SPLIT' else ''}"
    return None


SUPPORT = [
    OpSupport("PACK", PACK_CONSTRAINTS, check_pack, no_macc),
    OpSupport("SPLIT", SPLIT_CONSTRAINTS, check_split, no_macc),
    OpSupport("SPLIT_V", SPLIT_V_CONSTRAINTS, check_split, no_macc),
    OpSupport("UNPACK", UNPACK_CONSTRAINTS, check_unpack, no_macc),
]
