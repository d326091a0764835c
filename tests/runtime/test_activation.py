"""LOGISTIC, TANH, RELU, RELU6, LEAKY_RELU, HARD_SWISH: every int8 input against tflite-micro.

An int8 activation has 256 possible inputs, so one run of a (1, 256) model on all of them
checks the whole lookup table; the C kernel is then run on the same input with that table.
"""

from __future__ import annotations

import ctypes
import subprocess
from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_bit_exact
from support.reference import run_tflm
from support.tflite_builder import ModelBuilder

from edgeai_tool.codegen.layers import lower
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ops import supported_ops
from edgeai_tool.ops.activation import SUPPORT

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"
ALL_INT8 = np.arange(-128, 128, dtype=np.int8).reshape(1, 256)
CHECKS = {entry.kind: entry.check for entry in SUPPORT}
P8 = ctypes.POINTER(ctypes.c_int8)


class LutParams(ctypes.Structure):
    _fields_ = [("size", ctypes.c_int32)]


class LutData(ctypes.Structure):
    _fields_ = [("lut", P8)]


@pytest.fixture(scope="module")
def lut_kernel(tmp_path_factory: pytest.TempPathFactory):
    lib = tmp_path_factory.mktemp("lut") / "liblut.so"
    subprocess.run(["gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
                    "-I", str(RUNTIME), str(RUNTIME / "edgeai_activation.c"), "-o", str(lib)],
                   check=True)
    function = ctypes.CDLL(str(lib)).edgeai_lut_s8
    function.restype = ctypes.c_int32
    return function


def activation_model(kind: str, in_q: tuple[float, int], out_q: tuple[float, int],
                     shape: tuple[int, ...] = (1, 256), **options) -> bytes:
    b = ModelBuilder()
    x = b.input("x", shape, scale=in_q[0], zero_point=in_q[1])
    y = b.tensor("y", shape, scale=out_q[0], zero_point=out_q[1])
    b.op(kind, [x], [y], **options)
    b.output(y)
    return b.build()


def check_all_inputs(lut_kernel, kind: str, in_q: tuple[float, int], out_q: tuple[float, int],
                     **options) -> np.ndarray:
    model = activation_model(kind, in_q, out_q, **options)
    graph = import_model(model)
    op = graph.ops[0]
    layer = lower(graph, op)
    expected = run_tflm(model, [ALL_INT8])[0].reshape(-1)
    lut = np.ascontiguousarray(layer.arrays[0].values)
    np.testing.assert_array_equal(lut[ALL_INT8.reshape(-1).view(np.uint8)], expected)
    output = np.zeros(256, dtype=np.int8)
    x = np.ascontiguousarray(ALL_INT8.reshape(-1))
    status = lut_kernel(ctypes.byref(LutParams(**layer.params)),
                        ctypes.byref(LutData(lut.ctypes.data_as(P8))),
                        x.ctypes.data_as(P8), output.ctypes.data_as(P8))
    assert status == 0
    np.testing.assert_array_equal(output, expected)
    return expected


INPUT_QUANTS = [(0.0235, -3), (0.1, 0), (0.0039, 127), (0.5, -100), (0.0625, 20), (1.7, -128),
                (0.000732, 5), (0.05, 100)]


@pytest.mark.parametrize("in_q", INPUT_QUANTS)
def test_logistic(lut_kernel, in_q) -> None:
    out = check_all_inputs(lut_kernel, "LOGISTIC", in_q, (1 / 256, -128))
    assert len(np.unique(out)) > 1


@pytest.mark.parametrize("in_q", INPUT_QUANTS)
def test_tanh(lut_kernel, in_q) -> None:
    out = check_all_inputs(lut_kernel, "TANH", in_q, (1 / 128, 0))
    assert len(np.unique(out)) > 1


@pytest.mark.parametrize("in_q", INPUT_QUANTS)
@pytest.mark.parametrize("out_q", [(0.02, -128), (0.1, 3), (0.0117, -50)])
def test_relu(lut_kernel, in_q, out_q) -> None:
    check_all_inputs(lut_kernel, "RELU", in_q, out_q)


@pytest.mark.parametrize("in_q", INPUT_QUANTS)
def test_relu6(lut_kernel, in_q) -> None:
    check_all_inputs(lut_kernel, "RELU6", in_q, in_q)


@pytest.mark.parametrize("in_q", INPUT_QUANTS[:5])
@pytest.mark.parametrize("alpha", [0.2, 0.01, 0.3333, 1.5, -0.25])
def test_leaky_relu(lut_kernel, in_q, alpha) -> None:
    out_q = (in_q[0] * 1.3, -20)
    check_all_inputs(lut_kernel, "LEAKY_RELU", in_q, out_q, alpha=alpha)


@pytest.mark.parametrize("in_q", INPUT_QUANTS)
@pytest.mark.parametrize("out_ratio", [1.0, 0.7, 3.0, 40.0])
def test_hard_swish(lut_kernel, in_q, out_ratio) -> None:
    out_q = (in_q[0] * out_ratio, -90)
    check_all_inputs(lut_kernel, "HARD_SWISH", in_q, out_q)


def test_hard_swish_refuses_what_tflm_refuses() -> None:
    model = activation_model("HARD_SWISH", (0.5, 0), (0.001, 0))
    graph = import_model(model)
    assert "output scale" in CHECKS["HARD_SWISH"](graph, graph.ops[0])


def test_logistic_needs_output_zero_point_minus_128() -> None:
    graph = import_model(activation_model("LOGISTIC", (0.1, 0), (1 / 256, 0)))
    assert "-128" in CHECKS["LOGISTIC"](graph, graph.ops[0])


def test_lowering_shape_and_report_figures() -> None:
    graph = import_model(activation_model("RELU", (0.1, 0), (0.1, 0), shape=(1, 4, 4, 8)))
    layer = lower(graph, graph.ops[0])
    assert layer.kernel == "edgeai_lut_s8"
    assert layer.params == {"size": 128}
    assert layer.macc == 128 and layer.c_type == "Nonlinearity"
    assert layer.arrays[0].values.shape == (256,) and layer.arrays[0].values.dtype == np.int8


# Scales whose ratio is exact in float32 but not in double: float32 arithmetic rounds the
# half-way outputs differently, so these pin the precision TFLM computes multipliers in.
@pytest.mark.parametrize("in_q,out_q", [((0.0625, 20), (0.1, 3)), ((0.03125, 0), (0.1, -7))])
def test_relu_multiplier_precision(lut_kernel, in_q, out_q) -> None:
    check_all_inputs(lut_kernel, "RELU", in_q, out_q)


@pytest.mark.parametrize("alpha", [0.5, 0.25, 0.2])
def test_leaky_relu_multiplier_precision(lut_kernel, alpha) -> None:
    check_all_inputs(lut_kernel, "LEAKY_RELU", (0.0625, 0), (0.1, 0), alpha=alpha)


@pytest.mark.parametrize("steps", [20, 80, 101])
def test_relu6_six_rounds_in_float32(lut_kernel, steps) -> None:
    scale = float(np.float32(6.0 / (steps + 0.5)))  # 6 / scale is a tie in float32 only
    check_all_inputs(lut_kernel, "RELU6", (scale, -100), (scale, -100))


def test_16x8_leaky_relu_bit_exact(tmp_path) -> None:
    """edgeai_leaky_relu_s16 under ASan/UBSan: small, negative and large alphas, output
    scales below and above the input's, each its own output."""
    b = ModelBuilder()
    x = b.input("x", (1, 7, 9), scale=0.0004, zero_point=0, dtype=np.int16)
    outputs = []
    for k, (alpha, scale) in enumerate(((0.2, 0.0004), (-0.3, 0.0003), (1.5, 0.0011),
                                        (0.01, 0.00013))):
        y = b.tensor(f"y{k}", (1, 7, 9), scale=scale, zero_point=0, dtype=np.int16)
        b.op("LEAKY_RELU", [x], [y], alpha=alpha)
        outputs.append(y)
    b.output(*outputs)
    rng = np.random.default_rng(16)
    xs = rng.integers(-32768, 32767, size=(16, 7, 9), endpoint=True, dtype=np.int16)
    results = assert_bit_exact(b.build(), [xs], tmp_path)
    assert len(np.unique(results[0])) > 500


@pytest.mark.parametrize("kind", ["LOGISTIC", "TANH"])
@pytest.mark.parametrize("scale", [1 / 4096, 1 / 8192, 0.00037])
def test_16x8_sigmoid_exhaustive(kind: str, scale: float, tmp_path) -> None:
    """edgeai_logistic_s16 / edgeai_tanh_s16 on all 65536 int16 inputs at once, for
    power-of-two input scales (TFLM's shortcut; TANH's x2 shift at 1/8192) and another,
    under ASan/UBSan against tflite-micro."""
    b = ModelBuilder()
    x = b.input("x", (1, 256, 256), scale=scale, zero_point=0, dtype=np.int16)
    y = b.tensor("y", (1, 256, 256), scale=1 / 32768, zero_point=0, dtype=np.int16)
    b.op(kind, [x], [y])
    b.output(y)
    every = np.arange(-32768, 32768, dtype=np.int16).reshape(1, 256, 256)
    results = assert_bit_exact(b.build(), [every], tmp_path)
    assert len(np.unique(results[0])) > 10000


def test_16x8_relu_bit_exact(tmp_path) -> None:
    """edgeai_relu_s16: RELU rescaled up and down, RELU6 in a scale where 6 fits and one
    where it saturates, under ASan/UBSan against tflite-micro."""
    b = ModelBuilder()
    x = b.input("x", (1, 5, 13), scale=0.0004, zero_point=0, dtype=np.int16)
    outputs = []
    for k, (kind, scale) in enumerate((("RELU", 0.0004), ("RELU", 0.00013), ("RELU", 0.0011),
                                       ("RELU6", 0.0004))):
        y = b.tensor(f"y{k}", (1, 5, 13), scale=scale, zero_point=0, dtype=np.int16)
        b.op(kind, [x], [y])
        outputs.append(y)
    x2 = b.input("x2", (1, 5, 13), scale=0.00009, zero_point=0, dtype=np.int16)
    y6 = b.tensor("y6", (1, 5, 13), scale=0.00009, zero_point=0, dtype=np.int16)
    b.op("RELU6", [x2], [y6])
    b.output(*outputs, y6)
    rng = np.random.default_rng(6)
    xs = [rng.integers(-32768, 32767, size=(16, 5, 13), endpoint=True, dtype=np.int16)
          for _ in range(2)]
    results = assert_bit_exact(b.build(), xs, tmp_path)
    assert len(np.unique(results[0])) > 400


def test_16x8_names_what_is_not_supported() -> None:
    """HARD_SWISH stays int8 only (TFLM has no int16 HARD_SWISH): the check says so."""
    b = ModelBuilder()
    x = b.input("x", (1, 8), scale=1 / 4096, zero_point=0, dtype=np.int16)
    y = b.tensor("y", (1, 8), scale=1 / 4096, zero_point=0, dtype=np.int16)
    b.op("HARD_SWISH", [x], [y])
    b.output(y)
    graph = import_model(b.build())
    assert "input type int16 is not supported (int8 only)" in \
        supported_ops()["HARD_SWISH"].check(graph, graph.ops[0])
