"""PACK, UNPACK, SPLIT, SPLIT_V (and SQUEEZE / EXPAND_DIMS on the time axis) against the
tflite-micro interpreter, bit for bit, under ASan/UBSan: raw copies along every axis, with
constant inputs, one output, the most outputs, and a small recurrent-style graph that unpacks
the time steps, works on each and packs them again."""

from __future__ import annotations

import numpy as np
import pytest
from support.bitexact import assert_bit_exact, compile_bytes
from support.tflite_builder import ModelBuilder, add_fully_connected

from edgeai_tool.errors import EdgeAIError

Q = {"scale": 0.04, "zero_point": -6}
RNG = np.random.default_rng(5)


def _samples(*shapes) -> list[np.ndarray]:
    return [RNG.integers(-128, 128, size=(6, *shape[1:]), dtype=np.int8) for shape in shapes]


def _parts(shape, axis: int, sizes) -> list[tuple[int, ...]]:
    return [tuple(size if d == axis % len(shape) else n for d, n in enumerate(shape))
            for size in sizes]


@pytest.mark.parametrize("shape, axis", [((1, 3, 4), 1), ((1, 3, 4), -1), ((1, 2, 3, 2, 2), 0),
                                         ((1, 10), 1), ((1, 2, 3, 4), 2), ((1, 1), 1)])
def test_unpack(shape, axis, tmp_path):
    b = ModelBuilder()
    x = b.input("x", shape, **Q)
    count = shape[axis]
    out_shape = tuple(n for d, n in enumerate(shape) if d != axis % len(shape))
    outputs = [b.tensor(f"y{k}", out_shape, **Q) for k in range(count)]
    b.op("UNPACK", [x], outputs, num=count, axis=axis)
    if out_shape and out_shape[0] == 1:
        b.output(*outputs)
        assert_bit_exact(b.build(), _samples(shape), tmp_path)
    else:  # the outputs lost the batch axis: give them back a batch of one
        finals = []
        for k, y in enumerate(outputs):
            z = b.tensor(f"z{k}", (1, *out_shape), **Q)
            b.op("EXPAND_DIMS", [y, b.const(f"a{k}", np.array(0, np.int32))], [z])
            finals.append(z)
        b.output(*finals)
        assert_bit_exact(b.build(), _samples(shape), tmp_path)


@pytest.mark.parametrize("kind, shape, axis, sizes", [
    ("SPLIT", (1, 6, 4), 1, [2, 2, 2]),
    ("SPLIT", (1, 6, 4), -1, [2, 2]),
    ("SPLIT", (1, 8), 1, [8]),
    ("SPLIT", (1, 20), 1, [2] * 10),
    ("SPLIT_V", (1, 7, 3), 1, [1, 4, 2]),
    ("SPLIT_V", (1, 2, 3, 9), 3, [5, 4]),
    ("SPLIT_V", (1, 2, 3, 2, 5), -1, [1, 1, 3]),
])
def test_split(kind, shape, axis, sizes, tmp_path):
    b = ModelBuilder()
    x = b.input("x", shape, **Q)
    outputs = [b.tensor(f"y{k}", part, scale=0.04 * (k + 1), zero_point=k)
               for k, part in enumerate(_parts(shape, axis, sizes))]
    axis_tensor = b.const("axis", np.array([axis], np.int32))
    if kind == "SPLIT":
        b.op("SPLIT", [axis_tensor, x], outputs, num_splits=len(sizes))
    else:
        b.op("SPLIT_V", [x, b.const("sizes", sizes), axis_tensor], outputs,
             num_splits=len(sizes))
    b.output(*outputs)
    assert_bit_exact(b.build(), _samples(shape), tmp_path)


@pytest.mark.parametrize("shape, axis, count", [((1, 4), 1, 3), ((1, 4), 0, 1),
                                                ((1, 2, 3), 2, 10), ((1, 2, 3, 2), -1, 2)])
def test_pack(shape, axis, count, tmp_path):
    b = ModelBuilder()
    inputs = [b.input(f"x{k}", shape, **Q) for k in range(count)]
    rank = len(shape) + 1
    axis_n = axis % rank
    out_shape = (*shape[:axis_n], count, *shape[axis_n:])
    y = b.tensor("y", out_shape, **Q)
    b.op("PACK", inputs, [y], values_count=count, axis=axis)
    if out_shape[0] != 1:
        z = b.tensor("z", (1, *out_shape), **Q)
        b.op("EXPAND_DIMS", [y, b.const("a", np.array(0, np.int32))], [z])
        y = z
    b.output(y)
    assert_bit_exact(b.build(), _samples(*[shape] * count), tmp_path)


def test_pack_with_a_constant_input(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 5), **Q)
    c = b.const("c", RNG.integers(-128, 128, size=(1, 5), dtype=np.int8), **Q)
    y = b.tensor("y", (1, 2, 5), **Q)
    b.op("PACK", [c, x], [y], values_count=2, axis=1)
    b.output(y)
    assert_bit_exact(b.build(), _samples((1, 5)), tmp_path)


def test_time_steps_unpacked_transformed_and_packed_again(tmp_path):
    """[1, T, F] -> UNPACK along time -> one dense layer per step -> PACK -> SQUEEZE-free
    [1, T, U]; then EXPAND_DIMS / SQUEEZE on the time axis around a SPLIT."""
    steps, features, units = 4, 6, 5
    b = ModelBuilder()
    x = b.input("x", (1, steps, features), **Q)
    frames = [b.tensor(f"frame{t}", (1, features), **Q) for t in range(steps)]
    b.op("UNPACK", [x], frames, num=steps, axis=1)
    calibration = RNG.integers(-128, 128, size=(16, 1, features), dtype=np.int8)
    dense = [add_fully_connected(b, frame, calibration, RNG, units, name=f"dense{t}")[0]
             for t, frame in enumerate(frames)]
    # PACK copies raw values: the steps share one quantization, as the converter gives them
    dense = [dense[0], *(_requantized(b, d, dense[0], t) for t, d in enumerate(dense[1:], 1))]
    packed = b.tensor("packed", (1, steps, units), scale=dense[0].scale,
                      zero_point=dense[0].zero_point)
    b.op("PACK", dense, [packed], values_count=steps, axis=1)
    wide = b.tensor("wide", (1, steps, 1, units), scale=packed.scale,
                    zero_point=packed.zero_point)
    b.op("EXPAND_DIMS", [packed, b.const("axis2", np.array(2, np.int32))], [wide])
    halves = [b.tensor(f"half{k}", (1, steps // 2, 1, units), scale=packed.scale,
                       zero_point=packed.zero_point) for k in range(2)]
    b.op("SPLIT", [b.const("axis1", np.array(1, np.int32)), wide], halves, num_splits=2)
    narrow = b.tensor("narrow", (1, steps // 2, units), scale=packed.scale,
                      zero_point=packed.zero_point)
    b.op("SQUEEZE", [halves[1]], [narrow], squeeze_dims=[2])
    b.output(narrow, halves[0])
    assert_bit_exact(b.build(), _samples((1, steps, features)), tmp_path)


def _requantized(b: ModelBuilder, x, like, index: int):
    y = b.tensor(f"step{index}", x.shape, scale=like.scale, zero_point=like.zero_point)
    b.op("QUANTIZE", [x], [y])
    return y


def test_split_with_a_computed_axis_is_refused(tmp_path):
    b = ModelBuilder()
    axis = b.input("axis", (1,), dtype=np.int32)
    x = b.input("x", (1, 4), **Q)
    outputs = [b.tensor(f"y{k}", (1, 2), **Q) for k in range(2)]
    b.op("SPLIT", [axis, x], outputs, num_splits=2)
    b.output(*outputs)
    with pytest.raises(EdgeAIError, match=r"op 0 \(SPLIT\): axis must be a constant int32"):
        compile_bytes(b.build(), tmp_path)
