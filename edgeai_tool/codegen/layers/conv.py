"""CONV_2D (alone or fused with the pooling after it) and DEPTHWISE_CONV_2D, int8.

Bit-exact with TFLite Micro's reference kernels (ConvPerChannel, DepthwiseConvPerChannel,
then MaxPool / AveragePool for a fused pooling). Per-tensor weights are broadcast to one
multiplier/shift per output channel, exactly as TFLM's PopulateConvolutionQuantizationParams
does. The input zero point is folded into the bias:
    sum_taps_inside w * (x - zp) + b  =  sum_all_taps w * x' + (b - zp * sum_all_taps w)
where x' is x inside the image and zp outside it (the kernels pad with zp), exact in int32.
Checks, geometry, cost and scratch sizes are in `edgeai_tool.ops.conv`.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from edgeai_tool.codegen.layers.base import (
    ArrayRef,
    Banding,
    Buffer,
    CArray,
    CValue,
    LayerCode,
    raster_overwrite_limit,
    window_starts,
)
from edgeai_tool.ir import DTYPE_SIZES, Graph, Op, Tensor
from edgeai_tool.ops.base import int32_accumulator
from edgeai_tool.ops.conv import (
    columns_bytes,
    conv_geometry,
    conv_macc,
    conv_output,
    conv_pool_scratch_bytes,
    conv_tensors,
)
from edgeai_tool.ops.pool import hwc, pool_structure
from edgeai_tool.quant import (
    activation_range,
    conv_multiplier,
    dtype_activation_range,
    quantize_multiplier,
)


def folded_bias(x: Tensor, w: Tensor, bias: Tensor | None, axis: int) -> np.ndarray:
    """bias - zp_in * (sum of each output channel's weights), wrapped to int32."""
    weights = np.moveaxis(np.asarray(w.data, dtype=np.int64), axis, 0)
    values = -int(x.zero_point) * weights.reshape(weights.shape[0], -1).sum(axis=1)
    if bias is not None:
        values = values + np.asarray(bias.data, dtype=np.int64).reshape(-1)
    return ((values + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)


def requant_arrays(x: Tensor, w: Tensor, y: Tensor, channels: int) -> tuple[np.ndarray, ...]:
    """(multipliers, shifts), one per output channel (per-tensor scales broadcast)."""
    scales = w.quant.scale if w.quant.per_channel else w.quant.scale * channels
    pairs = [quantize_multiplier(conv_multiplier(x.scale, s, y.scale)) for s in scales]
    return (np.array([m for m, _ in pairs], dtype=np.int32),
            np.array([s for _, s in pairs], dtype=np.int32))


RQ_WORDS = 2  # EDGEAI_RQ_WORDS


def requant_records(multipliers: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """[channels, 2] int32: multiplier, right_shift = -shift (edgeai_requantize.h). A zero
    multiplier gives 0 whatever the shift: it gets right_shift 1 so that the layer can keep
    the fast form."""
    right = np.where(multipliers == 0, 1, -np.asarray(shifts, dtype=np.int64))
    return np.stack([np.asarray(multipliers, dtype=np.int64), right], axis=1).astype(np.int32)


def rq_fast(records: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> int:
    """1 when edgeai_rq_fast is exact on every accumulator a channel can reach: right shift
    >= 1 and |bias| + 256 * sum |w| < 2^30 (x - zero point is within +-255; `weights` is
    [channels, taps])."""
    weights = np.abs(np.asarray(weights, dtype=np.int64)).sum(axis=1)
    bias = np.zeros_like(weights) if bias is None else np.abs(
        np.asarray(bias, dtype=np.int64).reshape(-1))
    bound = bias + 256 * weights
    return int(bool(np.all(records[:, 1] >= 1) and np.all(bound < (1 << 30))))


def _numbers(x: Tensor, w: Tensor, bias: Tensor | None, y: Tensor, activation: str,
             axis: int) -> tuple[dict[str, CValue], list[CArray]]:
    """The data struct fields and arrays shared by every convolution kernel."""
    channels = w.shape[axis]
    multipliers, shifts = requant_arrays(x, w, y, channels)
    records = requant_records(multipliers, shifts)
    act_min, act_max = activation_range(activation, y.scale, y.zero_point)
    per_channel = np.moveaxis(np.asarray(w.data, dtype=np.int64), axis, 0).reshape(channels, -1)
    data: dict[str, CValue] = {
        "pad_value": x.zero_point, "output_offset": y.zero_point,
        "act_min": act_min, "act_max": act_max,
        "rq_fast": rq_fast(records, per_channel, None if bias is None else bias.data),
        "weights": ArrayRef("weights"), "bias": ArrayRef("bias"),
        "requant": ArrayRef("requant"),
    }
    arrays = [
        CArray("weights", "int8_t", np.asarray(w.data, dtype=np.int8)),
        CArray("bias", "int32_t", folded_bias(x, w, bias, axis), kind="bias"),
        CArray("requant", "int32_t", records.reshape(-1), kind="quant"),
    ]
    return data, arrays


def depthwise_groups(w: np.ndarray) -> np.ndarray:
    """1HWC int8 -> [groups, taps, 4] int16: the groups of four output channels of
    edgeai_depthwise_data, the last one ending at the last channel (zeros past it when there
    are fewer than four)."""
    _, kernel_h, kernel_w, channels = w.shape
    taps = np.asarray(w, dtype=np.int16).reshape(kernel_h * kernel_w, channels)
    if channels < 4:
        taps = np.pad(taps, ((0, 0), (0, 4 - channels)))
    bases = [min(4 * g, max(channels, 4) - 4) for g in range((channels + 3) // 4)]
    return np.stack([taps[:, base:base + 4] for base in bases])


def _int32_words(low: np.ndarray, high: np.ndarray, bits: int) -> np.ndarray:
    """Words packing `low` into the low bits and `high` above, wrapped to int32."""
    mask = (1 << bits) - 1
    words = (low.astype(np.int64) & mask) | ((high.astype(np.int64) & mask) << bits)
    return ((words + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32).reshape(-1)


def depthwise_weights(w: np.ndarray) -> np.ndarray:
    """The int8 layout of edgeai_depthwise_conv_s8: per group, per tap, one word holding
    the group's four weights, first channel in the low byte."""
    groups = depthwise_groups(w)
    return _int32_words(_int32_words(groups[..., 0], groups[..., 1], 8),
                        _int32_words(groups[..., 2], groups[..., 3], 8), 16)


def depthwise_weights_wide(w: np.ndarray) -> np.ndarray:
    """The int16 layout of edgeai_depthwise_conv_wide_s8: per group, per tap, two words of
    int16 pairs, channels (0, 2) then (1, 3) of the group, low half first."""
    groups = depthwise_groups(w)[..., [0, 2, 1, 3]]
    return _int32_words(groups[..., 0::2], groups[..., 1::2], 16)


def conv_weights(w: np.ndarray) -> np.ndarray:
    """OHWI int8 -> the layout of edgeai_conv_data (edgeai_conv.h): rows zero-padded to whole
    quads of taps, an odd channel count padded with a zero row, and each pair of rows stored
    quad by quad, four bytes of the first row then four of the second: shape [pairs, quads,
    2, 4]."""
    channels = w.shape[0]
    depth = int(np.prod(w.shape[1:]))
    quads = (depth + 3) // 4
    rows = np.zeros((channels + channels % 2, quads * 4), dtype=np.int8)
    rows[:channels, :depth] = np.asarray(w, dtype=np.int8).reshape(channels, depth)
    return rows.reshape(-1, 2, quads, 4).transpose(0, 2, 1, 3)


def conv_wide_weights(w: np.ndarray) -> np.ndarray:
    """OHWI int8 -> the int16 layout of edgeai_conv_wide_data: conv_weights' order with each
    quad's taps as 0, 2, 1, 3 (the halves SMLAD pairs with the columns' words)."""
    channels = w.shape[0]
    depth = int(np.prod(w.shape[1:]))
    quads = (depth + 3) // 4
    rows = np.zeros((channels + channels % 2, quads * 4), dtype=np.int16)
    rows[:channels, :depth] = np.asarray(w, dtype=np.int16).reshape(channels, depth)
    rows = rows.reshape(-1, quads, 4)[:, :, [0, 2, 1, 3]]
    return rows.reshape(-1, 2, quads, 4).transpose(0, 2, 1, 3)


def s16_layer(graph: Graph, op: Op, kernel: str, params_type: str, params: dict[str, CValue],
              multipliers: np.ndarray, shifts: np.ndarray, c_type: str,
              macc: int) -> LayerCode:
    """A 16x8 layer with weights (edgeai_conv_s16.h): int8 weights as the model stores them,
    the bias as int64 (zeros when there is none), one multiplier/shift pair per channel (or
    one for a per-tensor FULLY_CONNECTED), the fused activation's int16 clamp, and which
    accumulator TFLM uses (int32 for an int32 bias)."""
    _, w, bias, y = conv_tensors(graph, op)
    channels = y.shape[-1]
    act_min, act_max = dtype_activation_range(op.options.get("fused_activation_function", "NONE"),
                                              y.scale, y.zero_point, y.dtype)
    bias_values = (np.zeros(channels, dtype=np.int64) if bias is None
                   else np.asarray(bias.data, dtype=np.int64).reshape(-1))
    return LayerCode(
        kernel=kernel,
        header="edgeai_conv_s16.h",
        params_type=params_type,
        params=params,
        data_type="edgeai_s16_data",
        data={"weights": ArrayRef("weights"), "bias": ArrayRef("bias"),
              "multiplier": ArrayRef("multiplier"), "shift": ArrayRef("shift"),
              "act_min": act_min, "act_max": act_max,
              "int32_accumulator": int(op.kind != "DEPTHWISE_CONV_2D"
                                       and int32_accumulator(op, bias))},
        args=[Buffer("input", op.inputs[0], "int16_t"), Buffer("output", op.outputs[0], "int16_t")],
        arrays=[CArray("weights", "int8_t", np.asarray(w.data, dtype=np.int8)),
                CArray("bias", "int64_t", bias_values, kind="bias"),
                CArray("multiplier", "int32_t", multipliers, kind="quant"),
                CArray("shift", "int32_t", shifts, kind="quant")],
        macc=macc,
        c_type=c_type,
    )


def lower_conv(graph: Graph, op: Op) -> LayerCode:
    """CONV_2D -> edgeai_conv_s8 (edgeai_conv_grouped_s8 for groups > 1), or
    edgeai_conv_pool_s8 when fused, in the fast form (two columns; `conv_lean` and
    `conv_pool_lean` give the lean one); edgeai_conv_s16 for 16x8."""
    x, w, bias, y = conv_tensors(graph, op)
    if x.dtype == "int16":
        return s16_layer(graph, op, "edgeai_conv_s16", "edgeai_conv_params",
                         {"input": hwc(x), "output": hwc(y), **conv_geometry(op.options, x, w),
                          "groups": x.shape[3] // w.shape[3]},
                         *requant_arrays(x, w, y, w.shape[0]), "Conv2D", conv_macc(graph, op))
    conv_out = conv_output(graph, op)
    groups = x.shape[3] // w.shape[3]
    geometry = conv_geometry(op.options, x, w)
    data, arrays = _numbers(x, w, bias, conv_out,
                            op.options.get("fused_activation_function", "NONE"), axis=0)
    arrays[0] = CArray("weights", "int8_t", conv_weights(w.data))
    pool = op.options.get("pool")
    window = pool_structure(pool, hwc(conv_out)) if pool else None
    overwrites = {op.inputs[0]: _conv_overwrite_limit(x, y, geometry, window,
                                                      lookback=0 if window else 1)}
    if pool:
        struct = kernel = "edgeai_conv_pool"
        scratch = conv_pool_scratch_bytes(geometry, x.shape[3], hwc(conv_out)[2],
                                          pool["kind"] == "AVERAGE_POOL_2D", columns=2)
        conv_params = {"input": hwc(x), "output": hwc(conv_out), **geometry, "groups": groups,
                       "columns": 2}
        pool_params, pool_data = _pool_fields(pool, conv_out, y)
        params = {**_nested("conv", conv_params), "output": hwc(y), **pool_params}
        data = {**_nested("conv", data), **pool_data}
    else:
        struct = "edgeai_conv"
        kernel = "edgeai_conv_grouped" if groups > 1 else "edgeai_conv"
        scratch = columns_bytes(geometry, x.shape[3], groups, columns=2)
        params = {"input": hwc(x), "output": hwc(y), **geometry, "groups": groups,
                  "columns": 2}
    args = [Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0]), Buffer("scratch")]
    return LayerCode(
        kernel=f"{kernel}_s8",
        header="edgeai_conv.h",
        params_type=f"{struct}_params",
        params=params,
        data_type=f"{struct}_data",
        data=data,
        args=args,
        arrays=arrays,
        scratch_bytes=scratch,
        macc=conv_macc(graph, op),
        c_type="Conv2D",
        overwrites=overwrites,
        banding=Banding.NONE if pool else Banding.ROWS,
    )


_WIDE_KERNELS = {"edgeai_conv_s8": ("edgeai_conv_wide_s8", "edgeai_conv_wide_data"),
                 "edgeai_conv_pool_s8": ("edgeai_conv_pool_wide_s8",
                                         "edgeai_conv_pool_wide_data")}


def lower_conv_wide(graph: Graph, op: Op) -> LayerCode:
    """CONV_2D -> edgeai_conv_wide_s8 or, fused with a pool, edgeai_conv_pool_wide_s8 (int16
    weights, the same results); a grouped or 16x8 convolution as lower_conv."""
    layer = lower_conv(graph, op)
    if layer.kernel not in _WIDE_KERNELS:
        return layer
    kernel, data_type = _WIDE_KERNELS[layer.kernel]
    weights = CArray("weights", "int16_t", conv_wide_weights(conv_tensors(graph, op)[1].data))
    return replace(layer, kernel=kernel, data_type=data_type,
                   arrays=[weights, *layer.arrays[1:]])


def conv_lean(layer: LayerCode) -> LayerCode | None:
    """The edgeai_conv_s8 (or _wide_s8, _grouped_s8) layer in its lean form
    (`conv_one_column`), or None when it is already in it."""
    if layer.params["columns"] == 1:
        return None
    return conv_one_column(layer)


def conv_one_column(layer: LayerCode) -> LayerCode:
    """The edgeai_conv_s8 (or _wide_s8, _grouped_s8) layer in its one-column form: half the
    column scratch, the same results, its pixels written one by one (lookback 0)."""
    params = layer.params
    geometry = {name: params[name] for name in _GEOMETRY}
    scratch = columns_bytes(geometry, params["input"][2], params["groups"], columns=1)
    (source,) = layer.overwrites
    limit = _overwrite_limit(params["input"], params["output"], 1, 1, geometry, None,
                             lookback=0)
    return replace(layer, params={**params, "columns": 1}, scratch_bytes=scratch,
                   overwrites={source: limit})


_GEOMETRY = ("kernel_h", "kernel_w", "stride_h", "stride_w", "dilation_h", "dilation_w",
             "pad_top", "pad_left")


def conv_pool_lean(layer: LayerCode) -> LayerCode | None:
    """The edgeai_conv_pool_s8 (or _wide_s8) layer in its one-column form (half the column
    scratch, the same results), or None when it is already in it."""
    if layer.params["conv.columns"] == 1:
        return None
    params = layer.params
    geometry = {"kernel_h": params["conv.kernel_h"], "kernel_w": params["conv.kernel_w"]}
    average = params["pool_kind"] == "EDGEAI_POOL_AVERAGE"
    scratch = conv_pool_scratch_bytes(geometry, params["conv.input"][2], params["output"][2],
                                      average, columns=1)
    return replace(layer, params={**params, "conv.columns": 1}, scratch_bytes=scratch)


def _conv_overwrite_limit(x: Tensor, y: Tensor, geometry: dict[str, int],
                          window: dict[str, int] | None, lookback: int) -> int:
    """How far the output may start past the input: the conv kernels write output pixels in
    order, each from an input window whose top-left pixel is its lowest byte (a fused pool's
    window starts at its top-left convolution pixel). `lookback` 1: the kernel computes
    pixel pairs, so it may write a pixel while reading the one before; 0: it writes a pixel
    (a fused pool's running maximum, or a one-column convolution's) while reading that
    pixel's window only."""
    return _overwrite_limit(hwc(x), hwc(y), DTYPE_SIZES[x.dtype], DTYPE_SIZES[y.dtype],
                            geometry, window, lookback)


def _overwrite_limit(x: tuple[int, int, int], y: tuple[int, int, int], x_size: int,
                     y_size: int, geometry: dict[str, int], window: dict[str, int] | None,
                     lookback: int) -> int:
    """_conv_overwrite_limit on shapes (h, w, c) and element sizes."""
    lowest = _lowest_reads(x, y, x_size, geometry, window)
    return raster_overwrite_limit(lowest.reshape(-1), y[2] * y_size, lookback)


def _lowest_reads(x: tuple[int, int, int], y: tuple[int, int, int], x_size: int,
                  geometry: dict[str, int], window: dict[str, int] | None) -> np.ndarray:
    """[out_h, out_w]: the input byte offset of each output pixel's window's top-left pixel
    (a fused pool's window: of its top-left convolution pixel's)."""
    out_h, out_w, _ = y
    rows, cols = np.arange(out_h), np.arange(out_w)
    if window:
        rows = window_starts(out_h, window["stride_h"], window["pad_top"])
        cols = window_starts(out_w, window["stride_w"], window["pad_left"])
    _, in_w, in_c = x
    in_rows = np.maximum(rows * geometry["stride_h"] - geometry["pad_top"], 0)
    in_cols = np.maximum(cols * geometry["stride_w"] - geometry["pad_left"], 0)
    return (in_rows[:, None] * in_w + in_cols[None, :]) * in_c * x_size


def _nested(member: str, fields: dict[str, CValue]) -> dict[str, CValue]:
    """The fields of an embedded struct as nested designators (`.conv.input = ...`)."""
    return {f"{member}.{name}": value for name, value in fields.items()}


def _pool_fields(pool: dict, conv_out: Tensor, y: Tensor) -> tuple[dict[str, CValue],
                                                                    dict[str, CValue]]:
    """The params and data fields a fused pool adds to its convolution's."""
    window = pool_structure(pool, hwc(conv_out))
    pool_min, pool_max = activation_range(pool.get("fused_activation_function", "NONE"),
                                          y.scale, y.zero_point)
    average = pool["kind"] == "AVERAGE_POOL_2D"
    params: dict[str, CValue] = {
        "pool_kind": "EDGEAI_POOL_AVERAGE" if average else "EDGEAI_POOL_MAX",
        "pool_h": window["filter_h"], "pool_w": window["filter_w"],
        "pool_stride_h": window["stride_h"], "pool_stride_w": window["stride_w"],
        "pool_pad_top": window["pad_top"], "pool_pad_left": window["pad_left"],
    }
    return params, {"pool_act_min": pool_min, "pool_act_max": pool_max}


def lower_depthwise(graph: Graph, op: Op, wide: bool = False) -> LayerCode:
    """DEPTHWISE_CONV_2D -> edgeai_depthwise_conv_s8 (int8 weights) or, `wide`,
    edgeai_depthwise_conv_wide_s8 (int16 weights); edgeai_depthwise_conv_s16 for 16x8."""
    x, w, bias, y = conv_tensors(graph, op)
    geometry = conv_geometry(op.options, x, w)
    if x.dtype == "int16":
        return s16_layer(graph, op, "edgeai_depthwise_conv_s16", "edgeai_depthwise_params",
                         {"input": hwc(x), "output": hwc(y), **geometry,
                          "depth_multiplier": y.shape[3] // x.shape[3]},
                         *requant_arrays(x, w, y, w.shape[3]), "Conv2D", conv_macc(graph, op))
    data, arrays = _numbers(x, w, bias, y, op.options.get("fused_activation_function", "NONE"),
                            axis=3)
    channels = w.shape[3]
    unfolded = (np.zeros(channels, dtype=np.int32) if bias is None
                else np.asarray(bias.data, dtype=np.int32).reshape(-1))
    arrays[0] = CArray("weights", "int32_t",
                       (depthwise_weights_wide if wide else depthwise_weights)(w.data))
    arrays.insert(2, CArray("bias_unfolded", "int32_t", unfolded, kind="bias"))
    data = {**data, "bias_unfolded": ArrayRef("bias_unfolded")}
    return LayerCode(
        kernel="edgeai_depthwise_conv_wide_s8" if wide else "edgeai_depthwise_conv_s8",
        header="edgeai_depthwise.h",
        params_type="edgeai_depthwise_params",
        params={"input": hwc(x), "output": hwc(y), **geometry,
                "depth_multiplier": y.shape[3] // x.shape[3]},
        data_type="edgeai_depthwise_data",
        data=data,
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        arrays=arrays,
        scratch_bytes=0,
        macc=conv_macc(graph, op),
        c_type="Conv2D",
        overwrites={op.inputs[0]: _depthwise_overwrite_limit(x, y, geometry)},
        banding=Banding.ROWS,
    )


def _strip_fits(ix0: int, n: int, in_w: int) -> bool:
    """dw_fits: whether `n` output pixels from the one whose window's left column is ix0 fit
    a strip (or a single pixel), all their columns inside the image but for at most one
    outside column, the first or the last."""
    return ix0 >= -1 and ix0 + n + 1 <= in_w and not (ix0 == -1 and ix0 + n + 1 == in_w)


def depthwise_strips(out_w: int, in_w: int, pad_left: int) -> list[int]:
    """The pixel counts in which edgeai_depthwise.c runs a row of a 3x3 stride-1 depthwise
    convolution whose windows lie inside the image vertically (dw_row_3x3_s1): pairs, a
    triple first when the row starts at the left padding with an odd count, otherwise a
    single last, and single pixels where a window has more than one column outside."""
    counts = []
    ox = 0
    while ox < out_w:
        ix0, left = ox - pad_left, out_w - ox
        n = 3 if ix0 == -1 and left % 2 and left >= 3 and _strip_fits(ix0, 3, in_w) else (
            2 if left >= 2 and _strip_fits(ix0, 2, in_w) else 1)
        counts.append(n)
        ox += n
    return counts


def depthwise_runs_strips(x: Tensor, y: Tensor, geometry: dict[str, int]) -> bool:
    """Whether edgeai_depthwise.c may run the layer's rows in strips: its DSP loops take the
    layer (depthwise_dsp: depth multiplier 1, at least four channels) and the window is 3x3
    at stride and dilation 1 across (dw_run's `s1`). The strips also need the fast
    requantization and a core with DSP; without them the layer runs pixel by pixel, within
    the strips' limit too."""
    channels = x.shape[3]
    return (geometry["kernel_h"], geometry["kernel_w"], geometry["stride_w"],
            geometry["dilation_w"]) == (3, 3, 1, 1) and y.shape[3] == channels and channels >= 4


def _depthwise_overwrite_limit(x: Tensor, y: Tensor, geometry: dict[str, int]) -> int:
    """Output pixels in order, but where the layer runs in strips (depthwise_runs_strips)
    the rows whose windows lie inside the image go in strips of two or three pixels
    (depthwise_strips), channel group by group: each group read for all of a strip's pixels,
    then written, so the strip's last pixel's group must end below the first window's next
    group. As a lowest read handed to raster_overwrite_limit (which checks whole pixels
    against their own windows) that is the first window's, plus one pixel, less a pixel per
    pixel to the strip's end. The last group overlaps the one before, re-reading up to 3
    bytes of a window the earlier group may already have overwritten; the margin covers
    them. The limit also holds for the pixel-by-pixel loops (the kernel's path when the layer
    needs the exact requantization, or on a core without DSP): a strip's bound is the
    tightest of its pixels'. Other layers (the portable loops: a depth multiplier above 1 or
    fewer than four channels) run pixel by pixel, each checked against its own window."""
    _, in_h, in_w, channels = x.shape
    out_h, out_w, out_c = hwc(y)
    lowest = _lowest_reads(hwc(x), hwc(y), DTYPE_SIZES[x.dtype], geometry, None)
    pixel = out_c * DTYPE_SIZES[y.dtype]
    strips = depthwise_runs_strips(x, y, geometry)
    if strips:
        counts = depthwise_strips(out_w, in_w, geometry["pad_left"])
        for oy in range(out_h):
            iy0 = oy * geometry["stride_h"] - geometry["pad_top"]
            if iy0 < 0 or iy0 + 2 * geometry["dilation_h"] >= in_h:
                continue  # border pixels, one at a time
            first = 0
            for n in counts:
                if n > 1:
                    span = np.arange(first, first + n)
                    lowest[oy, span] = lowest[oy, first] + pixel * (span - first + 2 - n)
                first += n
    limit = raster_overwrite_limit(lowest.reshape(-1), pixel, lookback=0)
    return limit - (-channels % 4 if strips else 0)


def lower_depthwise_wide(graph: Graph, op: Op) -> LayerCode:
    """DEPTHWISE_CONV_2D with its weights widened to int16 (see lower_depthwise)."""
    return lower_depthwise(graph, op, wide=True)


LOWERINGS = {"CONV_2D": lower_conv, "DEPTHWISE_CONV_2D": lower_depthwise}
WIDE_LOWERINGS = {"CONV_2D": lower_conv_wide, "DEPTHWISE_CONV_2D": lower_depthwise_wide}
LEAN_FORMS = {"edgeai_conv_s8": conv_lean, "edgeai_conv_wide_s8": conv_lean,
              "edgeai_conv_grouped_s8": conv_lean,
              "edgeai_conv_pool_s8": conv_pool_lean, "edgeai_conv_pool_wide_s8": conv_pool_lean}
# The int16-weight blocks of edgeai_conv_pool_wide_s8 (both forms) on a Cortex-M7.
WIDE_CODE_BYTES = {"edgeai_conv_pool_wide_s8": 940}
