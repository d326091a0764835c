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
    if tensor.dtype != "int8":
        return f"{role} type {tensor.dtype} is not supported (int8 only)"
    if tensor.quant is None or tensor.quant.per_channel:
        return f"{role} must be quantized per tensor"
    return None


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
