"""Each op's cost as ST counts it (`OpSupport.macc`): the model table's and the C layers'."""

from __future__ import annotations

import numpy as np

from edgeai_tool.ir import Graph, Op, Quantization, Tensor
from edgeai_tool.ops import op_macc
from edgeai_tool.ops.base import fused_activation, fused_activation_macc


def _graph(kind: str, in_shape: tuple[int, ...], out_shape: tuple[int, ...],
           weights: tuple[int, ...] | None = None, **options: object) -> Graph:
    q = Quantization((0.1,), (0,))
    tensors = {0: Tensor(0, "x", in_shape, "int8", q), 1: Tensor(1, "y", out_shape, "int8", q)}
    inputs = [0]
    if weights is not None:
        tensors[2] = Tensor(2, "w", weights, "int8", q, data=np.zeros(weights, np.int8))
        inputs.append(2)
    op = Op(kind, inputs, [1], dict(options), origin=(0,))
    return Graph("g", tensors, [op], [0], [1])


def test_depthwise_counts_taps_per_output() -> None:
    graph = _graph("DEPTHWISE_CONV_2D", (1, 8, 8, 4), (1, 6, 6, 4), (1, 3, 3, 4))
    assert op_macc(graph, graph.ops[0]) == 6 * 6 * 4 * 9  # no bias input


def test_pool_counts_its_window() -> None:
    graph = _graph("AVERAGE_POOL_2D", (1, 6, 6, 2), (1, 2, 2, 2), filter_height=3,
                   filter_width=3)
    assert op_macc(graph, graph.ops[0]) == 2 * 2 * 2 * 9


def test_element_wise_ops_cost_one_per_output_element_and_moves_nothing() -> None:
    graph = _graph("MAXIMUM", (1, 4, 4, 2), (1, 4, 4, 2))
    assert op_macc(graph, graph.ops[0]) == 32
    graph = _graph("TRANSPOSE", (1, 4, 4, 2), (1, 2, 4, 4))
    assert op_macc(graph, graph.ops[0]) == 0


def test_fused_activation_costs_one_per_element() -> None:
    graph = _graph("ADD", (1, 10), (1, 10), fused_activation_function="RELU6")
    assert fused_activation(graph.ops[0]) == "RELU6"
    assert fused_activation_macc(graph, graph.ops[0]) == 10
    graph = _graph("ADD", (1, 10), (1, 10), fused_activation_function="NONE")
    assert fused_activation_macc(graph, graph.ops[0]) == 0
