"""The model table's figures (macc, params) as ST counts them, on the seed's architecture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from support.tflite_builder import ModelBuilder

from edgeai_tool.importer import load_model
from edgeai_tool.importer.tflite_import import import_model
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


def test_unquantized_constants_are_arguments_not_parameters() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 2, 5), scale=0.1, zero_point=0)
    y = b.tensor("y", (1, 10), scale=0.1, zero_point=0)
    b.op("RESHAPE", [x, b.const("shape", np.array([1, 10], np.int32))], [y], new_shape=[1, 10])
    b.output(y)
    graph = import_model(b.build())
    assert parameter_tensors(graph, graph.ops[0], set()) == []
