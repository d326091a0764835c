"""Multiply-accumulates and parameters of the ORIGINAL (imported) graph, as ST counts them.

The report's `macc` column is the cost of the model as the user wrote it; the `c_macc`
column is what the lowered layers report (`LayerCode.macc`). Figures follow ST Edge AI's
seed report (a conv5x5x8 on 28x28x1 is 115,208: 4,608 outputs x 25 taps plus one per
bias; its ReLU 4,608; a 2x2 max pool to 12x12x8 4,608; dense 256->128 32,896; softmax
over 10 classes 150). Ops this table does not name cost one operation per output
element; shape-only and data-movement ops cost nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from edgeai_tool.ir import Graph, Op, Tensor

# Per output element, for element-wise nonlinearities (ST: softmax 150 for 10 classes).
PER_ELEMENT = {
    "SOFTMAX": 15,
    "LOG_SOFTMAX": 15,
}
FREE_OPS = frozenset({
    "RESHAPE", "SQUEEZE", "EXPAND_DIMS", "CONCATENATION", "PAD", "PADV2", "TRANSPOSE",
    "STRIDED_SLICE", "SLICE", "SPLIT", "SPLIT_V", "PACK", "UNPACK", "GATHER", "SHAPE",
})
NO_ACTIVATION = ("NONE", "", None)


def _output(graph: Graph, op: Op) -> Tensor:
    return graph.tensor(op.outputs[0])


def _input(graph: Graph, op: Op, index: int = 0) -> Tensor:
    return graph.tensor(op.inputs[index])


def _bias_count(graph: Graph, op: Op, channels: int) -> int:
    """ST adds one operation per output channel when the op has a bias."""
    has_bias = len(op.inputs) > 2 and op.inputs[2] >= 0
    return channels if has_bias else 0


def conv2d_macc(graph: Graph, op: Op) -> int:
    """Weights OHWI: every output element accumulates kh*kw*(cin/groups) products."""
    weights = _input(graph, op, 1)
    cout, kh, kw, depth = weights.shape
    return _output(graph, op).size * kh * kw * depth + _bias_count(graph, op, cout)


def depthwise_macc(graph: Graph, op: Op) -> int:
    """Weights [1, kh, kw, cout]: every output element accumulates kh*kw products."""
    weights = _input(graph, op, 1)
    _, kh, kw, cout = weights.shape
    return _output(graph, op).size * kh * kw + _bias_count(graph, op, cout)


def transpose_conv_macc(graph: Graph, op: Op) -> int:
    """Weights OHWI, input is operand 2: every input element scatters kh*kw*cout products."""
    weights = _input(graph, op, 1)
    cout, kh, kw, _ = weights.shape
    has_bias = len(op.inputs) > 3 and op.inputs[3] >= 0
    return _input(graph, op, 2).size * kh * kw * cout + (cout if has_bias else 0)


def fully_connected_macc(graph: Graph, op: Op) -> int:
    """Weights [units, depth]: every output element accumulates `depth` products."""
    units, depth = _input(graph, op, 1).shape[0], _input(graph, op, 1).shape[-1]
    return _output(graph, op).size * depth + _bias_count(graph, op, units)


def pool_macc(graph: Graph, op: Op) -> int:
    """Every output element reads its window."""
    window = op.options.get("filter_height", 1) * op.options.get("filter_width", 1)
    return _output(graph, op).size * window


def reduce_macc(graph: Graph, op: Op) -> int:
    """MEAN, SUM, ...: every input element is read once."""
    return _input(graph, op).size


def per_element_macc(graph: Graph, op: Op) -> int:
    return _output(graph, op).size * PER_ELEMENT.get(op.kind, 1)


def free_macc(graph: Graph, op: Op) -> int:
    return 0


MACC: dict[str, Callable[[Graph, Op], int]] = {
    "CONV_2D": conv2d_macc,
    "DEPTHWISE_CONV_2D": depthwise_macc,
    "TRANSPOSE_CONV": transpose_conv_macc,
    "FULLY_CONNECTED": fully_connected_macc,
    "MAX_POOL_2D": pool_macc,
    "AVERAGE_POOL_2D": pool_macc,
    "L2_POOL_2D": pool_macc,
    "MEAN": reduce_macc,
    "SUM": reduce_macc,
    "REDUCE_MAX": reduce_macc,
    "REDUCE_MIN": reduce_macc,
    **{kind: free_macc for kind in FREE_OPS},
}


def op_macc(graph: Graph, op: Op) -> int:
    """The op's own cost, without its fused activation (that is `activation_macc`)."""
    if not op.outputs:
        return 0
    return MACC.get(op.kind, per_element_macc)(graph, op)


def fused_activation(op: Op) -> str | None:
    """The op's fused activation function's name, or None."""
    activation = op.options.get("fused_activation_function")
    return None if activation in NO_ACTIVATION else str(activation)


def activation_macc(graph: Graph, op: Op) -> int:
    """A fused activation costs one operation per output element."""
    return _output(graph, op).size if fused_activation(op) else 0


def parameter_tensors(graph: Graph, op: Op, seen: set[int]) -> list[Tensor]:
    """The op's trained parameters: quantized constant inputs not counted for an earlier op.

    Constants without quantization (a RESHAPE's shape, PAD's paddings, MEAN's axes) are
    arguments, not parameters, and are left out as ST leaves them out.
    """
    found = []
    for tensor_id in op.inputs:
        if tensor_id < 0 or tensor_id in seen:
            continue
        tensor = graph.tensor(tensor_id)
        if tensor.is_constant and tensor.quant is not None:
            seen.add(tensor_id)
            found.append(tensor)
    return found
