"""CONV_2D (alone or carrying the pooling fused after it) and DEPTHWISE_CONV_2D, int8 and
16x8: what they accept, their geometry, cost and scratch size."""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import OpSupport, bias_dtypes, same_dtype
from edgeai_tool.ops.pool import (
    check_activation_tensor,
    check_common_options,
    check_pool_window,
    hwc,
    window_geometry,
    window_macc,
)
from edgeai_tool.runtime.buffer_sizes import buffer_size

CONV_CONSTRAINTS = (
    "int8 input and output (1 x H x W x C), or int16 (16x8, zero point 0, not fused with a "
    "pool); constant int8 weights OHWI, per-tensor or per-channel along axis 0, zero point "
    "0; optional constant int32 bias (int64 or int32 with int16); grouped "
    "convolution (input channels a multiple of the filter depth); any filter size, "
    "stride >= 1 and dilation >= 1; padding SAME or VALID; fused activation NONE, RELU, "
    "RELU6 or RELU_N1_TO_1; a following MAX_POOL_2D or AVERAGE_POOL_2D is fused (groups 1)"
)
DEPTHWISE_CONSTRAINTS = (
    "int8 input and output (1 x H x W x C), or int16 (16x8, zero point 0); constant int8 "
    "weights 1HWC, per-tensor or per-channel along axis 3, zero point 0; optional constant "
    "int32 bias (int64 with int16); depth multiplier "
    ">= 1 (output channels = input channels x multiplier); any filter size, stride >= 1 and "
    "dilation >= 1; padding SAME or VALID; fused activation NONE, RELU, RELU6 or RELU_N1_TO_1"
)
_STRIDES = ("stride_h", "stride_w")
_ACTIVATION_DTYPES = ("int8", "int16")


def dilations(options: dict) -> tuple[int, int]:
    """(dilation_h, dilation_w); the importer spells the schema's DilationHFactor either way."""
    def factor(axis: str) -> int:
        return int(options.get(f"dilation_{axis}_factor", options.get(f"dilation_{axis}factor", 1)))

    return factor("h"), factor("w")


def conv_tensors(graph: Graph, op: Op) -> tuple[Tensor, Tensor, Tensor | None, Tensor]:
    """(input, weights, bias or None, output) of a convolution or FULLY_CONNECTED."""
    bias_id = op.inputs[2] if len(op.inputs) > 2 else -1
    bias = graph.tensor(bias_id) if bias_id >= 0 else None
    return graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), bias, graph.tensor(op.outputs[0])


def conv_output(graph: Graph, op: Op) -> Tensor:
    """The convolution's own output: the fused pool's input when it carries one."""
    pool = op.options.get("pool")
    return graph.tensor(pool["intermediate"] if pool else op.outputs[0])


# ---- checks ---------------------------------------------------------------------------------


def _check_io(op: Op) -> str | None:
    if len(op.inputs) not in (2, 3) or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (2 or 3 and 1 expected)"
    return None


def _check_weights(w: Tensor, bias: Tensor | None, axis: int, activations: str) -> str | None:
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
        wanted = bias_dtypes(activations, axis == 0)  # TFLM: int32 16x8 bias for CONV_2D
        if bias.dtype not in wanted or not bias.is_constant:
            return f"bias must be a constant {' or '.join(wanted)} tensor with {activations} " \
                   f"activations (got {bias.dtype})"
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


def _check_window_tensors(op: Op, x: Tensor, w: Tensor, bias: Tensor | None, out: Tensor,
                          channel_axis: int) -> str | None:
    """The checks CONV_2D and DEPTHWISE_CONV_2D share: activation tensors of one type,
    constant int8 weights with output channels along `channel_axis`, strides and dilation."""
    return (check_activation_tensor("input", x, _ACTIVATION_DTYPES)
            or check_activation_tensor("output", out, _ACTIVATION_DTYPES)
            or same_dtype(x, out) or _check_weights(w, bias, channel_axis, x.dtype)
            or check_common_options(op.options, _STRIDES) or _check_dilation(op.options))


def check_conv(graph: Graph, op: Op) -> str | None:
    """None when the CONV_2D (possibly carrying a fused pool) is supported, else the reason."""
    reason = _check_io(op)
    if reason:
        return reason
    x, w, bias, y = conv_tensors(graph, op)
    conv_out = conv_output(graph, op)
    reason = _check_window_tensors(op, x, w, bias, conv_out, 0)
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
        if x.dtype != "int8":
            return "a pool fused into an int16 convolution is not supported"
        if groups > 1:
            return "a pool fused into a grouped convolution is not supported"
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
    x, w, bias, y = conv_tensors(graph, op)
    reason = _check_window_tensors(op, x, w, bias, y, 3)
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


# ---- geometry, cost and scratch -------------------------------------------------------------


def conv_geometry(options: dict, x: Tensor, w: Tensor) -> dict[str, int]:
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


def conv_macc(graph: Graph, op: Op) -> int:
    """ST's count: one MAC per weight tap per output value, plus one per bias value (per
    output channel); a fused pool adds its own window count."""
    _, w, bias, y = conv_tensors(graph, op)
    conv_out = conv_output(graph, op)
    taps = w.shape[1] * w.shape[2] * (w.shape[3] if op.kind == "CONV_2D" else 1)
    channels = conv_out.shape[-1]
    count = conv_out.size * taps + (channels if bias is not None else 0)
    pool = op.options.get("pool")
    return count + (window_macc(y, pool) if pool else 0)


def columns_bytes(geometry: dict[str, int], in_c: int, groups: int, columns: int) -> int:
    """edgeai_conv_s8_get_buffer_size: `columns` (1 or 2) int16 columns, and an int8 one
    unless the filter's depth per tap is whole quads."""
    filter_c = in_c // groups
    macro = ("EDGEAI_CONV_S8_BUFFER_SIZE" if filter_c % 4 == 0
             else "EDGEAI_CONV_S8_STAGED_BUFFER_SIZE")
    return buffer_size(macro, kernel_h=geometry["kernel_h"], kernel_w=geometry["kernel_w"],
                       filter_c=filter_c, columns=columns)


def conv_pool_scratch_bytes(geometry: dict[str, int], in_c: int, channels: int,
                            average: bool, columns: int) -> int:
    """edgeai_conv_pool_s8_get_buffer_size: the convolution's columns (`columns_bytes`),
    `columns` pixels of outputs, int32 sums for an average."""
    column = columns_bytes(geometry, in_c, 1, columns)
    return buffer_size("EDGEAI_CONV_POOL_S8_BUFFER_SIZE", column_bytes=column,
                       channels=channels, columns=columns, average=int(average))


SUPPORT = [
    OpSupport("CONV_2D", CONV_CONSTRAINTS, check_conv, conv_macc),
    OpSupport("DEPTHWISE_CONV_2D", DEPTHWISE_CONSTRAINTS, check_depthwise, conv_macc),
]
