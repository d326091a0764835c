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

from edgeai_tool.codegen.layers.base import (
    ArrayRef,
    Buffer,
    CArray,
    LayerCode,
    OpSupport,
    require,
)
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.quant import (
    activation_range,
    conv_multiplier,
    fc_per_tensor_multiplier,
    quantize_multiplier,
)
from edgeai_tool.runtime.buffer_sizes import buffer_size

_ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")
# TFLM's Prepare (GetQuantizedConvolutionMultipler) refuses a per-tensor layer whose bias
# scale strays further than this from input_scale * weights_scale, relative to the output.
_BIAS_SCALE_TOLERANCE = 0.02

CONSTRAINTS = (
    "int8 input and output; constant int8 weights [out, in] (per-tensor with zero point 0, "
    "or per-channel along axis 0); optional constant int32 bias; input of any rank, read as "
    "[batches, in]; keep_num_dims true or false; fused activation NONE, RELU, RELU6 or "
    "RELU_N1_TO_1; default weights format"
)


def _tensors(graph: Graph, op: Op) -> tuple[Tensor, Tensor, Tensor | None, Tensor]:
    bias_id = op.inputs[2] if len(op.inputs) > 2 else -1
    bias = graph.tensor(bias_id) if bias_id >= 0 else None
    return graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]), bias, graph.tensor(op.outputs[0])


def check_fully_connected(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    if len(op.inputs) < 2 or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (2 or 3 and 1 expected)"
    x, w, bias, y = _tensors(graph, op)
    return (_check_types(x, w, bias, y) or _check_options(op) or _check_shapes(x, w, bias, y)
            or _check_weights_quant(w) or _check_bias_scale(x, w, bias, y))


def _check_types(x: Tensor, w: Tensor, bias: Tensor | None, y: Tensor) -> str | None:
    for role, tensor in (("input", x), ("output", y), ("weights", w)):
        if tensor.dtype != "int8":
            return f"{role} type {tensor.dtype} is not supported (int8 only)"
        if tensor.quant is None:
            return f"{role} has no quantization parameters"
    if x.quant.per_channel or y.quant.per_channel:
        return "per-channel quantized input or output is not supported"
    if not w.is_constant:
        return "weights computed at run time are not supported (constant weights only)"
    if bias is not None and (bias.dtype != "int32" or not bias.is_constant):
        return f"bias must be a constant int32 tensor (got {bias.dtype})"
    return None


def _check_options(op: Op) -> str | None:
    activation = op.options.get("fused_activation_function", "NONE")
    if activation not in _ACTIVATIONS:
        return f"fused activation {activation} is not supported"
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


def lower_fully_connected(graph: Graph, op: Op) -> LayerCode:
    """FULLY_CONNECTED -> edgeai_fully_connected_s8."""
    reason = check_fully_connected(graph, op)
    require(reason is None, f"FULLY_CONNECTED: {reason}")
    x, w, bias, y = _tensors(graph, op)
    out_depth, in_depth = w.shape
    batches = y.size // out_depth
    multipliers, shifts = requant_arrays(x, w, y)
    act_min, act_max = activation_range(op.options.get("fused_activation_function", "NONE"),
                                        y.scale, y.zero_point)
    return LayerCode(
        kernel="edgeai_fully_connected_s8",
        header="edgeai_fully_connected.h",
        params_type="edgeai_fc_params",
        params={"batches": batches, "in_depth": in_depth, "out_depth": out_depth,
                "per_channel": int(w.quant.per_channel)},
        data_type="edgeai_fc_data",
        data={"weights": ArrayRef("weights"), "bias": ArrayRef("bias"),
              "multiplier": ArrayRef("multiplier"), "shift": ArrayRef("shift"),
              "output_offset": y.zero_point, "act_min": act_min, "act_max": act_max},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        arrays=[
            CArray("weights", "int8_t", np.asarray(w.data, dtype=np.int8)),
            CArray("bias", "int32_t", folded_bias(x, w, bias), kind="bias"),
            CArray("multiplier", "int32_t", multipliers, kind="quant"),
            CArray("shift", "int32_t", shifts, kind="quant"),
        ],
        scratch_bytes=buffer_size("EDGEAI_FULLY_CONNECTED_S8_BUFFER_SIZE"),
        macc=batches * (in_depth * out_depth + (out_depth if bias is not None else 0)),
        c_type="Dense",
    )


SUPPORT = [OpSupport("FULLY_CONNECTED", CONSTRAINTS, check_fully_connected)]
LOWERINGS = {"FULLY_CONNECTED": lower_fully_connected}
