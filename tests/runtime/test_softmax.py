"""SOFTMAX int8 -> int8: the generated table + C kernel against the tflite-micro interpreter."""

from __future__ import annotations

import ctypes
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_bit_exact
from support.reference import run_tflm
from support.tflite_builder import ModelBuilder

from edgeai_tool.codegen.layers import lower
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ops.softmax import check_softmax

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"
I32 = ctypes.c_int32
P8 = ctypes.POINTER(ctypes.c_int8)


class SoftmaxParams(ctypes.Structure):
    _fields_ = [("rows", I32), ("depth", I32)]


class SoftmaxData(ctypes.Structure):
    _fields_ = [("exp_lut", ctypes.POINTER(I32)), ("lut_size", I32)]


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory):
    lib = tmp_path_factory.mktemp("softmax") / "libsoftmax.so"
    subprocess.run(["gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
                    "-I", str(RUNTIME), str(RUNTIME / "edgeai_softmax.c"), "-o", str(lib)],
                   check=True)
    function = ctypes.CDLL(str(lib)).edgeai_softmax_s8
    function.restype = I32
    return function


def softmax_model(shape: tuple[int, ...], in_q: tuple[float, int], beta: float) -> bytes:
    b = ModelBuilder()
    x = b.input("x", shape, scale=in_q[0], zero_point=in_q[1])
    y = b.tensor("y", shape, scale=1 / 256, zero_point=-128)
    b.op("SOFTMAX", [x], [y], beta=beta)
    b.output(y)
    return b.build()


def run_kernel(kernel, model: bytes, xs: np.ndarray) -> np.ndarray:
    graph = import_model(model)
    op = graph.ops[0]
    layer = lower(graph, op)
    lut = np.ascontiguousarray(layer.arrays[0].values, dtype=np.int32)
    data = SoftmaxData(lut.ctypes.data_as(ctypes.POINTER(I32)), layer.data["lut_size"])
    params = SoftmaxParams(**layer.params)
    outputs = []
    for x in xs:
        x = np.ascontiguousarray(x, dtype=np.int8)
        y = np.zeros_like(x)
        assert kernel(ctypes.byref(params), ctypes.byref(data), x.ctypes.data_as(P8),
                      y.ctypes.data_as(P8)) == 0
        outputs.append(y)
    return np.stack(outputs)


def check(kernel, shape, in_q, beta, xs) -> np.ndarray:
    model = softmax_model(shape, in_q, beta)
    expected = run_tflm(model, [xs])[0]
    np.testing.assert_array_equal(run_kernel(kernel, model, xs), expected)
    return expected


CASES = [
    ((1, 10), (0.1, -20), 1.0),
    ((1, 10), (0.0625, 0), 1.0),
    ((1, 10), (0.25, 10), 1.0),
    ((1, 2), (0.05, 5), 1.0),
    ((1, 1000), (0.08, -3), 1.0),
    ((2, 5, 7), (0.12, 3), 1.0),
    ((1, 12), (0.1, 0), 0.5),
    ((1, 12), (0.1, 0), 2.5),
    ((1, 12), (0.0039, -128), 1.0),
    ((1, 12), (0.01, 0), 0.001),
    ((1, 12), (2.0, 0), 100.0),  # multiplier capped at 2^31 - 1
    ((1, 1), (0.1, 0), 1.0),
    ((1, 4, 4, 6), (0.3, -50), 0.8),
]


@pytest.mark.parametrize("shape,in_q,beta", CASES)
def test_random_inputs(kernel, shape, in_q, beta) -> None:
    rng = np.random.default_rng(zlib.crc32(repr((shape, in_q, beta)).encode()))
    xs = rng.integers(-128, 127, size=(16, *shape), endpoint=True, dtype=np.int8)
    check(kernel, shape, in_q, beta, xs)


@pytest.mark.parametrize("scale", [0.05, 0.1, 0.2])
def test_realistic_logits(kernel, scale) -> None:
    """Classifier-like rows: one or two clear winners, the rest spread below them."""
    rng = np.random.default_rng(7)
    logits = rng.normal(0, 2, size=(32, 1, 10))
    logits[:, 0, 3] += 6
    logits[:, 0, 7] += rng.uniform(0, 6, size=32)
    xs = np.clip(np.round(logits / scale) - 10, -128, 127).astype(np.int8)
    out = check(kernel, (1, 10), (scale, -10), 1.0, xs)
    assert len(np.unique(out)) > 20


def test_edge_rows(kernel) -> None:
    xs = np.array([[[0] * 10], [[127] * 10], [[-128] * 10], [[-128] * 9 + [127]],
                   [[127, -128] * 5]], dtype=np.int8)
    check(kernel, (1, 10), (0.1, 0), 1.0, xs)


def test_output_quantization_must_be_tflm_s() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 10), scale=0.1, zero_point=0)
    y = b.tensor("y", (1, 10), scale=1 / 128, zero_point=0)
    b.op("SOFTMAX", [x], [y], beta=1.0)
    b.output(y)
    graph = import_model(b.build())
    assert "1/256" in check_softmax(graph, graph.ops[0])


def test_report_figures() -> None:
    graph = import_model(softmax_model((1, 10), (0.1, 0), 1.0))
    layer = lower(graph, graph.ops[0])
    assert layer.macc == 150  # as ST reports a 10-class softmax
    assert layer.c_type == "Nonlinearity" and layer.scratch_bytes == 0
    assert layer.params == {"rows": 1, "depth": 10}


@pytest.mark.parametrize("shape,scale,beta", [((1, 10), 0.0005, 1.0), ((1, 4, 37), 0.0002, 1.0),
                                              ((1, 3, 200), 0.001, 0.5)])
def test_16x8_bit_exact(shape, scale: float, beta: float, tmp_path) -> None:
    """edgeai_softmax_s16 (TFLM's int16 exp and reciprocal tables, built in float32) under
    ASan/UBSan against tflite-micro, on uniform and peaked rows."""
    b = ModelBuilder()
    x = b.input("x", shape, scale=scale, zero_point=0, dtype=np.int16)
    y = b.tensor("y", shape, scale=1 / 32768, zero_point=0, dtype=np.int16)
    b.op("SOFTMAX", [x], [y], beta=beta)
    b.output(y)
    rng = np.random.default_rng(shape[-1])
    uniform = rng.integers(-32768, 32767, size=(6, *shape[1:]), endpoint=True)
    peaked = np.clip(rng.normal(0, 3000, size=(6, *shape[1:])), -32768, 32767)
    xs = np.concatenate([uniform, peaked]).astype(np.int16)
    outputs = assert_bit_exact(b.build(), [xs], tmp_path)
    assert len(np.unique(outputs[0])) > 20
