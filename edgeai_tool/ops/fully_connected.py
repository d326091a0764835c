"""FULLY_CONNECTED, int8 and 16x8: what it accepts and what it costs.

TFLite Micro reads the input as [batches, in_depth] whatever its rank (in_depth is the
weights' last dimension), so `keep_num_dims` only changes the output's shape.
"""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import (
    OpSupport,
    bias_dtypes,
    check_fused_activation,
    quantized_per_tensor,
    same_dtype,
)
from edgeai_tool.ops.conv import conv_tensors

# TFLM's Prepare (GetQuantizedConvolutionMultipler) refuses a per-tensor layer whose bias
# scale strays further than this from input_scale * weights_scale, relative to the output.
_BIAS_SCALE_TOLERANCE = 0.02

CONSTRAINTS = (
    "int8 input and output, or int16 (16x8, zero point 0); constant int8 weights [out, in] "
    "(per-tensor with zero point 0, or per-channel along axis 0); optional constant int32 "
    "bias (int64 or int32 with int16); input of any rank, read as "
    "[batches, in]; keep_num_dims true or false; fused activation NONE, RELU, RELU6 or "
    "RELU_N1_TO_1; default weights format"
)


def check_fully_connected(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    if len(op.inputs) < 2 or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (2 or 3 and 1 expected)"
    x, w, bias, y = conv_tensors(graph, op)
    return (_check_types(x, w, bias, y) or _check_options(op) or _check_shapes(x, w, bias, y)
            or _check_weights_quant(w) or _check_bias_scale(x, w, bias, y))


def _check_types(x: Tensor, w: Tensor, bias: Tensor | None, y: Tensor) -> str | None:
    for role, tensor in (("input", x), ("output", y)):
        reason = quantized_per_tensor(role, tensor, ("int8", "int16"))
        if reason:
            return reason
    reason = same_dtype(x, y)
    if reason:
        return reason
    if w.dtype != "int8":
        return f"weights type {w.dtype} is not supported (int8 only)"
    if w.quant is None:
        return "weights has no quantization parameters"
    if not w.is_constant:
        return "weights computed at run time are not supported (constant weights only)"
    wanted = bias_dtypes(x.dtype, True)
    if bias is not None and (bias.dtype not in wanted or not bias.is_constant):
        return f"bias must be a constant {' or '.join(wanted)} tensor with {x.dtype} " \
               f"activations (got {bias.dtype})"
    return None


def _check_options(op: Op) -> str | None:
    reason = check_fused_activation(op.options)
    if reason:
        return reason
    weights_format = op.options.get("weights_format", 0)
    if weights_format not in (0, "DEFAULT"):
        return f"weights_format {weights_format} is not supported (DEFAULT only)"
    return None


def _check_shapes(x: Tensor, w: Tensor, bias: Tensor | None, y: Tensor) -> str | None:
    if len(w.shape) != 2:
        return f"weights of rank {len(w.shape)} are not supported (rank 2 only)"
    out_depth, in_depth = w.shape
    if in_depth == 0 or x.size % in_depth:
        return f"input of {x.size} values is not a whole number of rows of {in_depth}"
    if not y.shape or y.shape[-1] != out_depth or y.size != x.size // in_depth * out_depth:
        return f"output shape {list(y.shape)} does not match input {list(x.shape)} and " \
               f"weights {list(w.shape)}"
    if bias is not None and bias.size != out_depth:
        return f"bias of {bias.size} values for {out_depth} outputs"
    return None


def _check_weights_quant(w: Tensor) -> str | None:
    quant = w.quant
    if quant.per_channel:
        if quant.axis != 0 or len(quant.scale) != w.shape[0]:
            return f"per-channel weights quantized along axis {quant.axis} with " \
                   f"{len(quant.scale)} scales (axis 0, one per output expected)"
        return None  # TFLM's per-channel kernel ignores the weights zero points (symmetric)
    if quant.zero_point[0] != 0:
        return f"weights zero point {quant.zero_point[0]} is not supported (symmetric, 0 only)"
    return None


def _check_bias_scale(x: Tensor, w: Tensor, bias: Tensor | None, y: Tensor) -> str | None:
    if w.quant.per_channel or bias is None or bias.quant is None:
        return None
    product = float(x.scale) * float(w.scale)
    # TFLM reads the bias's first scale even when the file gives one per output
    bias_scale = float(bias.quant.scale[0])
    if abs(product - bias_scale) / float(y.scale) > _BIAS_SCALE_TOLERANCE:
        return f"bias scale {bias_scale:g} differs from input scale x weights scale " \
               f"{product:g} (TFLite Micro refuses this layer)"
    return None


def fully_connected_macc(graph: Graph, op: Op) -> int:
    """ST's count: `in_depth` products per output value, plus one per bias value."""
    _, w, bias, y = conv_tensors(graph, op)
    out_depth, in_depth = w.shape
    return y.size * in_depth + (out_depth if bias is not None else 0)


SUPPORT = [OpSupport("FULLY_CONNECTED", CONSTRAINTS, check_fully_connected,
                     fully_connected_macc)]
