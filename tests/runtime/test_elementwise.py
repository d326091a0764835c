"""ADD, SUB, MUL, MAXIMUM, MINIMUM: generated C vs the tflite-micro interpreter, bit for bit.

Every C compile costs time, so variants share models: one model per op holds every variant
(same shape, broadcast either way or both, lower rank, scalar / per-channel / general
constants on either side, fused activations, very different input scales, a saturating
output) as separate outputs, and runs on 80 samples (uniform and realistic) under
ASan/UBSan. An exhaustive model feeds all 65536 int8 pairs through each op at once
(inputs [1, 256, 1] and [1, 1, 256] broadcast to [1, 256, 256]).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_bit_exact, compile_bytes
from support.reference import run_tflm
from support.s16 import assert_not_saturated
from support.tflite_builder import ModelBuilder, TensorRef, choose_qparams

from edgeai_tool.codegen.layers import lower
from edgeai_tool.codegen.layers.elementwise import (
    LUT_MIN_ELEMENTS,
    broadcast_loops,
    requantize_array,
)
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ops.elementwise import add_real_multipliers, check_elementwise
from edgeai_tool.quant import multiply_by_quantized_multiplier, quantize_multiplier
from edgeai_tool.validate.host import HostNetwork

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"
ARITH = ("ADD", "SUB", "MUL")
MINMAX = ("MAXIMUM", "MINIMUM")
SHAPE = (1, 6, 5, 8)
LARGE = (1, 6, 32, 8)  # >= LUT_MIN_ELEMENTS outputs


def _real_range(t: TensorRef) -> tuple[float, float]:
    return t.scale * (-128 - t.zero_point), t.scale * (127 - t.zero_point)


def output_qparams(kind: str, a: TensorRef, b: TensorRef, activation: str = "NONE",
                   narrow: float = 1.0) -> tuple[float, int]:
    """Output quantization covering every possible result (no saturation), or `narrow` x it."""
    if kind in MINMAX:  # TFLM copies raw values: keep input 1's quantization
        return a.scale, a.zero_point
    (lo1, hi1), (lo2, hi2) = _real_range(a), _real_range(b)
    if kind == "ADD":
        lo, hi = lo1 + lo2, hi1 + hi2
    elif kind == "SUB":
        lo, hi = lo1 - hi2, hi1 - lo2
    else:
        products = [p * q for p in (lo1, hi1) for q in (lo2, hi2)]
        lo, hi = min(products), max(products)
    lo, hi = lo * narrow, hi * narrow
    if activation == "RELU":
        lo = max(lo, 0.0)
    elif activation == "RELU6":
        lo, hi = 0.0, 6.0
    elif activation == "RELU_N1_TO_1":
        lo, hi = -1.0, 1.0
    return choose_qparams(lo, hi)


def add_binary(b: ModelBuilder, kind: str, name: str, x1: TensorRef, x2: TensorRef,
               activation: str = "NONE", narrow: float = 1.0) -> TensorRef:
    shape = np.broadcast_shapes(x1.shape, x2.shape)
    scale, zp = output_qparams(kind, x1, x2, activation, narrow)
    y = b.tensor(f"{name}/out", shape, scale=scale, zero_point=zp)
    if kind in MINMAX:
        b.op(kind, [x1, x2], [y])
    else:
        b.op(kind, [x1, x2], [y], fused_activation_function=activation)
    b.output(y)
    return y


def samples(shape: tuple[int, ...], zero_point: int, rng: np.random.Generator) -> np.ndarray:
    """80 samples: 38 uniform, 40 realistic (normal around the zero point), 2 extremes."""
    per = shape[1:]
    uniform = rng.integers(-128, 127, size=(38, *per), endpoint=True)
    realistic = np.clip(np.round(rng.normal(zero_point, 24, size=(40, *per))), -128, 127)
    extremes = np.stack([np.full(per, -128), np.full(per, 127)])
    return np.concatenate([uniform, realistic, extremes]).astype(np.int8)


def const(b: ModelBuilder, name: str, shape: tuple[int, ...], rng: np.random.Generator,
          scale: float, zero_point: int) -> TensorRef:
    values = rng.integers(-128, 127, size=shape, endpoint=True).astype(np.int8)
    return b.const(name, values, scale=scale, zero_point=zero_point)


def variants_model(rng: np.random.Generator) -> tuple[bytes, list[np.ndarray], list[str]]:
    """Every broadcast/constant/activation/scale variant of every op, one output each.

    Returns the model, 80 samples per input and the outputs' names.
    """
    b = ModelBuilder()
    x = b.input("x", SHAPE, scale=0.05, zero_point=-3)
    y = b.input("y", SHAPE, scale=0.03, zero_point=10)
    r = b.input("r", (1, 6, 1, 8), scale=0.04, zero_point=-20)  # broadcast along W
    c = b.input("c", (1, 1, 5, 1), scale=0.06, zero_point=4)  # along H and C
    v = b.input("v", (1, 8), scale=0.02, zero_point=0)  # rank 2
    big = b.input("big", SHAPE, scale=0.5, zero_point=5)
    tiny = b.input("tiny", SHAPE, scale=0.002, zero_point=-7)
    large1 = b.input("large1", LARGE, scale=0.04, zero_point=-11)  # ADD/SUB use tables
    large2 = b.input("large2", LARGE, scale=0.07, zero_point=6)
    scalar = const(b, "scalar", (), rng, 0.1, 3)
    scalar1 = const(b, "scalar1", (1,), rng, 0.02, -50)
    channel = const(b, "channel", (8,), rng, 0.03, 0)  # per-channel constant vector
    channel4 = const(b, "channel4", (1, 1, 1, 8), rng, 0.07, -9)
    general = const(b, "general", (6, 1, 8), rng, 0.04, 12)
    full = const(b, "full", SHAPE, rng, 0.05, -3)
    pairs = [
        ("same", x, y), ("bcast2", x, r), ("bcast1", r, x), ("bcast_both", r, c),
        ("rank2", x, v), ("rank2_first", v, x), ("scalar", x, scalar),
        ("scalar_first", scalar1, x), ("channel", x, channel), ("channel_first", channel4, x),
        ("general", x, general), ("general_first", general, c), ("full", full, y),
        ("big_tiny", big, tiny), ("tiny_big", tiny, big), ("self", x, x),
        ("large", large1, large2), ("large_channel", channel, large2),
        ("large_bcast", large1, r),
    ]
    names = []
    for kind in (*ARITH, *MINMAX):
        for name, a, bb in pairs:
            names.append(f"{kind} {name}")
            add_binary(b, kind, names[-1], a, bb)
        if kind in ARITH:
            for activation in ("RELU", "RELU6", "RELU_N1_TO_1"):
                for name, a, bb in (("same", x, y), ("channel", x, channel)):
                    names.append(f"{kind} {name} {activation}")
                    add_binary(b, kind, names[-1], a, bb, activation)
            names.append(f"{kind} saturating")
            add_binary(b, kind, names[-1], x, y, narrow=0.25)
    inputs = [samples(t.shape, t.zero_point, rng)
              for t in (x, y, r, c, v, big, tiny, large1, large2)]
    return b.build(), inputs, names


def test_variants_bit_exact(tmp_path: Path) -> None:
    """All variants of all five ops in one model (one C build), 80 samples, ASan/UBSan."""
    model, inputs, names = variants_model(np.random.default_rng(2024))
    try:
        outputs = dict(zip(names, assert_bit_exact(model, inputs, tmp_path), strict=True))
    except AssertionError as error:
        found = re.search(r"output (\d+):", str(error))
        name = names[int(found.group(1))] if found else "?"
        raise AssertionError(f"{name}: {error}") from None
    for kind in (*ARITH, *MINMAX):
        same = outputs[f"{kind} same"]
        assert len(np.unique(same)) > 100, kind  # the outputs span the int8 range
        if kind in ARITH:  # and do not saturate
            assert np.mean((same > -128) & (same < 127)) > 0.95, kind
    assert np.mean(outputs["ADD saturating"] == 127) > 0.01


# Scale/zero-point triples (input 1, input 2, output) found by search for which computing the
# ADD/SUB multipliers in float32 instead of double (as tflite-micro's 2026-08 sub_common.cc
# source reads for SUB) changes 2-3 of the 65536 outputs: the exhaustive test pins double.
EXHAUSTIVE = [
    ("ADD", (0.04245893657207489, -2), (0.0942772850394249, 4), (0.07198436558246613, 19), "NONE"),
    ("SUB", (0.12882669270038605, 5), (0.13058148324489594, -9), (0.03393525630235672, 19),
     "NONE"),
    ("SUB", (0.05, -3), (0.03, 10), (0.08, -6), "NONE"),  # float32 would change 5% of these
    ("ADD", (0.3, -128), (0.001, 127), (0.31, 0), "RELU"),  # scales 300x apart
    ("SUB", (0.02, 7), (0.05, -3), (6 / 255, -128), "RELU6"),
    ("MUL", (0.05, -3), (0.03, 10), (0.05 * 0.03 * 128, -1), "NONE"),
    ("MUL", (0.5, 0), (0.4, -5), (0.02, 3), "RELU_N1_TO_1"),  # multiplier > 1: left shift
    ("MUL", (0.01, 0), (0.02, 0), (0.5, 0), "NONE"),  # small multiplier (2^-11)
    ("MUL", (0.05, 3), (0.04, -2), (0.0027, 1), "NONE"),  # multiplier in [1/2, 1): no shift
    ("MAXIMUM", (0.05, -3), (0.05, -3), (0.05, -3), ""),
    ("MINIMUM", (0.05, -3), (0.05, -3), (0.05, -3), ""),
    # Broadcast rows with output tables (see SAME_SHAPE), with and without a clamp.
    ("ADD", (0.039393551647663116, -128), (0.10419496148824692, 4),
     (0.050945673137903214, -128), "RELU"),
    ("SUB", (0.0613, 12), (0.0297, -7), (0.0471, 5), "RELU"),
]


def test_exhaustive_pairs_bit_exact(tmp_path: Path) -> None:
    """All 65536 int8 pairs per op: inputs [1, 256, 1] x [1, 1, 256] -> [1, 256, 256].

    The activations far outgrow `edgeai validate`'s TFLM arena (10x the model's bytes), so
    this compares with support.reference.run_tflm, whose arena is sized from the tensors.
    """
    b = ModelBuilder()
    for index, (kind, (s1, z1), (s2, z2), (so, zo), activation) in enumerate(EXHAUSTIVE):
        x1 = b.input(f"a{index}", (1, 256, 1), scale=s1, zero_point=z1)
        x2 = b.input(f"b{index}", (1, 1, 256), scale=s2, zero_point=z2)
        y = b.tensor(f"y{index}", (1, 256, 256), scale=so, zero_point=zo)
        if kind in MINMAX:
            b.op(kind, [x1, x2], [y])
        else:
            b.op(kind, [x1, x2], [y], fused_activation_function=activation)
        b.output(y)
    model = b.build()
    graph = import_model(model)
    tables = [lower(graph, op).data.get("lut_output", 0) for op in graph.ops
              if op.kind in ("ADD", "SUB")]
    assert tables[-2:] == [1, 1] and 0 in tables  # both forms on broadcast rows
    values = np.arange(-128, 128, dtype=np.int8)
    column = np.stack([values, values[::-1]]).reshape(2, 256, 1)
    row = np.stack([values, np.roll(values, 77)]).reshape(2, 1, 256)
    inputs = [column if k % 2 == 0 else row for k in range(2 * len(EXHAUSTIVE))]
    with HostNetwork(compile_bytes(model, tmp_path), sanitize=True) as network:
        outputs = network.run(inputs)
    expected = run_tflm(model, [x[:, None] for x in inputs])
    for (kind, *_), got, want in zip(EXHAUSTIVE, outputs, expected, strict=True):
        assert len(np.unique(want)) > 8, kind
        mismatches = int(np.sum(got.reshape(want.shape) != want))
        assert mismatches == 0, f"{kind}: {mismatches} of {want.size} outputs differ from TFLM"


# Same-shape ADD/SUB over every int8 pair (and five more elements, so the eight-wide loop has
# a tail): (kind, input 1, input 2, output, activation, whether the generator's exhaustive
# check takes the output-table form).
SAME_SHAPE = [
    ("ADD", (0.039393551647663116, -128), (0.10419496148824692, 4),
     (0.050945673137903214, -128), "RELU", True),  # MLPerf IC's add_3
    ("ADD", (0.0213, -3), (0.0389, 10), (0.2117, 5), "NONE", True),  # output scale above both
    ("SUB", (0.0613, 12), (0.0297, -7), (0.0471, 5), "RELU", True),  # below input 1's; clamp
    ("ADD", (0.0613, -3), (0.0297, 10), (0.0471, -20), "RELU6", True),  # clamp on both ends
    ("SUB", (0.0731, -3), (0.0417, 10), (0.0263, 5), "NONE", False),  # shares outgrow int32
    ("ADD", (0.05, 0), (0.1, 0), (0.1, 0), "NONE", False),  # exact ties of both signs
    ("ADD", (0.04245893657207489, -2), (0.0942772850394249, 4), (0.07198436558246613, 19),
     "NONE", False),
    # MUL has no tables; a multiplier below 1/2 takes its one-rounding loop
    ("MUL", (0.05, -3), (0.03, 10), (0.0213, 5), "NONE", False),
    ("MUL", (0.05, -3), (0.03, 10), (0.0213, 20), "RELU", False),  # clamped
]


def test_same_shape_tables_bit_exact_on_every_pair(tmp_path: Path) -> None:
    """The flat ADD/SUB path with output tables (eight elements per iteration, the clamped
    loop) and with the first-requantization tables where the check refuses them; MUL's
    flat and clamped loops."""
    size = 256 * 256 + 5
    b = ModelBuilder()
    for index, (kind, (s1, z1), (s2, z2), (so, zo), activation, _) in enumerate(SAME_SHAPE):
        x1 = b.input(f"a{index}", (1, size), scale=s1, zero_point=z1)
        x2 = b.input(f"b{index}", (1, size), scale=s2, zero_point=z2)
        y = b.tensor(f"y{index}", (1, size), scale=so, zero_point=zo)
        b.op(kind, [x1, x2], [y], fused_activation_function=activation)
        b.output(y)
    model = b.build()
    graph = import_model(model)
    chosen = ["lut_output" in lower(graph, op).data for op in graph.ops]
    assert chosen == [case[-1] for case in SAME_SHAPE]

    values = np.arange(-128, 128, dtype=np.int8)
    tail = np.random.default_rng(5).integers(-128, 127, size=(2, 5), endpoint=True)
    first = np.concatenate([np.repeat(values, 256), tail[0]]).astype(np.int8)
    second = np.concatenate([np.tile(values, 256), tail[1]]).astype(np.int8)
    column = np.stack([first, second[::-1]]).reshape(2, 1, size)
    row = np.stack([second, np.roll(first, 77)]).reshape(2, 1, size)
    inputs = [column if k % 2 == 0 else row for k in range(2 * len(SAME_SHAPE))]
    with HostNetwork(compile_bytes(model, tmp_path), sanitize=True) as network:
        outputs = network.run(inputs)
    expected = run_tflm(model, inputs)
    for (kind, *_, fast), got, want in zip(SAME_SHAPE, outputs, expected, strict=True):
        assert len(np.unique(want)) > 50, kind
        mismatches = int(np.sum(got.reshape(want.shape) != want))
        assert mismatches == 0, f"{kind} (output tables {fast}): {mismatches} outputs differ"


def test_requantize_array_matches_the_scalar_reference() -> None:
    rng = np.random.default_rng(11)
    values = np.concatenate([rng.integers(-(1 << 29), 1 << 29, size=2000),
                             np.arange(-300, 300)])
    for multiplier, shift in ((1098017566, -17), (1 << 30, -18), (2147483647, 0),
                              (1623821475, -2), (1073741824, -1)):
        got = requantize_array(values, multiplier, shift)
        want = [multiply_by_quantized_multiplier(int(v), multiplier, shift) for v in values]
        assert got.tolist() == want, (multiplier, shift)


def _float32_reals(s1: float, s2: float, so: float) -> tuple[float, ...]:
    a, b, out = np.float32(s1), np.float32(s2), np.float32(so)
    twice = np.float32(2) * max(a, b)
    return (float(a / twice), float(b / twice), float(twice / (np.float32(1 << 20) * out)))


def test_exhaustive_triples_discriminate_precision() -> None:
    for kind, (s1, _), (s2, _), (so, _), _ in EXHAUSTIVE[:3]:
        double = [quantize_multiplier(m) for m in add_real_multipliers(s1, s2, so)]
        single = [quantize_multiplier(m) for m in _float32_reals(s1, s2, so)]
        assert double != single, kind


def _graph(kind: str, shape1, shape2, out_shape, const1=False, const2=False, dtype=np.int8,
           **options):
    b = ModelBuilder()
    tensors = []
    if const1 and const2:
        b.input("unused", (1, 1), scale=0.1, zero_point=0)  # a model needs an input
    for name, shape, is_const in (("a", shape1, const1), ("b", shape2, const2)):
        if is_const:
            tensors.append(b.const(name, np.zeros(shape, dtype), scale=0.1, zero_point=0))
        else:
            tensors.append(b.input(name, shape, scale=0.1, zero_point=0, dtype=dtype))
    y = b.tensor("y", out_shape, scale=0.2, zero_point=0, dtype=dtype)
    b.op(kind, tensors, [y], **options)
    b.output(y)
    model = b.build()
    return model, import_model(model)


def test_lowering_structure() -> None:
    _, graph = _graph("ADD", SHAPE, SHAPE, SHAPE, fused_activation_function="RELU")
    layer = lower(graph, graph.ops[0])
    assert layer.kernel == "edgeai_add_s8" and layer.c_type == "Eltwise"
    assert layer.params["broadcast"] == 0 and layer.params["size"] == 240
    assert layer.macc == 240 and layer.scratch_bytes == 0 and not layer.arrays
    assert [a.role for a in layer.args] == ["input", "input", "output"]
    assert "input1_lut" not in layer.data

    _, graph = _graph("SUB", LARGE, (1, 6, 1, 8), LARGE)
    layer = lower(graph, graph.ops[0])
    assert [a.name for a in layer.arrays] == ["input1_lut", "input2_lut"]
    assert layer.params["size"] >= LUT_MIN_ELEMENTS
    offset, multiplier, shift = (layer.data[f"input1_{k}"] for k in ("offset", "multiplier",
                                                                         "shift"))
    assert layer.arrays[0].values[128 + 5] == multiply_by_quantized_multiplier(
        (5 + offset) << 20, multiplier, shift)

    _, graph = _graph("SUB", (8,), SHAPE, SHAPE, const1=True)  # per-channel constant first
    layer = lower(graph, graph.ops[0])
    assert layer.kernel == "edgeai_sub_const_s8" and layer.params["constant"] == 1
    assert (layer.params["shape"], layer.params["stride1"], layer.params["stride2"]) == (
        (1, 1, 30, 8), (0, 0, 0, 1), (0, 0, 8, 1))
    assert [a.name for a in layer.arrays] == ["constant"] and layer.arrays[0].values.size == 8
    assert [a.role for a in layer.args] == ["input", "output"]

    _, graph = _graph("MAXIMUM", SHAPE, SHAPE, SHAPE)
    layer = lower(graph, graph.ops[0])
    assert layer.kernel == "edgeai_maximum_s8" and layer.data_type == "" and not layer.data
    _, graph = _graph("MINIMUM", SHAPE, (), SHAPE, const2=True)
    layer = lower(graph, graph.ops[0])
    assert layer.kernel == "edgeai_minimum_const_s8" and layer.data_type == "edgeai_minmax_data"


def test_broadcast_loops_merge_dimensions() -> None:
    assert broadcast_loops(SHAPE, SHAPE, SHAPE) == [(240, 1, 1)]
    assert broadcast_loops(SHAPE, (), SHAPE) == [(240, 1, 0)]
    assert broadcast_loops((1, 6, 1, 8), SHAPE, SHAPE) == [(6, 8, 40), (5, 0, 8), (8, 1, 1)]
    assert broadcast_loops((1, 6, 1, 8), (1, 1, 5, 1), SHAPE) == [
        (6, 8, 0), (5, 0, 1), (8, 1, 0)]
    assert broadcast_loops((1, 1, 1), (1, 1), (1, 1, 1)) == []
    assert broadcast_loops((3, 1, 1, 1), (1, 2, 2, 2), (3, 2, 2, 2)) == [(3, 1, 0), (8, 0, 1)]


def test_refusals_name_the_value() -> None:
    _, graph = _graph("ADD", (1, 2, 3, 4), (1, 1, 1, 1, 4), (1, 1, 2, 3, 4), const2=True)
    reason = check_elementwise(graph, graph.ops[0])
    assert "5-D input 2 shape [1, 1, 1, 1, 4]" in reason and "at most 4-D" in reason
    _, graph = _graph("MAXIMUM", SHAPE, SHAPE, SHAPE, dtype=np.int32)
    assert "input 1 type int32 is not supported" in check_elementwise(graph, graph.ops[0])
    _, graph = _graph("SUB", SHAPE, SHAPE, SHAPE, fused_activation_function="TANH")
    assert "fused activation TANH" in check_elementwise(graph, graph.ops[0])
    _, graph = _graph("ADD", (1, 4, 3), (1, 5, 3), (1, 5, 3))
    assert "do not broadcast" in check_elementwise(graph, graph.ops[0])
    _, graph = _graph("ADD", (1, 4, 3), (1, 4, 1), (1, 4, 1))
    assert "is not the broadcast" in check_elementwise(graph, graph.ops[0])
    _, graph = _graph("ADD", SHAPE, SHAPE, SHAPE, const1=True, const2=True)
    assert "both inputs are constant" in check_elementwise(graph, graph.ops[0])


def test_too_many_dimensions_fail_to_compile(tmp_path: Path) -> None:
    model, _ = _graph("ADD", (1, 2, 3, 4), (1, 1, 1, 1, 4), (1, 1, 2, 3, 4), const2=True)
    with pytest.raises(EdgeAIError, match=r"\[1, 1, 2, 3, 4\]|5-D"):
        compile_bytes(model, tmp_path)


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="no arm-none-eabi-gcc")
def test_kernel_builds_warning_free_for_cortex_m7(tmp_path: Path) -> None:
    source = RUNTIME / "edgeai_elementwise.c"
    subprocess.run(["arm-none-eabi-gcc", "-std=c99", "-Wall", "-Wextra", "-Werror",
                    "-mcpu=cortex-m7", "-mthumb", "-O2", "-c", str(source), "-I", str(RUNTIME),
                    "-o", str(tmp_path / "elementwise.o")], check=True)


def s16_model(kind: str, rng: np.random.Generator) -> tuple[bytes, list[np.ndarray]]:
    """One 16x8 model per op: same shapes, broadcast either way, a constant on either side,
    a fused activation and very different input scales, each its own output; two int16
    inputs ([1, 6, 5, 8] and [1, 1, 5, 1]) of random values over most of the range."""
    b = ModelBuilder()
    x1 = b.input("x1", SHAPE, scale=0.002, zero_point=0, dtype=np.int16)
    x2 = b.input("x2", (1, 1, 5, 1), scale=0.0007, zero_point=0, dtype=np.int16)
    x3 = b.input("x3", SHAPE, scale=0.05, zero_point=0, dtype=np.int16)

    def add(name: str, a: TensorRef, c: TensorRef, out_shape=SHAPE, **options) -> None:
        peak = 32768 * (a.scale * c.scale * 32768 if kind == "MUL" else a.scale + c.scale)
        if kind in MINMAX:
            peak = 32767 * a.scale
        y = b.tensor(name, out_shape, scale=float(np.float32(peak / 32767)), zero_point=0,
                     dtype=np.int16)
        b.op(kind, [a, c], [y], **options)
        b.output(y)

    constant = b.const("k", rng.integers(-32768, 32767, size=(8,), dtype=np.int16),
                       scale=0.001, zero_point=0)
    add("same", x1, x3)
    add("broadcast_2", x1, x2)
    add("broadcast_1", x2, x3)
    add("const_2", x1, constant)
    activations = ({"fused_activation_function": "RELU"}, {"fused_activation_function":
                                                           "RELU_N1_TO_1"})
    if kind in MINMAX:  # no activation; quantization not read
        activations = ({}, {})
    add("const_1", constant, x3, **activations[0])
    add("small", x2, x2, out_shape=(1, 1, 5, 1), **activations[1])
    inputs = [rng.integers(-32768, 32767, size=(20, *shape[1:]), endpoint=True, dtype=np.int16)
              for shape in (SHAPE, (1, 1, 5, 1), SHAPE)]
    return b.build(), inputs


@pytest.mark.parametrize("kind", ARITH + MINMAX)
def test_16x8_bit_exact(kind: str, tmp_path: Path) -> None:
    """edgeai_<op>_s16 and edgeai_<op>_const_s16 under ASan/UBSan against tflite-micro; the
    outputs without an activation span the int16 range without piling up on its ends."""
    model, inputs = s16_model(kind, np.random.default_rng(len(kind) + ord(kind[0])))
    outputs = assert_bit_exact(model, inputs, tmp_path)
    for output in (outputs[0], outputs[1], outputs[3]):
        assert_not_saturated(output)
