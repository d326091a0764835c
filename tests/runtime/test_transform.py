"""TRANSPOSE, STRIDED_SLICE, PAD, PADV2 and CONCATENATION: generated C vs tflite-micro.

Each model holds many variants of the ops side by side (one graph output each), so one
build under ASan/UBSan covers them all; every output is compared byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_bit_exact
from support.tflite_builder import ModelBuilder

from edgeai_tool.codegen.layers.transform import merge_loops
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ops import supported_ops
from edgeai_tool.ops.transform import slice_axis

SAMPLES = 64
Q = {"scale": 0.03, "zero_point": -7}


def samples(rng: np.random.Generator, shape: tuple[int, ...], zero_point: int) -> np.ndarray:
    """Half uniform int8, half activation-like (normal around the zero point)."""
    uniform = rng.integers(-128, 127, size=(SAMPLES // 2, *shape[1:]), endpoint=True)
    normal = np.clip(np.round(rng.normal(zero_point, 25, size=(SAMPLES // 2, *shape[1:]))),
                     -128, 127)
    return np.concatenate([uniform, normal]).astype(np.int8)


def _slice(b: ModelBuilder, x, name: str, begin, end, strides, out_shape, **masks):
    y = b.tensor(name, out_shape, **Q)
    b.op("STRIDED_SLICE", [x, b.const(f"{name}/b", begin), b.const(f"{name}/e", end),
                           b.const(f"{name}/s", strides)], [y], **masks)
    return y


def _transpose(b: ModelBuilder, x, name: str, perm):
    y = b.tensor(name, tuple(x.shape[p] for p in perm), **Q)
    b.op("TRANSPOSE", [x, b.const(f"{name}/perm", perm)], [y])
    return y


def _pad(b: ModelBuilder, x, name: str, pads, value=None, quant=None):
    quant = quant or Q
    shape = tuple(n + p + q for n, (p, q) in zip(x.shape, pads, strict=True))
    y = b.tensor(name, shape, **quant)
    paddings = b.const(f"{name}/paddings", np.array(pads, np.int32))
    if value is None:
        b.op("PAD", [x, paddings], [y])
    else:
        b.op("PADV2", [x, paddings, b.const(f"{name}/v", np.array([value], np.int8), **quant)],
             [y])
    return y


def _concat(b: ModelBuilder, inputs, name: str, axis: int):
    rank = len(inputs[0].shape)
    positive = axis % rank
    shape = list(inputs[0].shape)
    shape[positive] = sum(t.shape[positive] for t in inputs)
    y = b.tensor(name, shape, **Q)
    b.op("CONCATENATION", inputs, [y], axis=axis)
    return y


def model_4d(rng: np.random.Generator) -> tuple[bytes, list[np.ndarray]]:
    b = ModelBuilder()
    x = b.input("x", (1, 6, 5, 8), **Q)
    x2 = b.input("x2", (1, 6, 5, 3), **Q)
    out = []
    # TRANSPOSE: NHWC->NCHW, H<->W, W<->C, identity, a full 3-cycle.
    for k, perm in enumerate(([0, 3, 1, 2], [0, 2, 1, 3], [0, 1, 3, 2], [0, 1, 2, 3],
                              [0, 2, 3, 1])):
        out.append(_transpose(b, x, f"transpose{k}", perm))
    # STRIDED_SLICE
    out.append(_slice(b, x, "crop", [0, 1, 1, 2], [1, 5, 4, 6], [1, 1, 1, 1], (1, 4, 3, 4)))
    out.append(_slice(b, x, "step2", [0, 0, 1, 0], [1, 6, 5, 8], [1, 2, 2, 3], (1, 3, 2, 3)))
    out.append(_slice(b, x, "masks", [0, 3, 2, 5], [1, 3, 4, 0], [1, 1, 1, 1], (1, 3, 2, 3),
                      begin_mask=0b0010, end_mask=0b1000))
    out.append(_slice(b, x, "reverse", [0, -1, 0, -1], [1, -7, 5, -9], [1, -1, 1, -2],
                      (1, 6, 5, 4)))
    out.append(_slice(b, x, "reverse_masks", [0, 4, 0, 0], [1, 0, 0, 0], [1, -2, 1, -1],
                      (1, 2, 5, 8), begin_mask=0b1000, end_mask=0b1100))
    out.append(_slice(b, x, "negative", [0, -4, -3, -6], [1, -1, 5, -1], [1, 1, 2, 2],
                      (1, 3, 2, 3)))
    out.append(_slice(b, x, "clamped", [0, -100, 2, 0], [1, 100, 100, 8], [1, 1, 1, 4],
                      (1, 6, 3, 2)))
    out.append(_slice(b, x, "shrink", [0, 2, 0, 0], [1, 3, 5, 8], [1, 1, 1, 1], (1, 5, 8),
                      shrink_axis_mask=0b0010))
    out.append(_slice(b, x, "shrink_neg", [0, 0, -1, 0], [1, 6, 0, 8], [1, 2, 1, 1], (1, 3, 8),
                      shrink_axis_mask=0b0100))
    out.append(_slice(b, x, "shrink2", [0, 1, 0, 3], [1, 2, 5, 4], [1, 1, -1, 1], (1, 5),
                      shrink_axis_mask=0b1010, begin_mask=0b0100, end_mask=0b0100))
    # PAD / PADV2 (an output quantized differently: TFLM copies raw values)
    out.append(_pad(b, x, "pad_hw", [(0, 0), (1, 1), (2, 0), (0, 0)]))
    out.append(_pad(b, x, "pad_all", [(0, 0), (0, 3), (1, 2), (2, 1)]))
    out.append(_pad(b, x, "pad_c", [(0, 0), (0, 0), (0, 0), (1, 3)],
                    quant={"scale": 0.5, "zero_point": 100}))
    out.append(_pad(b, x, "pad_zero", [(0, 0), (0, 0), (0, 0), (0, 0)]))
    out.append(_pad(b, x, "padv2", [(0, 0), (2, 2), (1, 1), (0, 0)], value=-128))
    out.append(_pad(b, x, "padv2_b", [(0, 0), (0, 1), (3, 0), (1, 0)], value=77))
    # CONCATENATION: channels (two computed inputs, one repeated, and a constant), H, W.
    const = b.const("const", rng.integers(-128, 128, size=(1, 6, 5, 2), dtype=np.int8), **Q)
    out.append(_concat(b, [x, x2, const, x], "concat_c", -1))
    out.append(_concat(b, [x2, x], "concat_c2", 3))
    out.append(_concat(b, [x, x, x], "concat_h", 1))
    out.append(_concat(b, [x, _transpose(b, x, "t_for_concat", [0, 1, 2, 3])], "concat_w", -2))
    out.append(_concat(b, [x], "concat_one", 0))
    b.output(*out)
    return b.build(), [samples(rng, (1, 6, 5, 8), Q["zero_point"]),
                       samples(rng, (1, 6, 5, 3), Q["zero_point"])]


def model_low_rank(rng: np.random.Generator) -> tuple[bytes, list[np.ndarray]]:
    b = ModelBuilder()
    x3 = b.input("x3", (1, 7, 9), **Q)
    x2 = b.input("x2", (1, 20), **Q)
    out = [_transpose(b, x3, "t3", [0, 2, 1]),
           _slice(b, x3, "s3", [0, 6, 1], [1, 0, 9], [1, -3, 2], (1, 2, 4)),
           _slice(b, x2, "s2", [0, -5], [1, 20], [1, 1], (1, 5)),
           _slice(b, x2, "s2_shrink", [0, 4], [1, 5], [1, 1], (1,), shrink_axis_mask=0b10),
           _pad(b, x3, "p3", [(0, 0), (2, 1), (0, 4)]),
           _pad(b, x2, "p2", [(0, 0), (3, 5)], value=0),
           _concat(b, [x2] * 10, "concat10", 1),
           _concat(b, [x3, _transpose(b, _transpose(b, x3, "tt_a", [0, 2, 1]), "tt_b",
                                      [0, 2, 1])], "concat3", -1)]
    b.output(*out)
    return b.build(), [samples(rng, (1, 7, 9), Q["zero_point"]),
                       samples(rng, (1, 20), Q["zero_point"])]


@pytest.mark.parametrize("builder", [model_4d, model_low_rank])
def test_bit_exact_against_tflm(builder, tmp_path: Path) -> None:
    model, inputs = builder(np.random.default_rng(7))
    assert_bit_exact(model, inputs, tmp_path)


def test_slice_axis_resolution_matches_tflm_rules() -> None:
    assert slice_axis(6, -1, -7, -1, False, False, False) == (5, 6)
    assert slice_axis(6, 100, 0, -1, False, False, False) == (5, 5)
    assert slice_axis(6, 2, 0, 1, False, True, False) == (2, 4)
    assert slice_axis(6, 9, 0, 1, False, False, True) == (6, 0)  # TFLM writes nothing
    assert slice_axis(5, 0, 0, -2, True, True, False) == (4, 3)


def test_loops_merge_contiguous_runs() -> None:
    # PAD of [1, 4, 6, 8] into [1, 4, 9, 8] at W offset 1: rows of 48 bytes, 4 of them.
    counts, in_steps, out_steps = merge_loops([1, 4, 6, 8], [192, 48, 8, 1], [288, 72, 8, 1])
    assert counts == [1, 1, 1, 4, 48] and in_steps[-2:] == [48, 1] and out_steps[-2:] == [72, 1]
    assert merge_loops([1], [1], [1])[0] == [1] * 5


def _check(kind: str, build) -> str | None:
    b = ModelBuilder()
    x = b.input("x", (1, 4, 4, 4), **Q)
    y = build(b, x)
    b.output(y)
    graph = import_model(b.build())
    op = next(op for op in graph.ops if op.kind == kind)
    return supported_ops()[kind].check(graph, op)


def test_checks_name_what_is_outside_the_table() -> None:
    def concat_requant(b, x):
        y = b.tensor("y", (1, 4, 4, 8), scale=0.05, zero_point=-7)
        b.op("CONCATENATION", [x, x], [y], axis=3)
        return y

    def concat_relu(b, x):
        y = b.tensor("y", (1, 4, 4, 8), **Q)
        b.op("CONCATENATION", [x, x], [y], axis=3, fused_activation_function="RELU")
        return y

    def concat_many(b, x):
        y = b.tensor("y", (1, 4, 4, 44), **Q)
        b.op("CONCATENATION", [x] * 11, [y], axis=3)
        return y

    def slice_ellipsis(b, x):
        return _slice(b, x, "s", [0, 0, 0, 0], [1, 4, 4, 4], [1, 1, 1, 1], (1, 4, 4, 4),
                      ellipsis_mask=1)

    def slice_new_axis(b, x):
        return _slice(b, x, "s", [0, 0, 0, 0], [1, 4, 4, 4], [1, 1, 1, 1], (1, 4, 4, 4),
                      new_axis_mask=2)

    def slice_zero_stride(b, x):
        return _slice(b, x, "s", [0, 0, 0, 0], [1, 4, 4, 4], [1, 0, 1, 1], (1, 4, 4, 4))

    def slice_wrong_shape(b, x):
        return _slice(b, x, "s", [0, 0, 0, 0], [1, 4, 4, 4], [1, 2, 1, 1], (1, 4, 4, 4))

    def pad_negative(b, x):
        return _pad(b, x, "p", [(0, 0), (-1, 1), (0, 0), (0, 0)])

    def padv2_other_quant(b, x):
        y = b.tensor("p", (1, 6, 4, 4), **Q)
        value = b.const("v", np.array([3], np.int8), scale=0.1, zero_point=3)
        b.op("PADV2", [x, b.const("pads", np.array([[0, 0], [1, 1], [0, 0], [0, 0]],
                                                   np.int32)), value], [y])
        return y

    def transpose_bad_perm(b, x):
        y = b.tensor("t", (1, 4, 4, 4), **Q)
        b.op("TRANSPOSE", [x, b.const("perm", [0, 1, 1, 2])], [y])
        return y

    cases = [
        ("CONCATENATION", concat_requant, "input 0 quantization differs"),
        ("CONCATENATION", concat_relu, "fused activation RELU is not supported"),
        ("CONCATENATION", concat_many, "11 inputs"),
        ("STRIDED_SLICE", slice_ellipsis, "ellipsis_mask 1 is not supported"),
        ("STRIDED_SLICE", slice_new_axis, "new_axis_mask 2 is not supported"),
        ("STRIDED_SLICE", slice_zero_stride, "stride 0 on axis 1"),
        ("STRIDED_SLICE", slice_wrong_shape, "output shape [1, 4, 4, 4] differs from"),
        ("PAD", pad_negative, "negative paddings"),
        ("PADV2", padv2_other_quant, "pad value quantized differently"),
        ("TRANSPOSE", transpose_bad_perm, "perm [0, 1, 1, 2] is not a permutation"),
    ]
    for kind, build, expected in cases:
        reason = _check(kind, build)
        assert reason is not None and expected in reason, (kind, reason)


def s16_moves_model(rng: np.random.Generator) -> bytes:
    """Every data-movement op on int16 tensors (16x8), each result an output: transposes
    (innermost axis moved or kept), slices (negative stride, shrink), PAD, PADV2 with a
    constant, and CONCATENATION with a constant input."""
    q = {"scale": 0.0003, "zero_point": 0, "dtype": np.int16}
    b = ModelBuilder()
    x = b.input("x", (1, 5, 6, 3), **q)

    def out(name: str, shape) -> object:
        return b.tensor(name, shape, **q)

    moved = []
    for name, perm in (("t_inner", [0, 3, 1, 2]), ("t_outer", [0, 2, 1, 3])):
        y = out(name, tuple(x.shape[p] for p in perm))
        b.op("TRANSPOSE", [x, b.const(f"{name}/perm", perm)], [y])
        moved.append(y)
    for name, begin, end, strides, shape, masks in (
            ("s_step", [0, 4, 1, 0], [1, 0, 6, 3], [1, -2, 2, 1], (1, 2, 3, 3), {}),
            ("s_shrink", [0, 1, 0, 2], [1, 4, 6, 3], [1, 1, 1, 1], (1, 3, 6),
             {"shrink_axis_mask": 8})):
        y = out(name, shape)
        b.op("STRIDED_SLICE", [x, b.const(f"{name}/b", begin), b.const(f"{name}/e", end),
                               b.const(f"{name}/s", strides)], [y], **masks)
        moved.append(y)
    pads = np.array([[0, 0], [1, 2], [0, 1], [2, 0]], np.int32)
    padded = out("pad", (1, 8, 7, 5))
    b.op("PAD", [x, b.const("pad/p", pads)], [padded])
    padded2 = out("padv2", (1, 8, 7, 5))
    b.op("PADV2", [x, b.const("padv2/p", pads),
                   b.const("padv2/v", np.array([-1234], np.int16), scale=0.0003)], [padded2])
    constant = b.const("k", rng.integers(-32768, 32767, size=(1, 5, 2, 3), dtype=np.int16),
                       scale=0.0003)
    joined = out("concat", (1, 5, 8, 3))
    b.op("CONCATENATION", [constant, x], [joined], axis=2)
    b.output(*moved, padded, padded2, joined)
    return b.build()


def test_16x8_moves_bit_exact(tmp_path: Path) -> None:
    """TRANSPOSE, STRIDED_SLICE, PAD, PADV2 and CONCATENATION on int16 under ASan/UBSan."""
    rng = np.random.default_rng(16)
    xs = rng.integers(-32768, 32767, size=(8, 5, 6, 3), endpoint=True, dtype=np.int16)
    assert_bit_exact(s16_moves_model(rng), [xs], tmp_path)
