"""The model table's figures (macc, params) as ST counts them, on the seed's architecture."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edgeai_tool.importer import load_model
from edgeai_tool.ir import Graph, Op, Quantization, Tensor
from edgeai_tool.report.analysis import model_rows, parameter_tensors

# (row name, params, bytes, macc) of the seed report's model table, in its order.
SEED_ROWS = [
    ("serving_default_input_layer_0", 0, 0, 0),
    ("conv2d_0", 208, 232, 115_208),
    ("nl_0_nl", 0, 0, 4_608),
    ("maxpool_1", 0, 0, 4_608),
    ("conv2d_2", 3_216, 3_264, 204_816),
    ("nl_2_nl", 0, 0, 1_024),
    ("maxpool_3", 0, 0, 1_024),
    ("reshape_4", 0, 0, 0),
    ("dense_5", 32_896, 33_280, 32_896),
    ("nl_5_nl", 0, 0, 128),
    ("dense_6", 1_290, 1_320, 1_290),
    ("softmax_7", 0, 0, 150),
]


def test_seed_architecture_rows(seed_architecture: Path) -> None:
    rows = model_rows(load_model(seed_architecture))
    assert [(r.name, r.params, r.size, r.macc) for r in rows] == SEED_ROWS
    assert sum(r.params for r in rows) == 37_610
    assert sum(r.size for r in rows) == 38_096
    assert sum(r.macc for r in rows) == 365_752


def test_rows_are_grouped_and_connected_like_the_seed(seed_architecture: Path) -> None:
    rows = {r.name: r for r in model_rows(load_model(seed_architecture))}
    assert rows["serving_default_input_layer_0"].m_id == 0
    assert rows["nl_0_nl"].m_id == 0 and rows["maxpool_1"].m_id == 1
    assert rows["maxpool_1"].connected == ("nl_0_nl",)
    assert rows["dense_5"].connected == ("reshape_4",)
    assert rows["softmax_7"].connected == ("dense_6",)
    assert rows["dense_5"].layer_type == "Gemm" and rows["softmax_7"].layer_type == "Nonlinearity"


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


def test_unquantized_constants_are_arguments_not_parameters() -> None:
    graph = _graph("RESHAPE", (1, 2, 5), (1, 10))
    graph.tensors[2] = Tensor(2, "shape", (2,), "int32", None, data=np.array([1, 10]))
    graph.ops[0].inputs.append(2)
    assert parameter_tensors(graph, graph.ops[0], set()) == []
