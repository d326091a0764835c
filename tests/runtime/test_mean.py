"""MEAN int8: generated C vs tflite-micro, byte for byte, for many axis sets side by side."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from support.bitexact import assert_bit_exact
from support.tflite_builder import ModelBuilder

from edgeai_tool.codegen.layers.mean import mean_multiplier
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ops import supported_ops
from edgeai_tool.ops.mean import resolve_axes
from edgeai_tool.quant import quantize_multiplier

SAMPLES = 64
X_Q = {"scale": 0.05, "zero_point": -3}


def _mean(b: ModelBuilder, x, name: str, axes, keep: bool, scale: float, zero_point: int):
    rank = len(x.shape)
    resolved = resolve_axes(list(axes), rank)
    shape = [1 if d in resolved else n for d, n in enumerate(x.shape)] if keep else \
        [n for d, n in enumerate(x.shape) if d not in resolved]
    y = b.tensor(name, shape, scale=scale, zero_point=zero_point)
    b.op("MEAN", [x, b.const(f"{name}/axis", np.array(axes, np.int32))], [y], keep_dims=keep)
    return y


def samples(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Half uniform int8, half activation-like (post-ReLU, skewed toward the zero point)."""
    uniform = rng.integers(-128, 127, size=(SAMPLES // 2, *shape[1:]), endpoint=True)
    relu = np.clip(X_Q["zero_point"] + np.abs(rng.normal(0, 40, size=(SAMPLES // 2,
                                                                         *shape[1:]))),
                   -128, 127).round()
    return np.concatenate([uniform, relu]).astype(np.int8)


def model_4d() -> bytes:
    b = ModelBuilder()
    x = b.input("x", (1, 7, 6, 16), **X_Q)
    out = [
        _mean(b, x, "gap_keep", [1, 2], True, 0.02, 4),  # global average pooling
        _mean(b, x, "gap", [2, 1], False, 0.05, -3),  # same quantization in and out
        _mean(b, x, "gap_neg", [-3, -2], False, 0.013, 0),
        _mean(b, x, "channels", [-1], False, 0.04, -20),
        _mean(b, x, "height", [1], True, 0.03, 7),
        _mean(b, x, "width_dup", [2, 2, -2], False, 0.5, 100),  # left shift, duplicates
        _mean(b, x, "h_c", [3, 1], False, 0.01, -128),
        _mean(b, x, "all", [0, 1, 2, 3], True, 0.002, 0),
        _mean(b, x, "batch", [0], True, 0.05, -3),  # a size-1 axis: requantize only
        _mean(b, x, "tiny_ratio", [1, 2], True, 0.05 * 2.0 ** 28, 0),  # fold clamped by shift
    ]
    b.output(*out)
    return b.build()


def model_low_rank() -> bytes:
    b = ModelBuilder()
    x3 = b.input("x3", (1, 49, 10), **X_Q)  # e.g. audio frames x features
    x2 = b.input("x2", (1, 40), **X_Q)
    out = [
        _mean(b, x3, "time", [1], False, 0.03, -10),
        _mean(b, x3, "features", [2], True, 0.06, 5),
        _mean(b, x3, "both", [1, 2], False, 0.001, 0),
        _mean(b, x2, "vector", [1], True, 0.02, -3),
    ]
    b.output(*out)
    return b.build()


def test_4d_bit_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(21)
    outputs = assert_bit_exact(model_4d(), [samples(rng, (1, 7, 6, 16))], tmp_path)
    assert len(np.unique(outputs[0])) > 20  # global pooling outputs are not degenerate


def test_low_rank_bit_exact(tmp_path: Path) -> None:
    rng = np.random.default_rng(22)
    assert_bit_exact(model_low_rank(), [samples(rng, (1, 49, 10)), samples(rng, (1, 40))],
                     tmp_path)


def test_multiplier_folds_one_over_n_like_tflm() -> None:
    multiplier, shift = quantize_multiplier(0.05 / 0.02)
    assert mean_multiplier(0.05, 0.02, 42) == ((multiplier << 5) // 42, shift - 5)
    assert mean_multiplier(0.05, 0.02, 1) == (multiplier, shift)
    tiny_m, tiny_s = quantize_multiplier(2.0 ** -28)
    assert mean_multiplier(1.0, 2.0 ** 28, 256) == ((tiny_m << (31 + tiny_s)) // 256, -31)


def test_checks_name_what_is_outside_the_table() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 4, 4, 4), **X_Q)
    y = b.tensor("y", (1, 4), **X_Q)
    b.op("MEAN", [x, b.const("axis", np.array([1, 5], np.int32))], [y], keep_dims=False)
    z = b.tensor("z", (1, 4, 4), **X_Q)
    b.op("MEAN", [x, b.const("axis2", np.array([1], np.int32))], [z], keep_dims=True)
    b.output(y, z)
    graph = import_model(b.build())
    check = supported_ops()["MEAN"].check
    assert "axis [1, 5] is out of range for rank 4" in check(graph, graph.ops[0])
    assert "output shape [1, 4, 4] differs from [1, 1, 4, 4]" in check(graph, graph.ops[1])


def test_16x8_bit_exact(tmp_path: Path) -> None:
    """edgeai_mean_s16: global average, one axis, all axes, rescaled up and down, on int16
    under ASan/UBSan against tflite-micro."""
    b = ModelBuilder()
    q = {"scale": 0.0003, "zero_point": 0, "dtype": np.int16}
    x = b.input("x", (1, 7, 6, 16), **q)
    outputs = []
    for k, (axes, keep, scale) in enumerate((([1, 2], True, 0.0002), ([-1], False, 0.0003),
                                             ([3, 1], False, 0.00011),
                                             ([0, 1, 2, 3], True, 0.00003))):
        rank = len(x.shape)
        resolved = resolve_axes(axes, rank)
        shape = [1 if d in resolved else n for d, n in enumerate(x.shape)] if keep else \
            [n for d, n in enumerate(x.shape) if d not in resolved]
        y = b.tensor(f"y{k}", shape, scale=scale, zero_point=0, dtype=np.int16)
        b.op("MEAN", [x, b.const(f"axis{k}", np.array(axes, np.int32))], [y], keep_dims=keep)
        outputs.append(y)
    b.output(*outputs)
    rng = np.random.default_rng(16)
    xs = rng.integers(-32768, 32767, size=(16, 7, 6, 16), endpoint=True, dtype=np.int16)
    results = assert_bit_exact(b.build(), [xs], tmp_path)
    assert len(np.unique(results[1])) > 100
