"""CONV_2D (alone or fused with the pooling after it) and DEPTHWISE_CONV_2D, int8.

Bit-exact with TFLite Micro's reference kernels (ConvPerChannel, DepthwiseConvPerChannel,
then MaxPool / AveragePool for a fused pooling). Per-tensor weights are broadcast to one
multiplier/shift per output channel, exactly as TFLM's PopulateConvolutionQuantizationParams
does. The input zero point is folded into the bias:
    sum_taps_inside w * (x - zp) + b  =  sum_all_taps w * x' + (b - zp * sum_all_taps w)
where x' is x inside the image and zp outside it (the kernels pad with zp), exact in int32.
"""

from __future__ import annotations

import numpy as np

from edgeai_tool.codegen.layers.base import (
    ArrayRef,
    Buffer,
    CArray,
    CValue,
    LayerCode,
    OpSupport,
    require,
)
from edgeai_tool.codegen.layers.pool import (
    check_activation_tensor,
    check_common_options,
    check_pool_window,
    hwc,
    pool_macc,
    pool_structure,
    window_geometry,
)
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.quant import activation_range, conv_multiplier, quantize_multiplier
from edgeai_tool.runtime.buffer_sizes import buffer_size

CONV_CONSTRAINTS = (
    "int8 input and output (1 x H x W x C); constant int8 weights OHWI, per-tensor or "
    "per-channel along axis 0, zero point 0; optional constant int32 bias; grouped "
    "convolution (input channels a multiple of the filter depth); any filter size, "
    "stride >= 1 and dilation >= 1; padding SAME or VALID; fused activation NONE, RELU, "
    "RELU6 or RELU_N1_TO_1; a following MAX_POOL_2D or AVERAGE_POOL_2D is fused"
)
DEPTHWISE_CONSTRAINTS = (
    "int8 input and output (1 x H x W x C); constant int8 weights 1HWC, per-tensor or "
    "per-channel along axis 3, zero point 0; optional constant int32 bias; depth multiplier "
    ">= 1 (output channels = input channels x multiplier); any filter size, stride >= 1 and "
    "dilation >= 1; padding SAME or VALID; fused activation NONE, RELU, RELU6 or RELU_N1_TO_1"
)
_STRIDES = ("stride_h", "stride_w")


def dilations(options: dict) -> tuple[int, int]:
    """(dilation_h, dilation_w); the importer spells the schema's DilationHFactor either way."""
    def factor(axis: str) -> int:
        return int(options.get(f"dilation_{axis}_factor", options.get(f"dilation_{axis}factor", 1)))

    return factor("h"), factor("w")


def _tensors(graph: Graph, op: Op) -> tuple[Tensor, Tensor, Tensor | None, Tensor]:
    bias_id = op.inputs[2] if len(op.inputs) > 2 else -1
    bias = graph.tensor(bias_id) if bias_id >= 0 else None
    return graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), bias, graph.tensor(op.outputs[0])


# ---- checks ---------------------------------------------------------------------------------


def _check_io(op: Op) -> str | None:
    if len(op.inputs) not in (2, 3) or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (2 or 3 and 1 expected)"
    return None


def _check_weights(w: Tensor, bias: Tensor | None, axis: int) -> str | None:
    if w.dtype != "int8":
        return f"weights type {w.dtype} is not supported (int8 only)"
    if not w.is_constant:
        return "weights computed at run time are not supported (constant weights only)"
    if w.quant is None:
        return "weights have no quantization parameters"
    if len(w.shape) != 4 or min(w.shape) < 1:
        return f"weights shape {list(w.shape)} is not supported (rank 4)"
    channels = w.shape[axis]
    if w.quant.per_channel and (w.quant.axis != axis or len(w.quant.scale) != channels):
        return (f"per-channel weights quantized along axis {w.quant.axis} with "
                f"{len(w.quant.scale)} scales (axis {axis}, {channels} scales expected)")
    if any(z != 0 for z in w.quant.zero_point):
        return f"weights zero point {max(w.quant.zero_point, key=abs)} is not supported " \
               "(symmetric int8 weights, zero point 0)"
    if bias is not None:
        if bias.dtype != "int32" or not bias.is_constant:
            return f"bias must be a constant int32 tensor (got {bias.dtype})"
        if bias.size != channels:
            return f"bias of {bias.size} values for {channels} output channels"
    return None


def _check_dilation(options: dict) -> str | None:
    for axis, value in zip("hw", dilations(options), strict=True):
        if value < 1:
            return f"dilation_{axis}_factor {value} is not supported (>= 1)"
    return None


def _window(options: dict, axis: int, in_size: int, kernel: int, stride: int,
            dilation: int) -> tuple[int, int]:
    """(output size, padding before) along axis 0 (height) or 1 (width). A PAD folded into
    the convolution (passes/fold_pad.py) sets options["explicit_padding"] = (top, bottom,
    left, right) on a VALID convolution, never on a 1x1 CONV_2D."""
    explicit = options.get("explicit_padding")
    if explicit is None:
        return window_geometry(options["padding"], in_size, kernel, stride, dilation)
    before, after = int(explicit[2 * axis]), int(explicit[2 * axis + 1])
    return (in_size + before + after - (kernel - 1) * dilation - 1) // stride + 1, before


def _expected_hw(options: dict, x: Tensor, kernel_hw: tuple[int, int]) -> tuple[int, int]:
    in_h, in_w, _ = hwc(x)
    dilation_h, dilation_w = dilations(options)
    out_h, _ = _window(options, 0, in_h, kernel_hw[0], int(options["stride_h"]), dilation_h)
    out_w, _ = _window(options, 1, in_w, kernel_hw[1], int(options["stride_w"]), dilation_w)
    return out_h, out_w


def _check_output_shape(y_hwc: tuple[int, int, int], expected: tuple[int, int, int]) -> str | None:
    if tuple(y_hwc) != tuple(expected):
        return (f"output shape {list(y_hwc)} (HWC) differs from {list(expected)} that the "
                "input, filter, stride, dilation and padding give")
    return None


def check_conv(graph: Graph, op: Op) -> str | None:
    """None when the CONV_2D (possibly carrying a fused pool) is supported, else the reason."""
    reason = _check_io(op)
    if reason:
        return reason
    x, w, bias, y = _tensors(graph, op)
    conv_out = graph.tensor(op.options["pool"]["intermediate"]) if "pool" in op.options else y
    reason = (check_activation_tensor("input", x) or check_activation_tensor("output", conv_out)
              or _check_weights(w, bias, axis=0)
              or check_common_options(op.options, _STRIDES) or _check_dilation(op.options))
    if reason:
        return reason
    in_c, filter_c = x.shape[3], w.shape[3]
    if in_c % filter_c:
        return f"input depth {in_c} is not a multiple of the filter depth {filter_c}"
    groups = in_c // filter_c
    if w.shape[0] % groups:
        return f"{w.shape[0]} filters do not divide into {groups} groups"
    expected = (*_expected_hw(op.options, x, (w.shape[1], w.shape[2])), w.shape[0])
    reason = _check_output_shape(hwc(conv_out), expected)
    if reason is None and "pool" in op.options:
        reason = _check_fused_pool(op.options["pool"], conv_out, y)
    return reason


def _check_fused_pool(pool: dict, conv_out: Tensor, y: Tensor) -> str | None:
    if pool.get("kind") not in ("MAX_POOL_2D", "AVERAGE_POOL_2D"):
        return f"fused pool {pool.get('kind')} is not supported"
    reason = (check_activation_tensor("pooled output", y)
              or check_common_options(pool, ("stride_h", "stride_w")))
    if reason:
        return reason
    if conv_out.quant != y.quant:
        return "fused pool changes the quantization (its input and output must be equal)"
    return check_pool_window(pool, hwc(conv_out), hwc(y))


def check_depthwise(graph: Graph, op: Op) -> str | None:
    """None when the DEPTHWISE_CONV_2D is supported, else the reason."""
    reason = _check_io(op)
    if reason:
        return reason
    x, w, bias, y = _tensors(graph, op)
    reason = (check_activation_tensor("input", x) or check_activation_tensor("output", y)
              or _check_weights(w, bias, axis=3)
              or check_common_options(op.options, _STRIDES) or _check_dilation(op.options))
    if reason:
        return reason
    if w.shape[0] != 1:
        return f"weights shape {list(w.shape)} is not supported (1 x H x W x C)"
    in_c, out_c = x.shape[3], w.shape[3]
    multiplier = int(op.options.get("depth_multiplier", 1))
    if out_c != in_c * multiplier:
        return (f"depth_multiplier {multiplier} with {in_c} input channels does not give the "
                f"weights' {out_c} output channels")
    expected = (*_expected_hw(op.options, x, (w.shape[1], w.shape[2])), out_c)
    return _check_output_shape(hwc(y), expected)


# ---- lowering -------------------------------------------------------------------------------


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


RQ_WORDS = 4  # EDGEAI_RQ_WORDS


def requant_records(multipliers: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """[channels, 4] int32: multiplier, left_shift + 1, right_shift, nudge (edgeai_conv.h).
    A zero multiplier gives 0 whatever the shifts: it gets right_shift 1 so that the layer
    can keep the fast form."""
    records = []
    for m, shift in zip(multipliers.tolist(), shifts.tolist(), strict=True):
        left, right = max(shift, 0), max(-shift, 0)
        if m == 0:
            left, right = 0, 1
        records.append((m, left + 1, right, (1 << (right - 1)) if right else 0))
    return np.array(records, dtype=np.int64).astype(np.int32).reshape(-1, RQ_WORDS)


def rq_fast(records: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> int:
    """1 when edgeai_rq_fast is exact on every accumulator a channel can reach: right shift
    >= 1 and (|bias| + 256 * sum |w|) << left_shift < 2^30 (x - zero point is within +-255;
    `weights` is [channels, taps])."""
    weights = np.abs(np.asarray(weights, dtype=np.int64)).sum(axis=1)
    bias = np.zeros_like(weights) if bias is None else np.abs(
        np.asarray(bias, dtype=np.int64).reshape(-1))
    bound = (bias + 256 * weights) << (records[:, 1].astype(np.int64) - 1)
    return int(bool(np.all(records[:, 2] >= 1) and np.all(bound < (1 << 30))))


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


def depthwise_weights(w: np.ndarray) -> np.ndarray:
    """1HWC int8 -> the layout of edgeai_depthwise_data: per group of four output channels,
    per tap, two words of int16 pairs, channels (0, 2) and (1, 3) of the group (low half
    first; zeros past the last channel)."""
    _, kernel_h, kernel_w, channels = w.shape
    groups = (channels + 3) // 4
    taps = np.zeros((kernel_h * kernel_w, groups * 4), dtype=np.int16)
    taps[:, :channels] = np.asarray(w, dtype=np.int16).reshape(kernel_h * kernel_w, channels)
    taps = taps.reshape(kernel_h * kernel_w, groups, 4)[:, :, [0, 2, 1, 3]]
    halves = np.ascontiguousarray(taps.transpose(1, 0, 2)).reshape(-1, 2).astype(np.int64)
    words = (halves[:, 0] & 0xFFFF) | ((halves[:, 1] & 0xFFFF) << 16)
    return ((words + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)


def _geometry(options: dict, x: Tensor, w: Tensor) -> dict[str, int]:
    """Filter size, strides, dilations and padding before (top, left)."""
    kernel_h, kernel_w = w.shape[1], w.shape[2]
    stride_h, stride_w = int(options["stride_h"]), int(options["stride_w"])
    dilation_h, dilation_w = dilations(options)
    in_h, in_w, _ = hwc(x)
    _, pad_top = _window(options, 0, in_h, kernel_h, stride_h, dilation_h)
    _, pad_left = _window(options, 1, in_w, kernel_w, stride_w, dilation_w)
    return {"kernel_h": kernel_h, "kernel_w": kernel_w, "stride_h": stride_h,
            "stride_w": stride_w, "dilation_h": dilation_h, "dilation_w": dilation_w,
            "pad_top": pad_top, "pad_left": pad_left}


def conv_macc(out_hwc: tuple[int, int, int], depth: int, has_bias: bool) -> int:
    """ST's count: one MAC per weight per output value, plus one per bias value."""
    out_h, out_w, channels = out_hwc
    return out_h * out_w * channels * depth + (channels if has_bias else 0)


def conv_scratch_bytes(geometry: dict[str, int], in_c: int, groups: int) -> int:
    """edgeai_conv_s8_get_buffer_size: two im2col columns, none for a plain 1x1."""
    if _is_pointwise(geometry, groups):
        return 0
    return _columns_bytes(geometry, in_c, groups)


def _columns_bytes(geometry: dict[str, int], in_c: int, groups: int) -> int:
    return buffer_size("EDGEAI_CONV_S8_BUFFER_SIZE", kernel_h=geometry["kernel_h"],
                       kernel_w=geometry["kernel_w"], filter_c=in_c // groups)


def _is_pointwise(geometry: dict[str, int], groups: int) -> bool:
    """1x1, stride 1, no padding: the kernels read the input in place."""
    return (geometry["kernel_h"] == geometry["kernel_w"] == 1 and groups == 1
            and geometry["stride_h"] == geometry["stride_w"] == 1
            and geometry["pad_top"] == geometry["pad_left"] == 0)


def lower_conv(graph: Graph, op: Op) -> LayerCode:
    """CONV_2D -> edgeai_conv_s8 / edgeai_conv_1x1_s8, or edgeai_conv_pool_s8 when fused."""
    reason = check_conv(graph, op)
    require(reason is None, f"CONV_2D: {reason}")
    if "pool" in op.options:
        return _lower_conv_pool(graph, op)
    x, w, bias, y = _tensors(graph, op)
    groups = x.shape[3] // w.shape[3]
    geometry = _geometry(op.options, x, w)
    data, arrays = _numbers(x, w, bias, y, op.options.get("fused_activation_function", "NONE"),
                            axis=0)
    scratch = conv_scratch_bytes(geometry, x.shape[3], groups)
    args = [Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])]
    if scratch:
        args.append(Buffer("scratch"))
    return LayerCode(
        kernel="edgeai_conv_s8" if scratch else "edgeai_conv_1x1_s8",
        header="edgeai_conv.h",
        params_type="edgeai_conv_params",
        params={"input": hwc(x), "output": hwc(y), **geometry, "groups": groups},
        data_type="edgeai_conv_data",
        data=data,
        args=args,
        arrays=arrays,
        scratch_bytes=scratch,
        macc=conv_macc(hwc(y), int(np.prod(w.shape[1:])), bias is not None),
        c_type="Conv2D",
    )


def conv_pool_scratch_bytes(columns: int, channels: int, average: bool) -> int:
    """edgeai_conv_pool_s8_get_buffer_size: columns, two pixels of outputs, int32 sums."""
    return buffer_size("EDGEAI_CONV_POOL_S8_BUFFER_SIZE", columns=columns, channels=channels,
                       average=int(average))


def _nested(member: str, fields: dict[str, CValue]) -> dict[str, CValue]:
    """The fields of an embedded struct as nested designators (`.conv.input = ...`)."""
    return {f"{member}.{name}": value for name, value in fields.items()}


def _lower_conv_pool(graph: Graph, op: Op) -> LayerCode:
    x, w, bias, y = _tensors(graph, op)
    pool = op.options["pool"]
    conv_out = graph.tensor(pool["intermediate"])
    groups = x.shape[3] // w.shape[3]
    geometry = _geometry(op.options, x, w)
    window = pool_structure(pool, hwc(conv_out))
    average = pool["kind"] == "AVERAGE_POOL_2D"
    data, arrays = _numbers(x, w, bias, conv_out,
                            op.options.get("fused_activation_function", "NONE"), axis=0)
    pool_min, pool_max = activation_range(pool.get("fused_activation_function", "NONE"),
                                          y.scale, y.zero_point)
    channels = hwc(conv_out)[2]
    conv = {"input": hwc(x), "output": hwc(conv_out), **geometry, "groups": groups}
    params: dict[str, CValue] = {
        **_nested("conv", conv), "output": hwc(y),
        "pool_kind": "EDGEAI_POOL_AVERAGE" if average else "EDGEAI_POOL_MAX",
        "pool_h": window["filter_h"], "pool_w": window["filter_w"],
        "pool_stride_h": window["stride_h"], "pool_stride_w": window["stride_w"],
        "pool_pad_top": window["pad_top"], "pool_pad_left": window["pad_left"],
    }
    scratch = conv_pool_scratch_bytes(_columns_bytes(geometry, x.shape[3], groups), channels,
                                      average)
    return LayerCode(
        kernel="edgeai_conv_pool_s8",
        header="edgeai_conv.h",
        params_type="edgeai_conv_pool_params",
        params=params,
        data_type="edgeai_conv_pool_data",
        data={**_nested("conv", data), "pool_act_min": pool_min, "pool_act_max": pool_max},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0]), Buffer("scratch")],
        arrays=arrays,
        scratch_bytes=scratch,
        macc=(conv_macc(hwc(conv_out), int(np.prod(w.shape[1:])), bias is not None)
              + pool_macc(hwc(y), pool)),
        c_type="Conv2D",
    )


def lower_depthwise(graph: Graph, op: Op) -> LayerCode:
    """DEPTHWISE_CONV_2D -> edgeai_depthwise_conv_s8."""
    reason = check_depthwise(graph, op)
    require(reason is None, f"DEPTHWISE_CONV_2D: {reason}")
    x, w, bias, y = _tensors(graph, op)
    geometry = _geometry(op.options, x, w)
    data, arrays = _numbers(x, w, bias, y, op.options.get("fused_activation_function", "NONE"),
                            axis=3)
    channels = w.shape[3]
    unfolded = (np.zeros(channels, dtype=np.int32) if bias is None
                else np.asarray(bias.data, dtype=np.int32).reshape(-1))
    arrays[0] = CArray("weights", "int32_t", depthwise_weights(w.data))
    arrays.insert(2, CArray("bias_unfolded", "int32_t", unfolded, kind="bias"))
    data = {**data, "bias_unfolded": ArrayRef("bias_unfolded")}
    return LayerCode(
        kernel="edgeai_depthwise_conv_s8",
        header="edgeai_depthwise.h",
        params_type="edgeai_depthwise_params",
        params={"input": hwc(x), "output": hwc(y), **geometry,
                "depth_multiplier": y.shape[3] // x.shape[3]},
        data_type="edgeai_depthwise_data",
        data=data,
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        arrays=arrays,
        scratch_bytes=0,
        macc=conv_macc(hwc(y), w.shape[1] * w.shape[2], bias is not None),
        c_type="Conv2D",
    )


SUPPORT = [
    OpSupport("CONV_2D", CONV_CONSTRAINTS, check_conv),
    OpSupport("DEPTHWISE_CONV_2D", DEPTHWISE_CONSTRAINTS, check_depthwise),
]
LOWERINGS = {"CONV_2D": lower_conv, "DEPTHWISE_CONV_2D": lower_depthwise}
