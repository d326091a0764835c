"""FULLY_CONNECTED: the generated layer + C kernel against the tflite-micro interpreter.

Each case builds a one-op int8 model, lowers it with the codegen family, runs the C kernel
(portable path, and the DSP path with emulated SXTB16/SMLAD) through ctypes and compares
every output with TFLite Micro, bit for bit.
"""

from __future__ import annotations

import ctypes
import subprocess
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_bit_exact
from support.mixed_multipliers import IN_SCALE, OUT_SCALE, mixed_bias, mixed_weights
from support.models import MLPERF
from support.reference import run_tflm
from support.s16 import assert_not_saturated, int16_input
from support.tflite_builder import ModelBuilder, bias_for, quantize_weights

from edgeai_tool.codegen.layers import lower
from edgeai_tool.codegen.layers.base import ArrayRef, LayerCode
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.quant import f32, multiply_by_quantized_multiplier, quantize_multiplier

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"
I32 = ctypes.c_int32
P8 = ctypes.POINTER(ctypes.c_int8)
P32 = ctypes.POINTER(ctypes.c_int32)


class FcParams(ctypes.Structure):
    _fields_ = [("batches", I32), ("in_depth", I32), ("out_depth", I32), ("per_channel", I32)]


class FcData(ctypes.Structure):
    _fields_ = [("weights", P8), ("bias", P32), ("requant", P32), ("output_offset", I32),
                ("act_min", I32), ("act_max", I32), ("rq_fast", I32)]


@dataclass(frozen=True)
class Kernel:
    """The compiled runtime of one path, and the weight format its tests lower to."""

    library: ctypes.CDLL
    wide: bool

    def __call__(self, layer: LayerCode, *args):
        function = getattr(self.library, layer.kernel)
        function.restype = I32
        return function(*args)


@pytest.fixture(scope="module", params=["portable", "dsp", "portable-w16", "dsp-w16"])
def kernel(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Kernel:
    """Each path (portable C, emulated DSP) with int8 weights, and with int16 weights."""
    flags = ["-DEDGEAI_EMULATE_DSP"] if request.param.startswith("dsp") else []
    lib = tmp_path_factory.mktemp(request.param) / "libfc.so"
    subprocess.run(["gcc", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror", "-fPIC", "-shared",
                    *flags, "-I", str(RUNTIME), str(RUNTIME / "edgeai_fully_connected.c"),
                    "-o", str(lib)], check=True)
    return Kernel(ctypes.CDLL(str(lib)), request.param.endswith("w16"))


def run_layer(kernel: Kernel, layer: LayerCode, x: np.ndarray, out_size: int) -> np.ndarray:
    arrays = {a.name: np.ascontiguousarray(a.values) for a in layer.arrays}

    def field(value, ctype):
        if isinstance(value, ArrayRef):
            return arrays[value.name].ctypes.data_as(ctype)
        return value

    data = FcData(**{name: field(v, t) for (name, t), v in
                     zip(FcData._fields_, layer.data.values(), strict=True)})
    params = FcParams(**layer.params)
    x = np.ascontiguousarray(x, dtype=np.int8)
    y = np.zeros(out_size, dtype=np.int8)
    status = kernel(layer, ctypes.byref(params), ctypes.byref(data), x.ctypes.data_as(P8),
                    y.ctypes.data_as(P8))
    assert status == 0
    return y


def fc_model(rng: np.random.Generator, in_shape: tuple[int, ...], out_depth: int, *,
             per_channel: bool = False, bias: bool = True, keep_num_dims: bool = False,
             activation: str = "NONE", in_zp: int = -7, out_scale: float | None = None,
             out_zp: int = 5) -> bytes:
    in_depth = in_shape[-1]
    batches = int(np.prod(in_shape)) // in_depth
    in_scale = 0.05
    w_float = rng.normal(0, 1 / np.sqrt(in_depth), size=(out_depth, in_depth))
    wq, ws = quantize_weights(w_float, per_channel=per_channel)
    if out_scale is None:  # outputs mostly in range: std of the real output ~ 2.2
        out_scale = 6.0 * 2.2 / 255
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=in_scale, zero_point=in_zp)
    w = b.const("w", wq, scale=ws if per_channel else float(ws[0]), zero_point=0)
    inputs = [x, w]
    if bias:
        bq, bs = bias_for(rng.normal(0, 0.5, size=out_depth), in_scale, ws)
        inputs.append(b.const("b", bq, scale=bs if per_channel else float(bs[0])))
    out_shape = (*in_shape[:-1], out_depth) if keep_num_dims else (batches, out_depth)
    y = b.tensor("y", out_shape, scale=out_scale, zero_point=out_zp)
    b.op("FULLY_CONNECTED", inputs, [y], fused_activation_function=activation,
         keep_num_dims=keep_num_dims)
    b.output(y)
    return b.build()


def check_bit_exact(kernel, model: bytes, rng: np.random.Generator, samples: int = 8) -> None:
    graph = import_model(model)
    op = graph.ops[0]
    layer = lower(graph, op, wide_weights=kernel.wide)
    x_tensor = graph.tensor(op.inputs[0])
    y_tensor = graph.tensor(op.outputs[0])
    xs = rng.integers(-128, 127, size=(samples, *x_tensor.shape), endpoint=True, dtype=np.int8)
    expected = run_tflm(model, [xs])[0].reshape(samples, -1)
    for x, want in zip(xs, expected, strict=True):
        got = run_layer(kernel, layer, x, y_tensor.size)
        np.testing.assert_array_equal(got, want)


CASES = [
    dict(in_shape=(1, 16), out_depth=8),
    dict(in_shape=(1, 256), out_depth=128),
    dict(in_shape=(1, 37), out_depth=13),  # tails in both the depth and the row blocks
    dict(in_shape=(1, 3), out_depth=1),
    dict(in_shape=(1, 64), out_depth=10, per_channel=True),
    dict(in_shape=(1, 33), out_depth=7, per_channel=True, bias=False),
    dict(in_shape=(1, 40), out_depth=12, bias=False, in_zp=0),
    dict(in_shape=(1, 4, 4, 16), out_depth=10),  # rank-4 input flattened
    dict(in_shape=(3, 20), out_depth=6),  # several batches
    dict(in_shape=(1, 5, 24), out_depth=9, keep_num_dims=True),
    dict(in_shape=(1, 50), out_depth=20, activation="RELU"),
    dict(in_shape=(1, 50), out_depth=20, activation="RELU6", out_scale=0.03),
    dict(in_shape=(1, 50), out_depth=20, activation="RELU_N1_TO_1", out_scale=0.01, out_zp=0),
    dict(in_shape=(1, 128), out_depth=16, out_scale=0.005),  # saturating outputs
    dict(in_shape=(1, 128), out_depth=16, out_scale=2.0, per_channel=True),  # left shift
    dict(in_shape=(1, 200), out_depth=33, in_zp=-128, out_zp=-128),
    # the kernel's groups of 4 rows and blocks of 8 depths: one block, an even and an odd
    # number of blocks, blocks plus a tail of 4 or 1, a tail alone; 1 to 3 rows left over
    dict(in_shape=(1, 8), out_depth=4),
    dict(in_shape=(1, 16), out_depth=5, per_channel=True),
    dict(in_shape=(1, 24), out_depth=6),
    dict(in_shape=(1, 44), out_depth=7, per_channel=True),
    dict(in_shape=(1, 41), out_depth=8),
    dict(in_shape=(1, 7), out_depth=11, per_channel=True),
    dict(in_shape=(2, 3, 40), out_depth=12, keep_num_dims=True, per_channel=True),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_bit_exact_against_tflm(kernel, case: dict) -> None:
    rng = np.random.default_rng(zlib.crc32(repr(sorted(case.items())).encode()))
    check_bit_exact(kernel, fc_model(rng, **case), rng)


@pytest.mark.parametrize("shape", [(1, 64, 10), (2, 37, 13)])
def test_multipliers_above_and_below_one_per_channel(kernel, shape) -> None:
    """Odd rows left-shift (multiplier in (1, 4)), even rows right-shift; the DSP path's
    four-row blocks and its tail rows both see both."""
    batches, in_depth, out_depth = shape
    rng = np.random.default_rng(in_depth)
    wq, ws = mixed_weights(rng, out_depth, in_depth)
    bq, bs = mixed_bias(rng, ws)
    b = ModelBuilder()
    x = b.input("x", (batches, in_depth), scale=IN_SCALE, zero_point=-6)
    w = b.const("w", wq, scale=ws, zero_point=0)
    bias = b.const("b", bq, scale=bs)
    y = b.tensor("y", (batches, out_depth), scale=OUT_SCALE, zero_point=3)
    b.op("FULLY_CONNECTED", [x, w, bias], [y])
    b.output(y)
    model = b.build()
    graph = import_model(model)
    records = lower(graph, graph.ops[0]).arrays[2].values.reshape(out_depth, -1)
    right_shifts = records[:, 1]  # {multiplier, -shift} (edgeai_requantize.h)
    assert (right_shifts[1::2] < 0).all() and (right_shifts[0::2] > 0).all()
    check_bit_exact(kernel, model, rng, samples=16)


def extreme_model(rng: np.random.Generator, in_depth: int, out_depth: int,
                  per_channel: bool) -> bytes:
    """Weights only -128 and 127 over a long row: the kernel's per-pair sum S (header of
    edgeai_fully_connected.h) wraps around int32 many times, and must still come out exact."""
    b = ModelBuilder()
    x = b.input("x", (1, in_depth), scale=0.05, zero_point=3)
    wq = rng.choice(np.array([-128, 127], np.int8), size=(out_depth, in_depth))
    scales = np.full(out_depth, 1e-3) if per_channel else np.array([1e-3])
    w = b.const("w", wq, scale=scales if per_channel else float(scales[0]), zero_point=0)
    bq, bs = bias_for(rng.normal(0, 0.5, out_depth), 0.05, scales)
    bias = b.const("b", bq, scale=bs if per_channel else float(bs[0]))
    y = b.tensor("y", (1, out_depth), scale=0.6, zero_point=-2)
    b.op("FULLY_CONNECTED", [x, w, bias], [y])
    b.output(y)
    return b.build()


@pytest.mark.parametrize("per_channel", [False, True])
def test_extreme_weights_over_a_long_row(kernel, per_channel: bool) -> None:
    rng = np.random.default_rng(640)
    check_bit_exact(kernel, extreme_model(rng, 640, 10, per_channel), rng, samples=4)


@pytest.mark.parametrize("multiplier, fast", [(0.35, 1), (0.7, 0)])
def test_fast_and_exact_requantization(kernel, multiplier: float, fast: int) -> None:
    """A multiplier below 1/2 (a right shift: the fast form, proven exact) and one in
    [1/2, 1) (no right shift: the exact form) on the grouped rows and the last rows; sparse
    weights keep the outputs in range."""
    rng = np.random.default_rng(int(fast))
    b = ModelBuilder()
    x = b.input("x", (1, 48), scale=0.05, zero_point=-7)
    weights = rng.choice(np.array([-1, 1] + [0] * 10, np.int8), size=(10, 48))
    w = b.const("w", weights, scale=0.0017, zero_point=0)
    y = b.tensor("y", (1, 10), scale=0.05 * 0.0017 / multiplier, zero_point=4)
    b.op("FULLY_CONNECTED", [x, w], [y])
    b.output(y)
    model = b.build()
    graph = import_model(model)
    assert lower(graph, graph.ops[0]).data["rq_fast"] == fast
    check_bit_exact(kernel, model, rng, samples=16)


def test_outputs_are_not_degenerate() -> None:
    """The default output scale keeps most outputs off the clamps, so the test has teeth."""
    rng = np.random.default_rng(1)
    model = fc_model(rng, (1, 256), 128)
    xs = rng.integers(-128, 127, size=(4, 1, 256), endpoint=True, dtype=np.int8)
    y = run_tflm(model, [xs])[0]
    assert np.mean((y > -128) & (y < 127)) > 0.9
    assert len(np.unique(y)) > 100


def test_mlperf_anomaly_detection_model(kernel) -> None:
    """All ten FULLY_CONNECTED layers of MLPerf Tiny AD, chained, against TFLM's output."""
    model = (MLPERF / "ad01_int8.tflite").read_bytes()
    graph = import_model(model)
    assert [op.kind for op in graph.ops] == ["FULLY_CONNECTED"] * 10
    layers = [lower(graph, op, wide_weights=kernel.wide) for op in graph.ops]
    rng = np.random.default_rng(2024)
    in_shape = graph.tensor(graph.inputs[0]).shape
    xs = rng.integers(-128, 127, size=(16, *in_shape), endpoint=True, dtype=np.int8)
    expected = run_tflm(model, [xs])[0]
    for x, want in zip(xs, expected, strict=True):
        value = x.reshape(-1)
        for op, layer in zip(graph.ops, layers, strict=True):
            value = run_layer(kernel, layer, value, graph.tensor(op.outputs[0]).size)
        np.testing.assert_array_equal(value, want.reshape(-1))


def _tie_accumulators(real: float, multipliers: list[tuple[int, int]]) -> list[int]:
    """Accumulators near half-way outputs on which the candidate multipliers disagree."""
    found = []
    for k in range(-120, 120):
        centre = round((k + 0.5) / real)
        for acc in range(centre - 30, centre + 31):
            if len({multiply_by_quantized_multiplier(acc, m, s) for m, s in multipliers}) > 1:
                found.append(acc)
    return found


@pytest.mark.parametrize("scales", [(0.1, 0.1, 900.0), (0.0235, 0.0031, 7.0),
                                    (0.0117, 0.00043, 0.9)])
def test_per_tensor_multiplier_precision(kernel, scales) -> None:
    """Accumulators (set through the bias) where a float32 scale product would round
    differently from the double product: TFLM uses the double one."""
    si, sw, so = (float(np.float32(v)) for v in scales)
    float32_product = quantize_multiplier(f32(np.float32(si) * np.float32(sw)) / so)
    double_product = quantize_multiplier(si * sw / so)
    accs = _tie_accumulators(si * sw / so, [float32_product, double_product])
    assert len(accs) >= 8
    b = ModelBuilder()
    x = b.input("x", (1, 1), scale=si, zero_point=0)
    w = b.const("w", np.zeros((len(accs), 1), np.int8), scale=sw, zero_point=0)
    bias = b.const("b", np.array(accs, np.int32), scale=float(np.float32(si) * np.float32(sw)))
    y = b.tensor("y", (1, len(accs)), scale=so, zero_point=0)
    b.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function="NONE")
    b.output(y)
    check_bit_exact(kernel, b.build(), np.random.default_rng(0), samples=1)


def test_per_tensor_weights_with_a_bias_scale_per_output(tmp_path) -> None:
    """Per-tensor weights, but the bias written with one (equal) scale per output: TFLM reads
    the first; the support check used to fail on it with an AssertionError."""
    rng = np.random.default_rng(3)
    b = ModelBuilder()
    x = b.input("x", (1, 20), scale=0.05, zero_point=-7)
    wq, ws = quantize_weights(rng.normal(0, 0.2, size=(6, 20)), per_channel=False)
    w = b.const("w", wq, scale=float(ws[0]), zero_point=0)
    bq, bs = bias_for(rng.normal(0, 0.5, size=6), 0.05, ws)
    bias = b.const("b", bq, scale=bs, zero_point=0)  # six scales
    y = b.tensor("y", (1, 6), scale=0.03, zero_point=2)
    b.op("FULLY_CONNECTED", [x, w, bias], [y])
    b.output(y)
    xs = rng.integers(-128, 128, size=(32, 20), dtype=np.int8)
    assert_bit_exact(b.build(), [xs], tmp_path)


S16_CASES = [
    dict(in_shape=(1, 64), units=16),
    dict(in_shape=(1, 37), units=13, per_channel=True),
    dict(in_shape=(1, 3, 20), units=6, keep_num_dims=True),  # several rows
    dict(in_shape=(1, 4, 4, 8), units=10, keep_num_dims=True),
    dict(in_shape=(1, 50), units=20, activation="RELU"),
    dict(in_shape=(1, 50), units=20, bias=False),
    dict(in_shape=(1, 300), units=5, per_channel=True, activation="RELU_N1_TO_1"),
]


def fc_s16_model(rng: np.random.Generator, in_shape: tuple[int, ...], units: int,
                 per_channel: bool = False, activation: str = "NONE", bias: bool = True,
                 keep_num_dims: bool = False) -> tuple[bytes, np.ndarray]:
    """One 16x8 FULLY_CONNECTED (int16 in and out, int8 weights, int64 bias) and inputs."""
    b = ModelBuilder()
    x, xs = int16_input(b, in_shape, rng, samples=16)
    wq, ws = quantize_weights(rng.normal(0, 1 / np.sqrt(in_shape[-1]), (units, in_shape[-1])),
                              per_channel=per_channel)
    w = b.const("w", wq, scale=ws if per_channel else float(ws[0]), zero_point=0)
    inputs = [x, w]
    if bias:
        bq, bs = bias_for(rng.normal(0, 0.3, units), x.scale, ws, np.int64)
        inputs.append(b.const("b", bq, scale=bs if per_channel else float(bs[0])))
    rows = int(np.prod(in_shape)) // in_shape[-1]
    out_shape = (*in_shape[:-1], units) if keep_num_dims else (rows, units)
    y = b.tensor("y", out_shape, scale=5.0 / 32767, zero_point=0,
                 dtype=np.int16)
    b.op("FULLY_CONNECTED", inputs, [y], fused_activation_function=activation,
         keep_num_dims=keep_num_dims)
    b.output(y)
    return b.build(), xs


@pytest.mark.parametrize("case", S16_CASES,
                         ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_16x8_bit_exact_against_tflm(case: dict, tmp_path) -> None:
    """int16 activations, int8 weights, int64 bias: the generated network (ASan/UBSan) on
    random inputs, outputs mostly inside the int16 range."""
    rng = np.random.default_rng(zlib.crc32(repr(sorted(case.items())).encode()))
    model, xs = fc_s16_model(rng, **case)
    outputs = assert_bit_exact(model, [xs], tmp_path)
    if case.get("activation", "NONE") == "NONE":
        assert_not_saturated(outputs[0])


@pytest.mark.parametrize("bias_kind", ["int32", "none-int32"])
def test_16x8_int32_accumulator_bit_exact(bias_kind: str, tmp_path) -> None:
    """An int32 bias (or none, with quantized_bias_type INT32) makes TFLM accumulate in int32
    and requantize with the 32-bit multiplier: the same here."""
    rng = np.random.default_rng(32)
    b = ModelBuilder()
    x, xs = int16_input(b, (1, 40), rng, samples=16)
    wq, ws = quantize_weights(rng.normal(0, 1 / np.sqrt(40), (12, 40)), per_channel=True)
    inputs = [x, b.const("w", wq, scale=ws, zero_point=0)]
    options = {}
    if bias_kind == "int32":
        bq, bs = bias_for(rng.normal(0, 0.3, 12), x.scale, ws, np.int32)
        inputs.append(b.const("b", bq, scale=bs))
    else:
        options["quantized_bias_type"] = "INT32"
    y = b.tensor("y", (1, 12), scale=5.0 / 32767, zero_point=0, dtype=np.int16)
    b.op("FULLY_CONNECTED", inputs, [y], **options)
    b.output(y)
    model = b.build()
    graph = import_model(model)
    assert lower(graph, graph.ops[0]).data["int32_accumulator"] == 1
    outputs = assert_bit_exact(model, [xs], tmp_path)
    assert_not_saturated(outputs[0])


def test_16x8_refuses_an_int8_bias() -> None:
    rng = np.random.default_rng(5)
    b = ModelBuilder()
    x, _ = int16_input(b, (1, 8), rng)
    w = b.const("w", np.ones((4, 8), np.int8), scale=0.01, zero_point=0)
    bias = b.const("b", np.zeros(4, np.int8), scale=x.scale * 0.01)
    y = b.tensor("y", (1, 4), scale=0.001, zero_point=0, dtype=np.int16)
    b.op("FULLY_CONNECTED", [x, w, bias], [y])
    b.output(y)
    graph = import_model(b.build())
    with pytest.raises(EdgeAIError, match="bias must be a constant int64 or int32 tensor with "
                                          "int16 activations"):
        lower(graph, graph.ops[0])
