"""QUANTIZE (float32 -> int8, int8 -> int8) and DEQUANTIZE (int8 -> float32): generated C
(float I/O buffers included) vs tflite-micro, byte for byte."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from support.bitexact import assert_bit_exact, compile_bytes
from support.tflite_builder import ModelBuilder

from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ops import supported_ops

SAMPLES = 64
SHAPE = (1, 9, 7, 4)
IN_Q = {"scale": 0.0371, "zero_point": -5}
# int8 -> int8 requantizations: scale down/up (right/left shifts), zero point only, identity,
# extreme ratios.
REQUANT = [
    {"scale": 0.0213, "zero_point": 11},
    {"scale": 0.11, "zero_point": -128},
    {"scale": 0.0371, "zero_point": 40},
    {"scale": 0.0371, "zero_point": -5},
    {"scale": 0.0009, "zero_point": 0},
    {"scale": 9.5, "zero_point": 127},
]


def float_samples(rng: np.random.Generator) -> np.ndarray:
    """Realistic floats, exact half steps (rounding ties) and values far outside the range."""
    scale = np.float32(IN_Q["scale"])
    normal = rng.normal(0, 2.0, size=(SAMPLES - 8, *SHAPE[1:]))
    ties = (rng.integers(-140, 140, size=(4, *SHAPE[1:])) + 0.5) * scale
    uniform = rng.uniform(-6, 6, size=(2, *SHAPE[1:]))
    extreme = rng.choice([-1e6, -50.0, 50.0, 1e6, 0.0, -0.0], size=(2, *SHAPE[1:]))
    return np.concatenate([normal, ties, uniform, extreme]).astype(np.float32)


def float_io_model() -> bytes:
    """float -> QUANTIZE -> (requantizations) -> DEQUANTIZE -> float, every stage an output."""
    b = ModelBuilder()
    x = b.input("x", SHAPE, dtype=np.float32)
    q = b.tensor("q", SHAPE, **IN_Q)
    b.op("QUANTIZE", [x], [q])
    outputs = [q]
    for k, quant in enumerate(REQUANT):
        r = b.tensor(f"r{k}", SHAPE, **quant)
        b.op("QUANTIZE", [q], [r])
        d = b.tensor(f"d{k}", SHAPE, dtype=np.float32)
        b.op("DEQUANTIZE", [r], [d])
        outputs += [r, d]
    b.output(*outputs)
    return b.build()


def int8_io_model() -> bytes:
    """int8 input straight into DEQUANTIZE and requantizations (a 2-D tensor)."""
    b = ModelBuilder()
    x = b.input("x", (1, 300), scale=0.5, zero_point=127)
    d = b.tensor("d", (1, 300), dtype=np.float32)
    b.op("DEQUANTIZE", [x], [d])
    r = b.tensor("r", (1, 300), scale=0.003, zero_point=-100)
    b.op("QUANTIZE", [x], [r])
    b.output(d, r)
    return b.build()


def test_float_io_bit_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    outputs = assert_bit_exact(float_io_model(), [float_samples(rng)], tmp_path)
    assert outputs[0].dtype == np.int8 and outputs[2].dtype == np.float32
    assert len(np.unique(outputs[0])) > 200  # the quantized input spans int8


def test_int8_in_float_out_bit_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    xs = rng.integers(-128, 127, size=(SAMPLES, 300), endpoint=True, dtype=np.int8)
    assert_bit_exact(int8_io_model(), [xs], tmp_path)


def test_float_buffers_in_generated_api(tmp_path: Path) -> None:
    compilation = compile_bytes(float_io_model(), tmp_path)
    header = compilation.files["network.h"]
    assert compilation.network.inputs[0].ctype == "float"
    assert f"AI_NETWORK_IN_1_SIZE_BYTES {4 * int(np.prod(SHAPE))}" in " ".join(header.split())
    kernels = [layer.kernel for layer in compilation.layers]
    assert kernels[0] == "edgeai_quantize_f32_s8"
    assert "edgeai_requantize_s8" in kernels and "edgeai_dequantize_s8_f32" in kernels


def _reason(kind: str, in_dtype, out_dtype, in_q=None, out_q=None) -> str | None:
    b = ModelBuilder()
    x = b.input("x", (1, 8), dtype=in_dtype, **(in_q or {}))
    y = b.tensor("y", (1, 8), dtype=out_dtype, **(out_q or {}))
    b.op(kind, [x], [y])
    b.output(y)
    graph = import_model(b.build())
    return supported_ops()[kind].check(graph, graph.ops[0])


def test_checks_name_what_is_outside_the_table() -> None:
    q = {"scale": 0.1, "zero_point": 0}
    assert "output type int32" in _reason("QUANTIZE", np.float32, np.int32, out_q=q)
    assert "input type int32" in _reason("QUANTIZE", np.int32, np.int8, q, q)
    assert "int16 output zero point 3" in _reason("QUANTIZE", np.float32, np.int16,
                                                  out_q={"scale": 0.1, "zero_point": 3})
    assert "output type int32" in _reason("DEQUANTIZE", np.int8, np.int32, q, q)
    assert "input type uint8" in _reason("DEQUANTIZE", np.uint8, np.float32, in_q=q)
    per_channel = {"scale": [0.1] * 8, "zero_point": 0}
    b = ModelBuilder()
    x = b.input("x", (1, 8), dtype=np.float32)
    y = b.tensor("y", (1, 8), axis=1, **per_channel)
    b.op("QUANTIZE", [x], [y])
    b.output(y)
    graph = import_model(b.build())
    assert "per-channel quantized output" in supported_ops()["QUANTIZE"].check(graph,
                                                                               graph.ops[0])


S16_SCALE = 0.00021  # int16 activations: symmetric, zero point 0


def s16_conversions_model() -> bytes:
    """float32 -> int16 -> {int16 at other scales, int8, float32}, and int8 -> int16: every
    16x8 conversion, each result an output."""
    b = ModelBuilder()
    x = b.input("x", SHAPE, dtype=np.float32)
    q16 = b.tensor("q16", SHAPE, scale=S16_SCALE, zero_point=0, dtype=np.int16)
    b.op("QUANTIZE", [x], [q16])
    outputs = [q16]
    for k, scale in enumerate((0.00005, 0.0011, S16_SCALE)):  # left shift, right, identity
        y = b.tensor(f"r16_{k}", SHAPE, scale=scale, zero_point=0, dtype=np.int16)
        b.op("QUANTIZE", [q16], [y])
        outputs.append(y)
    q8 = b.tensor("q8", SHAPE, scale=0.03, zero_point=-7)
    b.op("QUANTIZE", [q16], [q8])
    back = b.tensor("back16", SHAPE, scale=0.0004, zero_point=0, dtype=np.int16)
    b.op("QUANTIZE", [q8], [back])
    f = b.tensor("f", SHAPE, dtype=np.float32)
    b.op("DEQUANTIZE", [q16], [f])
    outputs += [q8, back, f]
    b.output(*outputs)
    return b.build()


def test_16x8_conversions_bit_exact(tmp_path: Path) -> None:
    """QUANTIZE float32 -> int16, int16 -> int16 / int8, int8 -> int16 and DEQUANTIZE
    int16 -> float32 under ASan/UBSan (ties, saturation and far-out floats included; not
    beyond 2^31 steps, where TFLM's float to int32 cast is undefined)."""
    xs = np.clip(float_samples(np.random.default_rng(16)), -1e5, 1e5)
    outputs = assert_bit_exact(s16_conversions_model(), [xs], tmp_path)
    assert np.mean(np.abs(outputs[0]) == 32767) < 0.05 + 2 / SAMPLES  # few saturate
    assert outputs[-1].dtype == np.float32
