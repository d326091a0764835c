"""QUANTIZE (float32 -> int8 at a model input, int8 -> int8 requantization) and DEQUANTIZE
(int8 -> float32 at a model output).

Bit-exact with TFLite Micro's reference kernels: AffineQuantize divides in float32 and
rounds half away from zero; Requantize uses QuantizeMultiplier(input_scale / output_scale)
in double and MultiplyByQuantizedMultiplier; Dequantize multiplies the (exact) double
product and rounds it to float32 once, which one float32 multiplication reproduces.
ST counts one operation per converted element (macc = elements).
"""

from __future__ import annotations

from edgeai_tool.codegen.layers.base import Buffer, CValue, LayerCode, OpSupport, require
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.quant import quantize_multiplier

_HEADER = "edgeai_quantize.h"
QUANTIZE_CONSTRAINTS = (
    "float32 -> int8 (typically at a model input) or int8 -> int8 (change of scale and/or "
    "zero point); output per-tensor quantized; input and output of the same element count"
)
DEQUANTIZE_CONSTRAINTS = (
    "int8 -> float32 (typically at a model output); input per-tensor quantized; input and "
    "output of the same element count"
)


def _per_tensor(role: str, tensor: Tensor) -> str | None:
    if tensor.quant is None:
        return f"{role} has no quantization parameters"
    if tensor.quant.per_channel:
        return f"per-channel quantized {role} is not supported (per-tensor only)"
    if not tensor.quant.scale[0] > 0:
        return f"{role} scale {tensor.quant.scale[0]} is not supported (positive only)"
    if not -128 <= tensor.zero_point <= 127:
        return f"{role} zero point {tensor.zero_point} is outside int8"
    return None


def _common(graph: Graph, op: Op) -> tuple[Tensor | None, Tensor | None, str | None]:
    if len(op.inputs) != 1 or len(op.outputs) != 1 or op.inputs[0] < 0:
        return None, None, f"{len(op.inputs)} inputs and {len(op.outputs)} outputs " \
                           "(1 and 1 expected)"
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if x.is_constant:
        return x, y, "constant input is not supported (the converter folds such ops)"
    if x.size != y.size:
        return x, y, f"input of {x.size} elements for an output of {y.size}"
    if x.size == 0:
        return x, y, "empty tensors are not supported"
    return x, y, None


def check_quantize(graph: Graph, op: Op) -> str | None:
    """None when the QUANTIZE is supported, else the reason."""
    x, y, reason = _common(graph, op)
    if reason:
        return reason
    if y.dtype != "int8":
        return f"output type {y.dtype} is not supported (int8 only)"
    if x.dtype not in ("float32", "int8"):
        return f"input type {x.dtype} is not supported (float32 or int8)"
    reason = _per_tensor("output", y)
    if reason is None and x.dtype == "int8":
        reason = _per_tensor("input", x)
    return reason


def check_dequantize(graph: Graph, op: Op) -> str | None:
    """None when the DEQUANTIZE is supported, else the reason."""
    x, y, reason = _common(graph, op)
    if reason:
        return reason
    if x.dtype != "int8":
        return f"input type {x.dtype} is not supported (int8 only)"
    if y.dtype != "float32":
        return f"output type {y.dtype} is not supported (float32 only)"
    return _per_tensor("input", x)


def _layer(kernel: str, op: Op, data_type: str, data: dict[str, CValue], size: int) -> LayerCode:
    return LayerCode(
        kernel=kernel, header=_HEADER, params_type="edgeai_quantize_params",
        params={"size": size}, data_type=data_type, data=data,
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        macc=size, c_type="Conversion",
    )


def lower_quantize(graph: Graph, op: Op) -> LayerCode:
    """QUANTIZE -> edgeai_quantize_f32_s8 or edgeai_requantize_s8."""
    reason = check_quantize(graph, op)
    require(reason is None, f"QUANTIZE: {reason}")
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if x.dtype == "float32":
        return _layer("edgeai_quantize_f32_s8", op, "edgeai_affine_data",
                      {"scale": float(y.scale), "zero_point": y.zero_point}, y.size)
    multiplier, shift = quantize_multiplier(float(x.scale) / float(y.scale))
    return _layer("edgeai_requantize_s8", op, "edgeai_requantize_data",
                  {"multiplier": multiplier, "shift": shift, "input_offset": -x.zero_point,
                   "output_offset": y.zero_point}, y.size)


def lower_dequantize(graph: Graph, op: Op) -> LayerCode:
    """DEQUANTIZE -> edgeai_dequantize_s8_f32."""
    reason = check_dequantize(graph, op)
    require(reason is None, f"DEQUANTIZE: {reason}")
    x = graph.tensor(op.inputs[0])
    return _layer("edgeai_dequantize_s8_f32", op, "edgeai_affine_data",
                  {"scale": float(x.scale), "zero_point": x.zero_point}, x.size)


SUPPORT = [
    OpSupport("DEQUANTIZE", DEQUANTIZE_CONSTRAINTS, check_dequantize),
    OpSupport("QUANTIZE", QUANTIZE_CONSTRAINTS, check_quantize),
]
LOWERINGS = {"DEQUANTIZE": lower_dequantize, "QUANTIZE": lower_quantize}
