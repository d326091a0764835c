"""QUANTIZE (float32 -> int8 or int16 at a model input, requantization between int8 and
int16) and DEQUANTIZE (int8 or int16 -> float32 at a model output): what they accept.
ST counts one operation per converted element."""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import OpSupport, output_size_macc

QUANTIZE_CONSTRAINTS = (
    "float32 -> int8 or int16 (typically at a model input), int8 or int16 -> int8 or int16 "
    "(change of scale and/or zero point); output per-tensor quantized; int16 with zero point "
    "0; input and output of the same element count"
)
DEQUANTIZE_CONSTRAINTS = (
    "int8 or int16 -> float32 (typically at a model output); input per-tensor quantized, "
    "int16 with zero point 0; input and output of the same element count"
)
_INTEGERS = ("int8", "int16")


def _per_tensor(role: str, tensor: Tensor) -> str | None:
    if tensor.quant is None:
        return f"{role} has no quantization parameters"
    if tensor.quant.per_channel:
        return f"per-channel quantized {role} is not supported (per-tensor only)"
    if not tensor.quant.scale[0] > 0:
        return f"{role} scale {tensor.quant.scale[0]} is not supported (positive only)"
    if tensor.dtype == "int16" and tensor.zero_point != 0:
        return f"int16 {role} zero point {tensor.zero_point} is not supported (16x8 " \
               "quantization is symmetric, zero point 0)"
    if not -128 <= tensor.zero_point <= 127:
        return f"{role} zero point {tensor.zero_point} is outside int8"
    return None


def _type(role: str, tensor: Tensor, allowed: tuple[str, ...]) -> str | None:
    if tensor.dtype in allowed:
        return None
    accepted = " or ".join(allowed) if len(allowed) > 1 else f"{allowed[0]} only"
    return f"{role} type {tensor.dtype} is not supported ({accepted})"


def _conversion(graph: Graph, op: Op) -> tuple[Tensor, Tensor] | str:
    """(input, output), or the reason the op is not a conversion of one tensor."""
    if len(op.inputs) != 1 or len(op.outputs) != 1 or op.inputs[0] < 0:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs (1 and 1 expected)"
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if x.is_constant:
        return "constant input is not supported (the converter folds such ops)"
    if x.size != y.size:
        return f"input of {x.size} elements for an output of {y.size}"
    if x.size == 0:
        return "empty tensors are not supported"
    return x, y


def check_quantize(graph: Graph, op: Op) -> str | None:
    """None when the QUANTIZE is supported, else the reason."""
    tensors = _conversion(graph, op)
    if isinstance(tensors, str):
        return tensors
    x, y = tensors
    return (_type("output", y, _INTEGERS) or _type("input", x, ("float32", *_INTEGERS))
            or _per_tensor("output", y)
            or (_per_tensor("input", x) if x.dtype in _INTEGERS else None))


def check_dequantize(graph: Graph, op: Op) -> str | None:
    """None when the DEQUANTIZE is supported, else the reason."""
    tensors = _conversion(graph, op)
    if isinstance(tensors, str):
        return tensors
    x, y = tensors
    return (_type("input", x, _INTEGERS) or _type("output", y, ("float32",))
            or _per_tensor("input", x))


SUPPORT = [
    OpSupport("DEQUANTIZE", DEQUANTIZE_CONSTRAINTS, check_dequantize, output_size_macc),
    OpSupport("QUANTIZE", QUANTIZE_CONSTRAINTS, check_quantize, output_size_macc),
]
