"""`<name>_c_info.json`: deterministic JSON with the same figures as the text report."""

from __future__ import annotations

import json

from edgeai_tool.compilation import Compilation
from edgeai_tool.report import render_c_info


def test_json_is_sorted_indented_and_ends_with_a_newline(
        small_compilation: Compilation) -> None:
    text = small_compilation.files["network_c_info.json"]
    assert text == render_c_info(small_compilation)
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True) + "\n"
    assert "/tmp" not in text


def test_figures(small_compilation: Compilation) -> None:
    info = json.loads(small_compilation.files["network_c_info.json"])
    plan, network = small_compilation.plan, small_compilation.network
    assert info["tool"] == {"name": "edgeai", "version": "0.1.0"}
    assert info["model"]["file"] == "small_cnn.tflite"
    assert info["model"]["hash"]["algorithm"] == "md5"
    assert len(info["model"]["hash"]["value"]) == 32
    assert info["model"]["params"] == 429
    assert info["weights"]["bytes"] == network.weights_bytes
    assert sum(a["bytes"] for a in info["weights"]["arrays"]) == network.weights_bytes
    requant = sum(a.nbytes for code in small_compilation.layers for a in code.arrays
                  if a.kind == "quant")
    assert info["requant"]["bytes"] == requant > 0
    assert info["activations"]["bytes"] == plan.activations_bytes
    assert info["activations"]["pools"] == [{"bytes": plan.activations_bytes,
                                             "name": "POOL_0_RAM"}]
    assert info["memory_pools"][0]["used_bytes"] == plan.activations_bytes
    assert info["macc"]["c_model"] == sum(layer.macc for layer in small_compilation.layers)
    assert info["macc"]["model"] == 6_404 + 256 + 256 + 325
    assert info["ram"]["total_bytes"] == plan.activations_bytes


def test_io_and_layers(small_compilation: Compilation) -> None:
    info = json.loads(small_compilation.files["network_c_info.json"])
    (image,) = info["inputs"]
    assert image["name"] == "image" and image["shape"] == [1, 12, 12, 1]
    assert image["dtype"] == "int8" and image["zero_point"] == -9 and image["bytes"] == 144
    assert image["location"]["pool"] == "POOL_0_RAM"
    assert image["location"]["offset"] == small_compilation.plan.tensor(
        small_compilation.graph.inputs[0]).offset
    conv, dense = info["layers"]
    assert conv["origin"] == [0, 1] and conv["c_type"] == "Conv2D" and conv["m_id"] == 1
    assert conv["scratch_bytes"] == small_compilation.layers[0].scratch_bytes
    assert dense["origin"] == [3] and dense["operation"] == "smul_s8_s8"
    assert dense["kernel"] == small_compilation.layers[1].kernel
