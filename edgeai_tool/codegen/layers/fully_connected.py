"""FULLY_CONNECTED: int8 x int8 -> int8 with an int32 bias, per-tensor or per-channel.

Bit-exact with TFLite Micro's reference kernels. TFLM reads the input as
[batches, in_depth] whatever its rank (in_depth is the weights' last dimension), so
`keep_num_dims` only changes the output's shape, never the arithmetic.

The input zero point is folded into the bias here:
    sum_d w[c][d] * (x[d] - zp_in) + bias[c] = sum_d w[c][d] * x[d] + (bias[c] - zp_in * rowsum_c)
which is exact in int32 (TFLM's accumulator wraps the same way), so the kernel runs
plain int8 dot products.
"""

from __future__ import annotations

import numpy as np

from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, LayerCode
from edgeai_tool.codegen.layers.conv import requant_records, rq_fast, s16_layer
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.conv import conv_tensors
from edgeai_tool.ops.fully_connected import fully_connected_macc
from edgeai_tool.quant import (
    activation_range,
    conv_multiplier,
    fc_per_tensor_multiplier,
    quantize_multiplier,
)
from edgeai_tool.runtime.buffer_sizes import buffer_size


def folded_bias(x: Tensor, w: Tensor, bias: Tensor | None) -> np.ndarray:
    """bias - zp_in * rowsum(weights), wrapped to int32 exactly as TFLM's accumulator."""
    weights = np.asarray(w.data, dtype=np.int64)
    values = -int(x.zero_point) * weights.sum(axis=1)
    if bias is not None:
        values = values + np.asarray(bias.data, dtype=np.int64).reshape(-1)
    return ((values + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)


def requant_arrays(x: Tensor, w: Tensor, y: Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(multipliers, shifts): one per output channel, or a single pair per tensor."""
    if w.quant.per_channel:
        reals = [conv_multiplier(x.scale, s, y.scale) for s in w.quant.scale]
    else:
        reals = [fc_per_tensor_multiplier(x.scale, w.scale, y.scale)]
    pairs = [quantize_multiplier(real) for real in reals]
    return (np.array([m for m, _ in pairs], dtype=np.int32),
            np.array([s for _, s in pairs], dtype=np.int32))


GROUP_ROWS = 4  # output channels the kernel computes together
BLOCK_DEPTH = 8  # depths per step of the kernel's inner loop
# The depths of a block in the order a pair of channels stores them: the int16 pairs
# (x0, x2), (x1, x3), (x4, x6), (x5, x7) that SXTB16 makes of the input.
PAIR_DEPTHS = [0, 2, 1, 3, 4, 6, 5, 7]


def grouped_weights(weights: np.ndarray) -> np.ndarray:
    """[out, in] int8 -> the flat layout of edgeai_fc_data's weights (edgeai_fully_connected.h):
    channels in groups of four; per block of 8 depths, the pairs (0, 1) and (2, 3), each
    with, per depth in PAIR_DEPTHS order, the first channel's weight + 128 (as a byte) then
    the second's; then the group's last in % 8 depths channel by channel; the last out % 4
    channels row by row."""
    def pairs(blocks: np.ndarray) -> np.ndarray:  # group, channel, block, depth
        count, _, number, _ = blocks.shape
        values = blocks.reshape(count, 2, 2, number, BLOCK_DEPTH).transpose(0, 3, 1, 4, 2).copy()
        values[..., 0] += 128  # group, block, pair, depth, channel
        return values

    flat = _layout(np.asarray(weights, dtype=np.int16), pairs)
    return (flat & 0xFF).astype(np.uint8).view(np.int8)


def wide_weights(weights: np.ndarray) -> np.ndarray:
    """[out, in] int8 -> the int16 layout of edgeai_fc_wide_data: per group of four channels
    and block of 8 depths, each channel's 8 weights in PAIR_DEPTHS order; then the group's
    last in % 8 depths channel by channel; the last out % 4 channels row by row."""
    return _layout(np.asarray(weights, dtype=np.int16),
                   lambda blocks: blocks.transpose(0, 2, 1, 3))


def _layout(weights: np.ndarray, arrange_blocks) -> np.ndarray:
    """The layout both formats share: `arrange_blocks` orders one array of
    [group, channel, block, depth (PAIR_DEPTHS order)] weights group by group."""
    out_depth, in_depth = weights.shape
    grouped = out_depth - out_depth % GROUP_ROWS
    cut = in_depth - in_depth % BLOCK_DEPTH
    count = grouped // GROUP_ROWS
    groups = weights[:grouped].reshape(count, GROUP_ROWS, in_depth)
    blocks = groups[..., :cut].reshape(count, GROUP_ROWS, cut // BLOCK_DEPTH, BLOCK_DEPTH)
    parts = [arrange_blocks(blocks[..., PAIR_DEPTHS]).reshape(count, cut * GROUP_ROWS),
             groups[..., cut:].reshape(count, (in_depth - cut) * GROUP_ROWS)]
    return np.concatenate([np.concatenate(parts, axis=1).reshape(-1),
                           weights[grouped:].reshape(-1)])


def lower_fully_connected(graph: Graph, op: Op) -> LayerCode:
    """FULLY_CONNECTED -> edgeai_fully_connected_s8, or edgeai_fully_connected_s16 for 16x8."""
    return _lower(graph, op, wide=False)


def lower_fully_connected_wide(graph: Graph, op: Op) -> LayerCode:
    """The int8 layer with int16 weights (edgeai_fully_connected_s8_w16); 16x8 as above."""
    return _lower(graph, op, wide=True)


def _lower(graph: Graph, op: Op, wide: bool) -> LayerCode:
    x, w, bias, y = conv_tensors(graph, op)
    out_depth, in_depth = w.shape
    batches = y.size // out_depth
    multipliers, shifts = requant_arrays(x, w, y)
    params = {"batches": batches, "in_depth": in_depth, "out_depth": out_depth,
              "per_channel": int(w.quant.per_channel)}
    if x.dtype == "int16":
        return s16_layer(graph, op, "edgeai_fully_connected_s16", "edgeai_fc_params", params,
                         multipliers, shifts, "Dense", fully_connected_macc(graph, op))
    act_min, act_max = activation_range(op.options.get("fused_activation_function", "NONE"),
                                        y.scale, y.zero_point)
    weights = np.asarray(w.data, dtype=np.int8)
    records = requant_records(multipliers, shifts)
    return LayerCode(
        kernel="edgeai_fully_connected_s8_w16" if wide else "edgeai_fully_connected_s8",
        header="edgeai_fully_connected.h",
        params_type="edgeai_fc_params",
        params=params,
        data_type="edgeai_fc_wide_data" if wide else "edgeai_fc_data",
        data={"weights": ArrayRef("weights"), "bias": ArrayRef("bias"),
              "requant": ArrayRef("requant"), "output_offset": y.zero_point,
              "act_min": act_min, "act_max": act_max,
              "rq_fast": rq_fast(records, weights, None if bias is None else bias.data)},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        arrays=[
            CArray("weights", "int16_t", wide_weights(weights)) if wide
            else CArray("weights", "int8_t", grouped_weights(weights)),
            CArray("bias", "int32_t", folded_bias(x, w, bias), kind="bias"),
            CArray("requant", "int32_t", records.reshape(-1), kind="quant"),
        ],
        scratch_bytes=buffer_size("EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE"),
        macc=fully_connected_macc(graph, op),
        c_type="Dense",
    )


LOWERINGS = {"FULLY_CONNECTED": lower_fully_connected}
WIDE_LOWERINGS = {"FULLY_CONNECTED": lower_fully_connected_wide}
# Thumb-2 code of the int16-weight entry point and its loop (arm-none-eabi-gcc 12 -O2,
# Cortex-M7), which a firmware links only when some layer takes it.
WIDE_CODE_BYTES = {"edgeai_fully_connected_s8_w16": 1_350}
