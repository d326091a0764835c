"""Data movement: TRANSPOSE, STRIDED_SLICE, PAD, PADV2 and CONCATENATION, int8 and int16.

An int16 tensor is moved as bytes by the same kernels (their `_s16` entry points): every
step, start and block is counted in bytes and each box gets one innermost loop over the two
bytes of a value, which merges with the contiguous loops around it.

Bit-exact with TFLite Micro, whose kernels copy raw int8 values and never read a scale
(TFLM requires CONCATENATION's inputs to share the output's scale and zero point; PAD
writes the output zero point, PADV2 its constant). Every index is resolved here, in
Python: each op becomes a "box move" (nested loops with trip counts and input/output
steps, see `edgeai_transform.h`), with contiguous dimensions merged so the kernel copies
whole rows with memcpy. ST counts no MACs for data movement, so macc is 0. What each op
accepts, and the slice and padding it resolves to, is in `edgeai_tool.ops.transform`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, CValue, LayerCode
from edgeai_tool.codegen.loops import merged_loops
from edgeai_tool.ir import DTYPE_SIZES, Graph, Op
from edgeai_tool.ops.transform import (
    CONCAT_MAX_INPUTS,
    concat_axis,
    pad_value,
    paddings_of,
    slice_plan,
)

MOVE_DIMS = 5  # EDGEAI_MOVE_DIMS
_HEADER = "edgeai_transform.h"


# ---- shared helpers -------------------------------------------------------------------------


def row_major_strides(shape: Sequence[int]) -> list[int]:
    """Element strides of a C-ordered tensor."""
    strides = [1] * len(shape)
    for axis in range(len(shape) - 2, -1, -1):
        strides[axis] = strides[axis + 1] * shape[axis + 1]
    return strides


def merge_loops(count: Sequence[int], in_step: Sequence[int],
                out_step: Sequence[int]) -> tuple[list[int], list[int], list[int]]:
    """Drop single-trip loops, merge loops that walk both tensors contiguously, and pad to
    MOVE_DIMS loops (outermost first; padding loops have count 1)."""
    merged = merged_loops(zip(count, in_step, out_step, strict=True)) or [(1, 1, 1)]
    assert len(merged) <= MOVE_DIMS, "the checks keep every tensor within MOVE_DIMS dimensions"
    merged = [(1, 0, 0)] * (MOVE_DIMS - len(merged)) + merged
    return [m[0] for m in merged], [m[1] for m in merged], [m[2] for m in merged]


def move_params(count: Sequence[int], in_step: Sequence[int], out_step: Sequence[int],
                in_start: int = 0, out_start: int = 0, itemsize: int = 1) -> dict[str, CValue]:
    """The fields of `edgeai_move_params` for a box move of `itemsize`-byte values (steps
    and starts given in values)."""
    if itemsize > 1:
        count = [*count, itemsize]
        in_step = [step * itemsize for step in in_step] + [1]
        out_step = [step * itemsize for step in out_step] + [1]
        in_start, out_start = in_start * itemsize, out_start * itemsize
    counts, in_steps, out_steps = merge_loops(count, in_step, out_step)
    return {"count": tuple(counts), "in_step": tuple(in_steps), "out_step": tuple(out_steps),
            "in_start": in_start, "out_start": out_start}


def lower_transpose(graph: Graph, op: Op) -> LayerCode:
    """TRANSPOSE -> edgeai_transpose_<s8|s16> (output written in order, input read through
    perm)."""
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    perm = [int(p) for p in np.asarray(graph.tensor(op.inputs[1]).data).reshape(-1)]
    in_strides = row_major_strides(x.shape)
    params = move_params(y.shape, [in_strides[p] for p in perm], row_major_strides(y.shape),
                         itemsize=DTYPE_SIZES[x.dtype])
    return _move_layer("edgeai_transpose", graph, op, params, "Transpose")


def _suffix(graph: Graph, op: Op) -> str:
    """The kernel's type suffix: the output's type."""
    return "s16" if graph.tensor(op.outputs[0]).dtype == "int16" else "s8"


def _move_layer(kernel: str, graph: Graph, op: Op, params: dict[str, CValue],
                c_type: str) -> LayerCode:
    return LayerCode(
        kernel=f"{kernel}_{_suffix(graph, op)}", header=_HEADER,
        params_type="edgeai_move_params", params=params,
        data_type="", data={},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        macc=0, c_type=c_type,
    )


def lower_strided_slice(graph: Graph, op: Op) -> LayerCode:
    """STRIDED_SLICE -> edgeai_strided_slice_<s8|s16>."""
    x = graph.tensor(op.inputs[0])
    plan, _ = slice_plan(graph, op)
    in_strides = row_major_strides(x.shape)
    counts = [count for _, count, _ in plan]
    in_start = sum(start * stride for (start, _, _), stride in zip(plan, in_strides, strict=True))
    params = move_params(counts, [step * s for (_, _, step), s in zip(plan, in_strides,
                                                                        strict=True)],
                         row_major_strides(counts), in_start=in_start,
                         itemsize=DTYPE_SIZES[x.dtype])
    return _move_layer("edgeai_strided_slice", graph, op, params, "StridedSlice")


def lower_pad(graph: Graph, op: Op) -> LayerCode:
    """PAD / PADV2 -> edgeai_pad_<s8|s16>: fill with the pad value, then move the input
    inside."""
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    out_strides = row_major_strides(y.shape)
    out_start = sum(before * s for (before, _), s in zip(paddings_of(graph, op), out_strides,
                                                          strict=True))
    move = move_params(x.shape, row_major_strides(x.shape), out_strides, 0, out_start,
                       DTYPE_SIZES[x.dtype])
    return LayerCode(
        kernel=f"edgeai_pad_{_suffix(graph, op)}", header=_HEADER,
        params_type="edgeai_pad_params",
        params={"output_size": y.size, **move},
        data_type="edgeai_pad_data", data={"pad_value": pad_value(graph, op)},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        macc=0, c_type="Pad",
    )


def lower_concatenation(graph: Graph, op: Op) -> LayerCode:
    """CONCATENATION -> edgeai_concat<N>_<s8|s16>, N the number of computed inputs."""
    return concat_layer(graph, op, concat_axis(op, len(graph.tensor(op.outputs[0]).shape)),
                        "Concat")


def concat_layer(graph: Graph, op: Op, axis: int, c_type: str) -> LayerCode:
    """edgeai_concat<N>_<s8|s16> writing the output as [outer][input 0's block][input 1's]...,
    `outer` the product of the output's dimensions before `axis` and each input's block all
    its values from `axis` on, in bytes (CONCATENATION, and PACK whose inputs lack the axis)."""
    y = graph.tensor(op.outputs[0])
    size = DTYPE_SIZES[y.dtype]
    suffix = _suffix(graph, op)
    ctype = f"int{8 * size}_t"
    blocks: list[int] = []
    constants: list[CValue] = []
    arrays: list[CArray] = []
    args: list[Buffer] = []
    for k, tensor_id in enumerate(op.inputs):
        x = graph.tensor(tensor_id)
        blocks.append(math.prod(x.shape[axis:]) * size)
        if x.is_constant:
            name = f"input{k}"
            arrays.append(CArray(name, ctype, np.asarray(x.data).reshape(-1)))
            constants.append(ArrayRef(name))
        else:
            constants.append(0)
            args.append(Buffer("input", tensor_id))
    padding = CONCAT_MAX_INPUTS - len(blocks)
    return LayerCode(
        kernel=f"edgeai_concat{len(args)}_{suffix}", header=_HEADER,
        params_type="edgeai_concat_params",
        params={"num_inputs": len(blocks), "outer": math.prod(y.shape[:axis]),
                "block": tuple(blocks + [0] * padding)},
        data_type="edgeai_concat_s16_data" if suffix == "s16" else "edgeai_concat_data",
        data={"constant": tuple(constants + [0] * padding)},
        args=[*args, Buffer("output", op.outputs[0])],
        arrays=arrays, macc=0, c_type=c_type,
    )


LOWERINGS = {
    "CONCATENATION": lower_concatenation,
    "PAD": lower_pad,
    "PADV2": lower_pad,
    "STRIDED_SLICE": lower_strided_slice,
    "TRANSPOSE": lower_transpose,
}
