"""MAX_POOL_2D and AVERAGE_POOL_2D: lowered layer + C kernel vs tflite-micro, bit for bit."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from support.bitexact import assert_bit_exact as assert_network_bit_exact
from support.pool_models import pool_model
from support.s16 import assert_not_saturated, int16_input
from support.tflite_builder import ModelBuilder
from test_conv import assert_bit_exact, inputs_for

from edgeai_tool.codegen.layers import lower
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ops.pool import check_pool

POOL_CASES = [
    dict(in_shape=(1, 24, 24, 8), size=(2, 2)),
    dict(in_shape=(1, 9, 9, 5), size=(3, 3), stride=(2, 2)),
    dict(in_shape=(1, 9, 9, 5), size=(3, 3), stride=(2, 2), padding="SAME"),
    dict(in_shape=(1, 10, 7, 3), size=(2, 3), stride=(1, 2), padding="SAME"),
    dict(in_shape=(1, 25, 5, 64), size=(25, 5), stride=(1, 1)),  # KWS global average
    dict(in_shape=(1, 8, 8, 64), size=(8, 8), stride=(8, 8)),  # ResNet-8 global average
    dict(in_shape=(1, 6, 6, 4), size=(2, 2), activation="RELU"),
    dict(in_shape=(1, 6, 6, 4), size=(2, 2), activation="RELU6", scale=0.05),
    dict(in_shape=(1, 6, 6, 4), size=(2, 2), activation="RELU_N1_TO_1", scale=0.01, zp=3),
    dict(in_shape=(1, 5, 5, 7), size=(5, 5), stride=(1, 1), padding="SAME"),
    dict(in_shape=(1, 4, 4, 2), size=(1, 1), stride=(3, 3)),
    dict(in_shape=(1, 7, 7, 9), size=(4, 4), stride=(4, 4), padding="SAME", zp=-128),
]


@pytest.mark.parametrize("kind", ["MAX_POOL_2D", "AVERAGE_POOL_2D"])
@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: "-".join(f"{v}" for v in c.values()))
def test_pool_bit_exact(layer_runner, kind: str, case: dict) -> None:
    rng = np.random.default_rng(zlib.crc32(repr((kind, sorted(case.items()))).encode()))
    xs = inputs_for(case["in_shape"], rng)
    assert_bit_exact(layer_runner, pool_model(kind, case), xs, min_unsaturated=0.0)


def test_pool_lowering_structure() -> None:
    graph = import_model(pool_model("AVERAGE_POOL_2D", POOL_CASES[2]))
    layer = lower(graph, graph.ops[0])
    assert layer.kernel == "edgeai_avg_pool_s8"
    assert layer.params["pad_top"] == 1 and layer.params["pad_left"] == 1
    assert layer.scratch_bytes == 4 * 5
    assert layer.macc == 5 * 5 * 5 * 9
    graph = import_model(pool_model("MAX_POOL_2D", POOL_CASES[0]))
    layer = lower(graph, graph.ops[0])
    assert layer.kernel == "edgeai_max_pool_s8" and layer.scratch_bytes == 0
    assert layer.macc == 4_608  # the seed report's pool_1


def test_pool_refuses_requantization() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 4, 4, 2), scale=0.1, zero_point=0)
    y = b.tensor("y", (1, 2, 2, 2), scale=0.2, zero_point=0)
    b.op("MAX_POOL_2D", [x], [y], padding="VALID", stride_h=2, stride_w=2, filter_height=2,
         filter_width=2)
    b.output(y)
    graph = import_model(b.build())
    assert "quantization" in check_pool(graph, graph.ops[0])


def test_pool_portable_path_under_sanitizers(portable_sanitized_runner) -> None:
    """The portable path (every case runs the DSP path through `layer_runner`)."""
    for kind, case in [("MAX_POOL_2D", POOL_CASES[3]), ("AVERAGE_POOL_2D", POOL_CASES[2]),
                       ("MAX_POOL_2D", POOL_CASES[11]), ("AVERAGE_POOL_2D", POOL_CASES[4])]:
        rng = np.random.default_rng(zlib.crc32(repr((kind, sorted(case.items()))).encode()))
        xs = inputs_for(case["in_shape"], rng)
        assert_bit_exact(portable_sanitized_runner, pool_model(kind, case), xs,
                         min_unsaturated=0.0)


S16_POOLS = [
    dict(size=(2, 2)),
    dict(size=(3, 3), stride=(2, 2), padding="SAME"),
    dict(size=(2, 3), stride=(1, 2), padding="SAME"),
    dict(size=(10, 9)),  # global
    dict(size=(3, 3), activation="RELU6"),
    dict(size=(2, 2), activation="RELU_N1_TO_1"),
]


@pytest.mark.parametrize("kind", ["MAX_POOL_2D", "AVERAGE_POOL_2D"])
def test_16x8_bit_exact(kind: str, tmp_path) -> None:
    """edgeai_max_pool_s16 / edgeai_avg_pool_s16: several windows of one int16 input, each an
    output, in a generated network under ASan/UBSan against tflite-micro."""
    rng = np.random.default_rng(zlib.crc32(kind.encode()))
    b = ModelBuilder()
    x, xs = int16_input(b, (1, 10, 9, 6), rng, samples=12)
    for k, case in enumerate(S16_POOLS):
        size, stride = case["size"], case.get("stride", case["size"])
        padding = case.get("padding", "VALID")
        out_hw = [(n + s - 1) // s if padding == "SAME" else (n - f + s) // s
                  for n, f, s in zip((10, 9), size, stride, strict=True)]
        y = b.tensor(f"y{k}", (1, *out_hw, 6), scale=x.scale, zero_point=0, dtype=np.int16)
        b.op(kind, [x], [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
             filter_height=size[0], filter_width=size[1],
             fused_activation_function=case.get("activation", "NONE"))
        b.output(y)
    outputs = assert_network_bit_exact(b.build(), [xs], tmp_path)
    assert_not_saturated(outputs[0])
