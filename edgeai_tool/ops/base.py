"""The vocabulary of operator facts: a support entry, and the checks many families share."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from edgeai_tool.ir import Graph, Op, Tensor

# The fused activations every kernel with an activation slot implements.
FUSED_ACTIVATIONS = ("NONE", "RELU", "RELU6", "RELU_N1_TO_1")


@dataclass(frozen=True)
class OpSupport:
    """One supported TFLite operator.

    `constraints` is the human-readable summary shown by `edgeai supported-ops`.
    `check(graph, op)` returns None when the op is supported, else a short reason
    naming the option or value outside the table (e.g. "dilation 2 is not supported").
    `macc(graph, op)` is the op's cost in multiply-accumulates (ST Edge AI's unit), its
    fused activation left out (see `fused_activation_macc`).
    """

    kind: str
    constraints: str
    check: Callable[[Graph, Op], str | None]
    macc: Callable[[Graph, Op], int]


def io_count(op: Op, inputs: tuple[int, ...], outputs: int = 1) -> str | None:
    """The reason an op does not have one of `inputs` input counts and `outputs` outputs."""
    if len(op.inputs) not in inputs or len(op.outputs) != outputs:
        expected = " or ".join(map(str, inputs))
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs " \
               f"({expected} and {outputs} expected)"
    return None


def int8_per_tensor(role: str, tensor: Tensor) -> str | None:
    """The reason `tensor` is not int8 with one scale and zero point."""
    return quantized_per_tensor(role, tensor, ("int8",))


def quantized_per_tensor(role: str, tensor: Tensor, dtypes: tuple[str, ...]) -> str | None:
    """The reason `tensor` is not of one of `dtypes` with one scale and zero point (an int16
    activation, 16x8 quantization, is symmetric: zero point 0, as TFLite requires)."""
    if tensor.dtype not in dtypes:
        return f"{role} type {tensor.dtype} is not supported ({' or '.join(dtypes)} only)"
    if tensor.quant is None or tensor.quant.per_channel:
        return f"{role} must be quantized per tensor"
    if tensor.dtype == "int16" and tensor.quant.zero_point[0] != 0:
        return f"int16 {role} zero point {tensor.quant.zero_point[0]} is not supported " \
               "(16x8 quantization is symmetric, zero point 0)"
    return None


def same_dtype(x: Tensor, y: Tensor) -> str | None:
    """The reason an op's output type is not its input's (int8 in, int8 out; int16 likewise)."""
    if x.dtype != y.dtype:
        return f"input type {x.dtype} and output type {y.dtype} differ"
    return None


def int32_accumulator(op: Op, bias: Tensor | None) -> bool:
    """Whether a 16x8 CONV_2D or FULLY_CONNECTED accumulates in int32 (and requantizes an
    int32) in TFLM: with an int32 bias, or without a bias when the op's quantized_bias_type
    is INT32; else in int64."""
    if bias is not None:
        return bias.dtype == "int32"
    return op.options.get("quantized_bias_type") in ("INT32", 2)


def bias_dtypes(activation_dtype: str, int32_bias_with_int16: bool) -> tuple[str, ...]:
    """The bias types TFLM pairs with the activations: int32 for int8; int64 for 16x8, or
    int32 too where the kernel has an int32 accumulator for it."""
    if activation_dtype != "int16":
        return ("int32",)
    return ("int64", "int32") if int32_bias_with_int16 else ("int64",)


def check_int8_unary(graph: Graph, op: Op) -> str | None:
    """The reason an op is not one int8 input to one int8 output, both quantized per tensor."""
    reason = io_count(op, (1,))
    if reason:
        return reason
    x, y = io_tensors(graph, op)
    return int8_per_tensor("input", x) or int8_per_tensor("output", y)


def check_fused_activation(options: dict) -> str | None:
    activation = options.get("fused_activation_function", "NONE")
    if activation not in FUSED_ACTIVATIONS:
        return f"fused activation {activation} is not supported"
    return None


def io_tensors(graph: Graph, op: Op) -> tuple[Tensor, Tensor]:
    """(first input, first output)."""
    return graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])


def output_size_macc(graph: Graph, op: Op) -> int:
    """One operation per output element."""
    return graph.tensor(op.outputs[0]).size


def no_macc(graph: Graph, op: Op) -> int:
    """Shape-only and data-movement ops: ST counts nothing."""
    return 0


# Ops whose `fused_activation_function` acts inside them (an LSTM's cell gate), not on
# their output.
_INNER_ACTIVATION_OPS = ("UNIDIRECTIONAL_SEQUENCE_LSTM",)


def fused_activation(op: Op) -> str | None:
    """The op's fused activation function's name, or None."""
    activation = op.options.get("fused_activation_function")
    if op.kind in _INNER_ACTIVATION_OPS or activation in ("NONE", "", None):
        return None
    return str(activation)


def fused_activation_macc(graph: Graph, op: Op) -> int:
    """A fused activation costs one operation per output element."""
    return output_size_macc(graph, op) if fused_activation(op) else 0
