"""MAX_POOL_2D and AVERAGE_POOL_2D, int8 and 16x8, and the window geometry (TFLite's padding rule,
exactly as TFLite computes it) that the convolutions share."""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import (
    OpSupport,
    check_fused_activation,
    quantized_per_tensor,
    same_dtype,
)
from edgeai_tool.runtime.buffer_sizes import buffer_size

PADDINGS = ("SAME", "VALID")
# TFLM's pooling Prepare refuses input and output scales further apart than this.
_SCALE_TOLERANCE = 1.0e-6

CONSTRAINTS = (
    "int8 input and output of rank 4 with the same scale and zero point, or int16 (16x8, "
    "zero point 0); any filter size "
    "and stride >= 1; padding SAME or VALID; fused activation NONE, RELU, RELU6 or "
    "RELU_N1_TO_1"
)


def window_geometry(padding: str, in_size: int, filter_size: int, stride: int,
                    dilation: int = 1) -> tuple[int, int]:
    """(output size, padding before) along one axis, as TFLite's ComputePaddingHeightWidth."""
    effective = (filter_size - 1) * dilation + 1
    if padding == "SAME":
        out_size = (in_size + stride - 1) // stride
    else:
        out_size = (in_size + stride - effective) // stride
    total = max((out_size - 1) * stride + effective - in_size, 0)
    return out_size, total // 2


def hwc(tensor: Tensor) -> tuple[int, int, int]:
    """(height, width, channels) of an NHWC tensor with batch 1."""
    _, height, width, channels = tensor.shape
    return height, width, channels


def check_common_options(options: dict, strides: tuple[str, str]) -> str | None:
    """Padding, strides and fused activation: the options every windowed op shares."""
    padding = options.get("padding")
    if padding not in PADDINGS:
        return f"padding {padding} is not supported (SAME or VALID)"
    for name in strides:
        if int(options.get(name, 1)) < 1:
            return f"{name} {options.get(name)} is not supported (>= 1)"
    return check_fused_activation(options)


def check_activation_tensor(role: str, tensor: Tensor,
                            dtypes: tuple[str, ...] = ("int8",)) -> str | None:
    """A per-tensor quantized NHWC tensor with batch 1, of one of `dtypes`."""
    if tensor.quant is None and tensor.dtype in dtypes:
        return f"{role} has no quantization parameters"
    reason = quantized_per_tensor(role, tensor, dtypes)
    if reason:
        return reason
    if len(tensor.shape) != 4 or tensor.shape[0] != 1 or min(tensor.shape) < 1:
        return f"{role} shape {list(tensor.shape)} is not supported (1 x H x W x C)"
    return None


def check_pool(graph: Graph, op: Op) -> str | None:
    """None when the pooling is supported, else the reason."""
    if len(op.inputs) != 1 or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (1 and 1 expected)"
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    dtypes = ("int8", "int16")
    reason = (check_activation_tensor("input", x, dtypes)
              or check_activation_tensor("output", y, dtypes) or same_dtype(x, y)
              or check_common_options(op.options, ("stride_h", "stride_w")))
    if reason:
        return reason
    if abs(x.scale - y.scale) > _SCALE_TOLERANCE or x.zero_point != y.zero_point:
        return (f"output quantization ({y.scale:g}, {y.zero_point}) differs from the input's "
                f"({x.scale:g}, {x.zero_point}); TFLite Micro requires them equal")
    return check_pool_window(op.options, hwc(x), hwc(y))


def check_pool_window(options: dict, in_hwc: tuple[int, int, int],
                      out_hwc: tuple[int, int, int]) -> str | None:
    """Filter size, and the output shape TFLite derives from it."""
    filter_h, filter_w = int(options["filter_height"]), int(options["filter_width"])
    if filter_h < 1 or filter_w < 1:
        return f"filter {filter_h}x{filter_w} is not supported (>= 1x1)"
    expected = (*pool_output_hw(options, in_hwc), in_hwc[2])
    if tuple(out_hwc) != expected:
        return (f"output shape {list(out_hwc)} (HWC) differs from {list(expected)} that the "
                "input, filter, stride and padding give")
    return None


def pool_output_hw(options: dict, in_hwc: tuple[int, int, int]) -> tuple[int, int]:
    out_h, _ = window_geometry(options["padding"], in_hwc[0], int(options["filter_height"]),
                               int(options["stride_h"]))
    out_w, _ = window_geometry(options["padding"], in_hwc[1], int(options["filter_width"]),
                               int(options["stride_w"]))
    return out_h, out_w


def pool_structure(options: dict, in_hwc: tuple[int, int, int]) -> dict[str, int]:
    """Window, strides and padding of a pooling over an input of shape `in_hwc`."""
    filter_h, filter_w = int(options["filter_height"]), int(options["filter_width"])
    stride_h, stride_w = int(options["stride_h"]), int(options["stride_w"])
    _, pad_top = window_geometry(options["padding"], in_hwc[0], filter_h, stride_h)
    _, pad_left = window_geometry(options["padding"], in_hwc[1], filter_w, stride_w)
    return {"filter_h": filter_h, "filter_w": filter_w, "stride_h": stride_h,
            "stride_w": stride_w, "pad_top": pad_top, "pad_left": pad_left}


def window_macc(output: Tensor, options: dict) -> int:
    """One operation per window element per output value, as ST counts pools."""
    return output.size * int(options["filter_height"]) * int(options["filter_width"])


def pool_macc(graph: Graph, op: Op) -> int:
    return window_macc(graph.tensor(op.outputs[0]), op.options)


def avg_pool_scratch_bytes(channels: int) -> int:
    """edgeai_avg_pool_s8_get_buffer_size: one int32 sum per channel."""
    return buffer_size("EDGEAI_AVG_POOL_S8_BUFFER_SIZE", channels=channels)


SUPPORT = [
    OpSupport("MAX_POOL_2D", CONSTRAINTS, check_pool, pool_macc),
    OpSupport("AVERAGE_POOL_2D", CONSTRAINTS, check_pool, pool_macc),
]
