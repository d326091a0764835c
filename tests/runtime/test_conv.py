"""CONV_2D, DEPTHWISE_CONV_2D and fused CONV_2D + pool: lowered layer + C kernel vs tflite-micro.

Each case builds a small int8 model, lowers it with the `conv` family and runs the C kernel on
random and smooth ("image-like") inputs through `layer_runner` (the DSP path, emulated in C,
under ASan/UBSan), comparing every output with TFLite Micro bit for bit; a representative
subset also runs the portable path under ASan/UBSan.
"""

from __future__ import annotations

import zlib

import numpy as np
import pytest
from support.bitexact import assert_bit_exact as assert_network_bit_exact
from support.bitexact import assert_qemu_bit_exact, compile_bytes, require_qemu_m7
from support.mixed_multipliers import IN_SCALE, OUT_SCALE, mixed_bias, mixed_weights
from support.models import MLPERF
from support.reference import conv2d_nhwc, run_tflm
from support.s16 import assert_not_saturated, int16_input
from support.tflite_builder import (
    ModelBuilder,
    add_conv2d,
    add_depthwise_conv2d,
    bias_for,
    dequantize,
    qparams_from_values,
    quantize_weights,
)

from edgeai_tool import goals
from edgeai_tool.codegen.layers import lower
from edgeai_tool.codegen.layers.conv import conv_lean, conv_one_column, conv_pool_lean
from edgeai_tool.compiler import compile_model
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.ir import Graph
from edgeai_tool.ops import supported_ops
from edgeai_tool.ops.conv import check_conv, check_depthwise, dilations
from edgeai_tool.options import Options
from edgeai_tool.passes.fuse import fuse_conv_pool

SAMPLES = 6


def rng_for(case: dict) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(repr(sorted(case.items())).encode()))


def smooth_inputs(shape: tuple[int, ...], n: int, rng: np.random.Generator) -> np.ndarray:
    """Image-like int8 samples: a coarse random grid upsampled, spanning most of int8."""
    _, h, w, c = shape
    coarse = rng.normal(size=(n, (h + 3) // 4 + 1, (w + 3) // 4 + 1, c))
    fine = coarse.repeat(4, axis=1).repeat(4, axis=2)[:, :h, :w, :]
    fine = fine / (np.abs(fine).max() + 1e-9)
    return np.clip(np.round(fine * 120 + rng.integers(-8, 8, size=fine.shape)), -128, 127)\
        .astype(np.int8).reshape(n, *shape)


def inputs_for(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    random = rng.integers(-128, 127, size=(SAMPLES, *shape), endpoint=True, dtype=np.int8)
    return np.concatenate([random, smooth_inputs(shape, SAMPLES, rng)])


def lower_single(model: bytes, fuse: bool = False, wide: bool = False):
    graph = import_model(model)
    if fuse:
        graph = fuse_conv_pool(graph)
    assert len(graph.ops) == 1, [op.kind for op in graph.ops]
    op = graph.ops[0]
    return graph, op, lower(graph, op, wide_weights=wide)


def assert_bit_exact(runner, model: bytes, xs: np.ndarray, fuse: bool = False,
                     min_unsaturated: float = 0.3, wide: bool = False,
                     lean: bool = False) -> None:
    """`lean`: the convolution (or fused conv + pool) in its one-column form (else its
    two-column one)."""
    graph, op, layer = lower_single(model, fuse, wide)
    if lean:
        layer = one_column(layer)
        assert columns(layer) == 1
    expected = run_tflm(model, [xs])[0].reshape(len(xs), -1)
    got = runner.run(layer, xs, graph.tensor(op.outputs[0]).size)
    mismatches = np.argwhere(got != expected)
    assert mismatches.size == 0, (
        f"{len(mismatches)} of {expected.size} outputs differ; first (sample, index): "
        f"{mismatches[:5].tolist()}, got {got[tuple(mismatches[0])]} "
        f"want {expected[tuple(mismatches[0])]}")
    unsaturated = np.mean((expected > -128) & (expected < 127))
    assert unsaturated >= min_unsaturated, f"only {unsaturated:.0%} outputs off the rails"


def columns(layer) -> int:
    """The form of a convolution layer: 2 (two pixels a pass) or 1 (one, the lean form)."""
    return layer.params.get("columns", layer.params.get("conv.columns"))


def one_column(layer):
    """A convolution layer (fused or not) in its one-column form, whatever the planner
    would choose (`goals._fast_where_free`)."""
    return conv_pool_lean(layer) if "conv.columns" in layer.params else conv_one_column(layer)


# ---- CONV_2D --------------------------------------------------------------------------------


def conv_model(case: dict, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """A calibrated one-CONV_2D model; `case` keys follow add_conv2d plus in_shape/in_zp."""
    case = dict(case)
    in_shape = case.pop("in_shape")
    in_zp = case.pop("in_zp", -3)
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.04, zero_point=in_zp)
    xs = inputs_for(in_shape, rng)
    y, _ = add_conv2d(b, x, xs, rng, **case)
    b.output(y)
    return b.build(), xs


CONV_CASES = [
    dict(in_shape=(1, 8, 8, 3), filters=4),
    dict(in_shape=(1, 28, 28, 1), filters=8, kernel=(5, 5), padding="VALID",
         activation="RELU"),
    dict(in_shape=(1, 9, 11, 5), filters=7, kernel=(3, 3), stride=(2, 2)),
    dict(in_shape=(1, 9, 11, 5), filters=7, kernel=(3, 3), stride=(2, 2), padding="VALID"),
    dict(in_shape=(1, 10, 10, 8), filters=6, kernel=(4, 4), stride=(3, 2)),
    dict(in_shape=(1, 12, 12, 4), filters=5, kernel=(3, 3), dilation=(2, 2)),
    dict(in_shape=(1, 12, 13, 4), filters=3, kernel=(3, 2), dilation=(3, 1), padding="VALID"),
    dict(in_shape=(1, 7, 7, 16), filters=16, kernel=(1, 1)),
    dict(in_shape=(1, 7, 7, 13), filters=9, kernel=(1, 1), stride=(2, 2)),
    dict(in_shape=(1, 6, 6, 8), filters=8, kernel=(1, 1), padding="VALID", per_channel=False),
    dict(in_shape=(1, 5, 5, 2), filters=3, kernel=(5, 5), padding="SAME", activation="RELU6"),
    dict(in_shape=(1, 8, 8, 3), filters=4, activation="RELU_N1_TO_1"),
    dict(in_shape=(1, 8, 8, 12), filters=5, kernel=(2, 2), stride=(2, 2), per_channel=False),
    dict(in_shape=(1, 49, 10, 1), filters=8, kernel=(10, 4), stride=(2, 2)),  # KWS-like first
    dict(in_shape=(1, 8, 8, 3), filters=4, in_zp=-128),
    dict(in_shape=(1, 8, 8, 3), filters=4, in_zp=127),
    dict(in_shape=(1, 1, 1, 7), filters=3, kernel=(3, 3)),  # all but one tap in the padding
    dict(in_shape=(1, 3, 17, 6), filters=1, kernel=(1, 3), stride=(1, 4)),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "-".join(f"{v}" for v in c.values()))
def test_conv_bit_exact(layer_runner, case: dict) -> None:
    rng = rng_for(case)
    model, xs = conv_model(case, rng)
    assert_bit_exact(layer_runner, model, xs)


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: "-".join(f"{v}" for v in c.values()))
def test_conv_int16_weights_bit_exact(layer_runner, case: dict) -> None:
    """-O time's lowering: int16 weights in their own layout, the same outputs."""
    model, xs = conv_model(case, rng_for(case))
    assert lower_single(model, wide=True)[2].kernel == "edgeai_conv_wide_s8"
    assert_bit_exact(layer_runner, model, xs, wide=True)


@pytest.mark.parametrize("optimization", ["time", "ram"])
def test_optimization_goal_picks_the_weight_format_end_to_end(tmp_path,
                                                              optimization: str) -> None:
    """`-O time` compiles the convolution with int16 weights, `-O ram` with int8 ones; both
    generated networks match tflite-micro (host build under ASan/UBSan)."""
    case = CONV_CASES[2]
    model, xs = conv_model(case, rng_for(case))
    options = Options(optimization=optimization)
    compilation = compile_bytes(model, tmp_path, options)
    kernels = [layer.kernel for layer in compilation.layers]
    assert kernels == ["edgeai_conv_wide_s8" if optimization == "time" else "edgeai_conv_s8"]
    assert_network_bit_exact(model, [xs.reshape(len(xs), *xs.shape[2:])], tmp_path, options)


QEMU_CASES = {
    # odd channels, depth not in quads (the int8 column), SAME padding, stride 2
    "staged-time": (CONV_CASES[2], "time"),
    "staged-ram": (CONV_CASES[2], "ram"),
    # depth in quads (widened in place), dilation (tap by tap), odd pixel count
    "dilated-time": (CONV_CASES[5], "time"),
    "pointwise-ram": (CONV_CASES[7], "ram"),
}


@pytest.mark.parametrize("form", ["pair", "lean"])
@pytest.mark.parametrize("name", QEMU_CASES)
def test_cortex_m7_kernels_in_qemu_match_tflite_micro(tmp_path, monkeypatch, name: str,
                                                      form: str) -> None:
    """The Arm code (LDRD, BFI, SMLAD as instructions, not their C stand-ins) on QEMU, in
    each form (a one-layer network takes the lean one, its scratch being live at the peak,
    unless the fast one is all there is), the one-column one forced on every layer."""
    require_qemu_m7()
    case, optimization = QEMU_CASES[name]
    monkeypatch.setattr(goals, "lean_form",
                        (lambda layer: None) if form == "pair" else one_column)
    model, xs = conv_model(case, rng_for(case))
    path = tmp_path / "model.tflite"
    path.write_bytes(model)
    compilation = compile_model(path, Options(target="qemu-m7", optimization=optimization))
    assert [layer.kernel for layer in compilation.layers] == [
        "edgeai_conv_wide_s8" if optimization == "time" else "edgeai_conv_s8"]
    assert columns(compilation.layers[0]) == (2 if form == "pair" else 1)
    assert_qemu_bit_exact(compilation, xs)


@pytest.mark.parametrize("optimization", ["ram", "time"])
@pytest.mark.parametrize("form", ["pair", "lean"])
def test_conv_pool_in_qemu_matches_tflite_micro(tmp_path, monkeypatch, form: str,
                                               optimization: str) -> None:
    """The fused conv + pool on the Arm code: clipped, overlapping windows of odd counts, a
    global average of an odd count; in each form (a one-layer network takes the lean one, its
    scratch being live at the peak, unless the fast one is all there is), on int8 weights
    (-O ram) and int16 ones (-O time)."""
    require_qemu_m7()
    if form == "pair":
        monkeypatch.setattr(goals, "lean_form", lambda layer: None)
    kernel = "edgeai_conv_pool_wide_s8" if optimization == "time" else "edgeai_conv_pool_s8"
    for index in (3, 5, 8, 10):
        model, xs = conv_pool_model(CONV_POOL_CASES[index], rng_for(CONV_POOL_CASES[index]))
        path = tmp_path / f"pool{index}.tflite"
        path.write_bytes(model)
        compilation = compile_model(path, Options(target="qemu-m7", optimization=optimization))
        assert [layer.kernel for layer in compilation.layers] == [kernel]
        assert columns(compilation.layers[0]) == (2 if form == "pair" else 1)
        assert_qemu_bit_exact(compilation, xs)


def test_conv_int16_weights_portable(portable_sanitized_runner) -> None:
    """The portable path reads the int16 layout too (odd channels, depth not in quads,
    padding, stride and dilation)."""
    for case in (CONV_CASES[2], CONV_CASES[5], CONV_CASES[8], CONV_CASES[13]):
        model, xs = conv_model(case, rng_for(case))
        assert_bit_exact(portable_sanitized_runner, model, xs, wide=True)


# The one-column form: odd channels and depth not in quads (the int8 column), dilation,
# a 1x1, KWS's first layer (125 pixels), one pixel, 15 pixels.
ONE_COLUMN_CASES = (2, 5, 7, 11, 13, 14)


@pytest.mark.parametrize("weights", ["int8", "int16"])
@pytest.mark.parametrize("index", ONE_COLUMN_CASES)
def test_conv_one_column_bit_exact(layer_runner, index: int, weights: str) -> None:
    """The lean form of edgeai_conv_s8 / _wide_s8 on the DSP path: pixel by pixel, one
    column, the same outputs."""
    case = CONV_CASES[index]
    model, xs = conv_model(case, rng_for(case))
    assert_bit_exact(layer_runner, model, xs, lean=True, wide=weights == "int16")


@pytest.mark.parametrize("weights", ["int8", "int16"])
def test_conv_one_column_portable(portable_sanitized_runner, weights: str) -> None:
    """The portable path takes the one-column params and their smaller scratch."""
    for index in (2, 11, 14):
        case = CONV_CASES[index]
        model, xs = conv_model(case, rng_for(case))
        assert_bit_exact(portable_sanitized_runner, model, xs, lean=True,
                         wide=weights == "int16")


@pytest.mark.parametrize("path", ["dsp", "portable"])
def test_grouped_conv_one_column(layer_runner, portable_sanitized_runner, path: str) -> None:
    """edgeai_conv_grouped_s8 (the portable code on every target) in the lean form."""
    case = MANUAL_CASES[3]
    model, xs = manual_conv_model(rng_for(case), **case)
    assert lower_single(model)[2].kernel == "edgeai_conv_grouped_s8"
    assert_bit_exact(layer_runner if path == "dsp" else portable_sanitized_runner, model, xs,
                     lean=True)


def test_conv_lean_form_halves_the_columns() -> None:
    """45 taps: 12 quads of two int16 columns and an int8 one (20 B a quad), or one int16
    column and the int8 one (12 B); written pixel by pixel, the output may overlap the
    input further. A 1x1 convolution has its lean form too."""
    case = CONV_CASES[2]
    layer = lower_single(conv_model(case, rng_for(case))[0])[2]
    lean = conv_lean(layer)
    assert (columns(layer), layer.scratch_bytes) == (2, 240)
    assert (columns(lean), lean.scratch_bytes) == (1, 144)
    assert conv_lean(lean) is None
    (source,) = layer.overwrites
    assert lean.overwrites[source] >= layer.overwrites[source]
    pointwise = CONV_CASES[7]
    pointwise_lean = conv_lean(lower_single(conv_model(pointwise, rng_for(pointwise))[0])[2])
    assert columns(pointwise_lean) == 1


def manual_conv_model(rng: np.random.Generator, in_shape: tuple[int, ...], filters: int,
                      kernel: tuple[int, int], groups: int = 1, bias: bool = True,
                      per_channel: bool = True, out_scale_factor: float = 1.0,
                      **options) -> tuple[bytes, np.ndarray]:
    """CONV_2D without the calibrated helper: optional bias, groups, forced saturation."""
    in_c = in_shape[3]
    filter_c = in_c // groups
    in_scale, in_zp = 0.04, 5
    wf = rng.normal(size=(filters, *kernel, filter_c)) / np.sqrt(kernel[0] * kernel[1] * filter_c)
    wq, ws = quantize_weights(wf, per_channel=per_channel)
    bf = rng.normal(size=filters) * 0.2
    xs = inputs_for(in_shape, rng)
    xf = dequantize(xs, in_scale, in_zp)
    per_group = filters // groups
    padding = options.get("padding", "SAME")
    yf = np.concatenate([
        conv2d_nhwc(xf[:, 0, :, :, g * filter_c:(g + 1) * filter_c],
                    dequantize(wq[g * per_group:(g + 1) * per_group],
                               ws.reshape(-1, 1, 1, 1)[g * per_group:(g + 1) * per_group]
                               if per_channel else ws[0]),
                    bf[g * per_group:(g + 1) * per_group] if bias else None,
                    stride=(options.get("stride_h", 1), options.get("stride_w", 1)),
                    padding=padding)
        for g in range(groups)], axis=-1)
    scale, zp = qparams_from_values(yf)
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=in_scale, zero_point=in_zp)
    w = b.const("w", wq, scale=ws if per_channel else float(ws[0]), zero_point=0)
    inputs = [x, w]
    if bias:
        bq, bs = bias_for(bf, in_scale, ws)
        inputs.append(b.const("b", bq, scale=bs))
    y = b.tensor("y", (1, *yf.shape[1:]), scale=scale * out_scale_factor, zero_point=zp)
    b.op("CONV_2D", inputs, [y], padding=padding, stride_h=options.get("stride_h", 1),
         stride_w=options.get("stride_w", 1))
    b.output(y)
    return b.build(), xs


MANUAL_CASES = [
    dict(in_shape=(1, 8, 8, 6), filters=5, kernel=(3, 3), bias=False),
    dict(in_shape=(1, 8, 8, 6), filters=4, kernel=(1, 1), bias=False, per_channel=False),
    dict(in_shape=(1, 8, 8, 8), filters=6, kernel=(3, 3), groups=2),
    dict(in_shape=(1, 7, 9, 12), filters=12, kernel=(3, 3), groups=4, stride_h=2, stride_w=2),
    dict(in_shape=(1, 6, 6, 4), filters=8, kernel=(1, 1), groups=2),
]


@pytest.mark.parametrize("case", MANUAL_CASES, ids=lambda c: "-".join(f"{v}" for v in c.values()))
def test_conv_options_bit_exact(layer_runner, case: dict) -> None:
    rng = rng_for(case)
    model, xs = manual_conv_model(rng, **case)
    grouped = case.get("groups", 1) > 1
    assert lower_single(model)[2].kernel == (
        "edgeai_conv_grouped_s8" if grouped else "edgeai_conv_s8")
    # int16 weights are for the DSP kernel: a grouped convolution keeps its int8 ones
    assert lower_single(model, wide=True)[2].kernel == (
        "edgeai_conv_grouped_s8" if grouped else "edgeai_conv_wide_s8")
    assert_bit_exact(layer_runner, model, xs)


def test_grouped_conv_does_not_fuse_a_pool() -> None:
    """edgeai_conv_pool_s8 takes groups 1 only: the check keeps a grouped conv unfused."""
    model, _ = manual_conv_model(rng_for(MANUAL_CASES[2]), **MANUAL_CASES[2])
    graph, op, _ = lower_single(model)
    op.options["pool"] = {"kind": "MAX_POOL_2D", "intermediate": op.outputs[0]}
    assert check_conv(graph, op) == "a pool fused into a grouped convolution is not supported"


@pytest.mark.parametrize("factor", [0.05, 30.0])
def test_conv_saturating_and_left_shift(layer_runner, factor: float) -> None:
    """Tiny output scales saturate; huge ones give multipliers > 1 (left shifts)."""
    rng = np.random.default_rng(int(factor * 100))
    model, xs = manual_conv_model(rng, (1, 6, 6, 5), 6, (3, 3), out_scale_factor=factor)
    assert_bit_exact(layer_runner, model, xs, min_unsaturated=0.0)


# ---- per-channel multipliers above and below 1 (the exact requantization path) ------------


def mixed_multiplier_model(kind: str, in_shape: tuple[int, ...], channels: int,
                           kernel: tuple[int, int], rng: np.random.Generator,
                           padding: str = "SAME",
                           pool: str | None = None) -> tuple[bytes, np.ndarray]:
    """One CONV_2D or DEPTHWISE_CONV_2D (stride 1) whose odd channels left-shift; `pool`, a
    MAX_POOL_2D or AVERAGE_POOL_2D (3x3, stride 2, SAME) after it."""
    depthwise = kind == "DEPTHWISE_CONV_2D"
    taps = kernel[0] * kernel[1] * (1 if depthwise else in_shape[3])
    wq, ws = mixed_weights(rng, channels, taps)
    if depthwise:
        w_data, axis = wq.T.reshape(1, *kernel, channels), 3
    else:
        w_data, axis = wq.reshape(channels, *kernel, in_shape[3]), 0
    bq, bs = mixed_bias(rng, ws)
    out_hw = [n if padding == "SAME" else n - k + 1
              for n, k in zip(in_shape[1:3], kernel, strict=True)]
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=IN_SCALE, zero_point=-6)
    w = b.const("w", w_data, scale=ws, zero_point=0, axis=axis)
    bias = b.const("b", bq, scale=bs)
    y = b.tensor("y", (1, *out_hw, channels), scale=OUT_SCALE, zero_point=3)
    options = dict(padding=padding, stride_h=1, stride_w=1)
    if depthwise:
        options["depth_multiplier"] = 1
    b.op(kind, [x, w, bias], [y], **options)
    if pool is not None:
        z = b.tensor("z", (1, *[(n + 1) // 2 for n in out_hw], channels), scale=OUT_SCALE,
                     zero_point=3)
        b.op(pool, [y], [z], padding="SAME", stride_h=2, stride_w=2, filter_height=3,
             filter_width=3, fused_activation_function="NONE")
        y = z
    b.output(y)
    return b.build(), inputs_for(in_shape, rng)


MIXED_CASES = {
    "conv-3x3": ("CONV_2D", (1, 7, 8, 5), 7, (3, 3), "edgeai_conv_s8"),
    "conv-1x1": ("CONV_2D", (1, 6, 5, 12), 9, (1, 1), "edgeai_conv_s8"),
    "depthwise-3x3": ("DEPTHWISE_CONV_2D", (1, 7, 6, 10), 10, (3, 3),
                      "edgeai_depthwise_conv_s8"),
}


@pytest.mark.parametrize("name", MIXED_CASES)
@pytest.mark.parametrize("path", ["dsp", "portable"])
def test_multipliers_above_and_below_one_per_channel(layer_runner, portable_sanitized_runner,
                                                    name: str, path: str) -> None:
    kind, in_shape, channels, kernel, kernel_function = MIXED_CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = mixed_multiplier_model(kind, in_shape, channels, kernel, rng)
    _, _, layer = lower_single(model)
    assert layer.kernel == kernel_function
    assert layer.data["rq_fast"] == 0  # left shifts: only the exact path is correct
    runner = layer_runner if path == "dsp" else portable_sanitized_runner
    assert_bit_exact(runner, model, xs)


@pytest.mark.parametrize("name", ["conv-3x3", "conv-1x1"])
@pytest.mark.parametrize("path", ["dsp", "portable"])
def test_int16_weights_multipliers_above_and_below_one(layer_runner, portable_sanitized_runner,
                                                       name: str, path: str) -> None:
    kind, in_shape, channels, kernel, _ = MIXED_CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = mixed_multiplier_model(kind, in_shape, channels, kernel, rng)
    layer = lower_single(model, wide=True)[2]
    assert layer.kernel == "edgeai_conv_wide_s8"
    assert layer.data["rq_fast"] == 0
    runner = layer_runner if path == "dsp" else portable_sanitized_runner
    assert_bit_exact(runner, model, xs, wide=True)


@pytest.mark.parametrize("weights", ["int8", "int16"])
@pytest.mark.parametrize("name", ["conv-3x3", "conv-1x1"])
@pytest.mark.parametrize("path", ["dsp", "portable"])
def test_one_column_multipliers_above_and_below_one(layer_runner, portable_sanitized_runner,
                                                    name: str, path: str,
                                                    weights: str) -> None:
    """The one-column form on the exact requantization (left and right shifts)."""
    kind, in_shape, channels, kernel, _ = MIXED_CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = mixed_multiplier_model(kind, in_shape, channels, kernel, rng)
    assert lower_single(model)[2].data["rq_fast"] == 0
    runner = layer_runner if path == "dsp" else portable_sanitized_runner
    assert_bit_exact(runner, model, xs, lean=True, wide=weights == "int16")


@pytest.mark.parametrize("weights", ["int8", "int16"])
@pytest.mark.parametrize("form", ["pair", "lean"])
@pytest.mark.parametrize("pool", ["MAX_POOL_2D", "AVERAGE_POOL_2D"])
@pytest.mark.parametrize("path", ["dsp", "portable"])
def test_conv_pool_multipliers_above_and_below_one(layer_runner, portable_sanitized_runner,
                                                   pool: str, path: str, form: str,
                                                   weights: str) -> None:
    rng = np.random.default_rng(zlib.crc32(pool.encode()))
    model, xs = mixed_multiplier_model("CONV_2D", (1, 9, 7, 5), 7, (3, 3), rng, pool=pool)
    wide = weights == "int16"
    layer = lower_single(model, fuse=True, wide=wide)[2]
    assert layer.kernel == ("edgeai_conv_pool_wide_s8" if wide else "edgeai_conv_pool_s8")
    assert layer.data["conv.rq_fast"] == 0
    runner = layer_runner if path == "dsp" else portable_sanitized_runner
    assert_bit_exact(runner, model, xs, fuse=True, lean=form == "lean", wide=wide)


# ---- DEPTHWISE_CONV_2D ----------------------------------------------------------------------


def depthwise_model(case: dict, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    case = dict(case)
    in_shape = case.pop("in_shape")
    in_zp = case.pop("in_zp", 7)
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.03, zero_point=in_zp)
    xs = inputs_for(in_shape, rng)
    y, _ = add_depthwise_conv2d(b, x, xs, rng, **case)
    b.output(y)
    return b.build(), xs


DEPTHWISE_CASES = [
    dict(in_shape=(1, 8, 8, 8)),
    dict(in_shape=(1, 9, 9, 5), stride=(2, 2)),
    dict(in_shape=(1, 9, 9, 5), stride=(2, 2), padding="VALID"),
    dict(in_shape=(1, 10, 10, 4), kernel=(5, 5), dilation=(2, 2), activation="RELU6"),
    dict(in_shape=(1, 7, 7, 3), depth_multiplier=2),
    dict(in_shape=(1, 7, 6, 2), depth_multiplier=3, kernel=(2, 3), stride=(1, 2),
         activation="RELU"),
    dict(in_shape=(1, 25, 5, 64), activation="RELU"),  # KWS DS-CNN block
    dict(in_shape=(1, 12, 12, 17), per_channel=False, activation="RELU_N1_TO_1"),
    dict(in_shape=(1, 6, 6, 12), kernel=(1, 1)),
    dict(in_shape=(1, 6, 6, 8), in_zp=-128),
    dict(in_shape=(1, 2, 2, 4), kernel=(5, 5)),
]


@pytest.mark.parametrize("case", DEPTHWISE_CASES,
                         ids=lambda c: "-".join(f"{v}" for v in c.values()))
def test_depthwise_bit_exact(layer_runner, case: dict) -> None:
    rng = rng_for(case)
    model, xs = depthwise_model(case, rng)
    assert_bit_exact(layer_runner, model, xs)


# ---- CONV_2D + pool (fused) -----------------------------------------------------------------


def conv_pool_model(case: dict, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    case = dict(case)
    in_shape = case.pop("in_shape")
    pool = case.pop("pool")
    pool_size = case.pop("pool_size", (2, 2))
    pool_stride = case.pop("pool_stride", pool_size)
    pool_padding = case.pop("pool_padding", "VALID")
    pool_activation = case.pop("pool_activation", "NONE")
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.04, zero_point=-9)
    xs = inputs_for(in_shape, rng)
    y, _ = add_conv2d(b, x, xs, rng, **case)
    out_hw = [(n + s - 1) // s if pool_padding == "SAME" else (n - k + s) // s
              for n, k, s in zip(y.shape[1:3], pool_size, pool_stride, strict=True)]
    z = b.tensor("z", (1, *out_hw, y.shape[3]), scale=y.scale, zero_point=y.zero_point)
    b.op(pool, [y], [z], padding=pool_padding, stride_h=pool_stride[0], stride_w=pool_stride[1],
         filter_height=pool_size[0], filter_width=pool_size[1],
         fused_activation_function=pool_activation)
    b.output(z)
    return b.build(), xs


CONV_POOL_CASES = [
    dict(in_shape=(1, 28, 28, 1), filters=8, kernel=(5, 5), padding="VALID",
         activation="RELU", pool="MAX_POOL_2D"),  # the seed model's first layer
    dict(in_shape=(1, 12, 12, 8), filters=16, kernel=(5, 5), padding="VALID",
         activation="RELU", pool="MAX_POOL_2D"),
    dict(in_shape=(1, 12, 12, 8), filters=16, kernel=(5, 5), padding="VALID",
         activation="RELU", pool="AVERAGE_POOL_2D"),
    dict(in_shape=(1, 11, 11, 3), filters=5, pool="MAX_POOL_2D", pool_size=(3, 3),
         pool_stride=(2, 2)),  # overlapping windows
    dict(in_shape=(1, 11, 11, 3), filters=5, pool="AVERAGE_POOL_2D", pool_size=(3, 3),
         pool_stride=(2, 2), pool_padding="SAME"),  # clipped windows
    dict(in_shape=(1, 9, 10, 4), filters=6, stride=(2, 1), pool="MAX_POOL_2D", pool_size=(2, 3),
         pool_stride=(1, 2), pool_padding="SAME", pool_activation="RELU6"),
    dict(in_shape=(1, 8, 8, 16), filters=8, kernel=(1, 1), pool="AVERAGE_POOL_2D",
         pool_size=(8, 8), pool_stride=(1, 1)),  # global average pool after a 1x1
    dict(in_shape=(1, 8, 8, 6), filters=7, pool="MAX_POOL_2D", pool_activation="RELU"),
    # a global average over an odd count (the pairs' last pixel alone), 9 channels (two words
    # and one byte folded, an odd channel pair)
    dict(in_shape=(1, 7, 5, 12), filters=9, kernel=(1, 1), pool="AVERAGE_POOL_2D",
         pool_size=(7, 5), pool_stride=(1, 1)),
    # one input channel (staged columns) with the image's padding, odd widths, 3x3 windows
    # clipped by the pool's padding
    dict(in_shape=(1, 13, 11, 1), filters=5, kernel=(3, 3), pool="MAX_POOL_2D",
         pool_size=(3, 3), pool_stride=(3, 3), pool_padding="SAME"),
    dict(in_shape=(1, 13, 11, 3), filters=6, kernel=(5, 5), stride=(2, 1), dilation=(1, 2),
         pool="AVERAGE_POOL_2D", pool_size=(3, 2), pool_stride=(2, 2), pool_padding="SAME"),
]


@pytest.mark.parametrize("weights", ["int8", "int16"])
@pytest.mark.parametrize("form", ["pair", "lean"])
@pytest.mark.parametrize("case", CONV_POOL_CASES,
                         ids=lambda c: "-".join(f"{v}" for v in c.values()))
def test_conv_pool_fused_bit_exact(layer_runner, case: dict, form: str, weights: str) -> None:
    """Both forms (two convolution pixels a pass, or one), int8 or int16 weights
    (edgeai_conv_pool_wide_s8), on the DSP path."""
    rng = rng_for(case)
    model, xs = conv_pool_model(case, rng)
    wide = weights == "int16"
    kernel = lower_single(model, fuse=True, wide=wide)[2].kernel
    assert kernel == ("edgeai_conv_pool_wide_s8" if wide else "edgeai_conv_pool_s8")
    assert_bit_exact(layer_runner, model, xs, fuse=True, lean=form == "lean", wide=wide)


@pytest.mark.parametrize("weights", ["int8", "int16"])
@pytest.mark.parametrize("form", ["pair", "lean"])
def test_conv_pool_forms_portable(portable_sanitized_runner, form: str, weights: str) -> None:
    """The portable path takes either form's params and scratch, and either weights."""
    for index in (0, 4, 8, 9):
        case = CONV_POOL_CASES[index]
        model, xs = conv_pool_model(case, rng_for(case))
        assert_bit_exact(portable_sanitized_runner, model, xs, fuse=True, lean=form == "lean",
                         wide=weights == "int16")


def test_conv_pool_scratch_is_small() -> None:
    """The fused layer's scratch is a few columns, far below the conv output it replaces."""
    rng = np.random.default_rng(5)
    model, _ = conv_pool_model(CONV_POOL_CASES[0], rng)
    graph, op, layer = lower_single(model, fuse=True)
    intermediate = graph.tensor(op.options["pool"]["intermediate"])
    assert layer.kernel == "edgeai_conv_pool_s8"
    # 7 quads of 20 bytes (two int16 columns, an int8 column) + 2 pixels of 8; the lean form
    # has one int16 column (12 bytes a quad) and one pixel
    assert (columns(layer), layer.scratch_bytes) == (2, 156)
    lean = conv_pool_lean(layer)
    assert (columns(lean), lean.scratch_bytes) == (1, 92)
    assert conv_pool_lean(lean) is None
    assert layer.scratch_bytes < intermediate.size // 10
    assert layer.macc == 115_208 + 4_608  # the seed report's conv2d_0 c_macc


def test_conv_macc_matches_st() -> None:
    """conv2d_0 of the seed report: 208 parameters, 24x24x8 output -> 115,208 MACC."""
    rng = np.random.default_rng(6)
    model, _ = conv_model(dict(in_shape=(1, 28, 28, 1), filters=8, kernel=(5, 5),
                               padding="VALID"), rng)
    _, _, layer = lower_single(model)
    assert layer.macc == 115_208
    assert layer.c_type == "Conv2D"
    assert layer.scratch_bytes == 140  # 25 taps: 7 quads, 16 bytes of int16 columns + 4 of int8


# ---- refusals -------------------------------------------------------------------------------


def test_check_names_unsupported_options() -> None:
    rng = np.random.default_rng(7)
    model, _ = conv_model(dict(in_shape=(1, 8, 8, 3), filters=4), rng)
    graph = import_model(model)
    op = graph.ops[0]
    assert check_conv(graph, op) is None
    op.options["fused_activation_function"] = "TANH"
    assert "TANH" in check_conv(graph, op)
    op.options["fused_activation_function"] = "NONE"
    op.options["stride_h"] = 0
    assert "stride_h 0" in check_conv(graph, op)
    op.options["stride_h"] = 1
    graph.tensors[op.inputs[1]].quant = graph.tensors[op.inputs[1]].quant.__class__(
        scale=(0.1,), zero_point=(3,))
    assert "zero point 3" in check_conv(graph, op)


def test_check_refuses_inconsistent_depth_multiplier() -> None:
    rng = np.random.default_rng(8)
    model, _ = depthwise_model(dict(in_shape=(1, 6, 6, 4), depth_multiplier=2), rng)
    graph = import_model(model)
    op = graph.ops[0]
    assert check_depthwise(graph, op) is None
    op.options["depth_multiplier"] = 1
    assert "depth_multiplier 1" in check_depthwise(graph, op)


def test_lower_refuses_an_op_its_check_refuses() -> None:
    from edgeai_tool.errors import EdgeAIError

    rng = np.random.default_rng(9)
    model, _ = conv_model(dict(in_shape=(1, 8, 8, 3), filters=4), rng)
    graph = import_model(model)
    graph.ops[0].options["padding"] = "REFLECT"
    with pytest.raises(EdgeAIError, match="padding REFLECT"):
        lower(graph, graph.ops[0])


# ---- MLPerf Tiny: every conv / depthwise / pool layer, with its real weights ----------------

_OPTION_KEYS = {
    "CONV_2D": ("padding", "stride_h", "stride_w", "dilation_h_factor", "dilation_w_factor",
                "fused_activation_function"),
    "DEPTHWISE_CONV_2D": ("padding", "stride_h", "stride_w", "dilation_h_factor",
                          "dilation_w_factor", "fused_activation_function",
                          "depth_multiplier"),
    "MAX_POOL_2D": ("padding", "stride_h", "stride_w", "filter_height", "filter_width",
                    "fused_activation_function"),
    "AVERAGE_POOL_2D": ("padding", "stride_h", "stride_w", "filter_height", "filter_width",
                        "fused_activation_function"),
}


def single_op_model(graph: Graph, index: int) -> bytes:
    """Op `index` of `graph` alone in a model, with its tensors, weights and quantization."""
    op = graph.ops[index]
    b = ModelBuilder()
    refs = []
    for position, tensor_id in enumerate(op.inputs):
        if tensor_id < 0:
            refs.append(None)
            continue
        t = graph.tensor(tensor_id)
        quant = t.quant
        kwargs = dict(scale=list(quant.scale), zero_point=list(quant.zero_point),
                      axis=quant.axis) if quant else {}
        if position == 0:
            refs.append(b.input("x", t.shape, scale=quant.scale[0],
                                zero_point=quant.zero_point[0]))
        else:
            refs.append(b.const(f"c{position}", t.data, **kwargs))
    y = graph.tensor(op.outputs[0])
    out = b.tensor("y", y.shape, scale=y.quant.scale[0], zero_point=y.quant.zero_point[0])
    options = {k: op.options[k] for k in _OPTION_KEYS[op.kind] if k in op.options}
    if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D"):
        options["dilation_h_factor"], options["dilation_w_factor"] = dilations(op.options)
    b.op(op.kind, refs, [out], **options)
    b.output(out)
    return b.build()


@pytest.mark.parametrize("name", ["kws_ref_model.tflite", "vww_96_int8.tflite",
                                  "pretrainedResnet_quant.tflite"])
def test_mlperf_layers_bit_exact(layer_runner, name: str) -> None:
    path = MLPERF / name
    graph = import_model(path.read_bytes())
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    count = 0
    seen = set()
    for index, op in enumerate(graph.ops):
        if op.kind not in _OPTION_KEYS:
            continue
        reason = supported_ops()[op.kind].check(graph, op)
        assert reason is None, f"op {index} {op.kind}: {reason}"
        # Repeated blocks (KWS's four, VWW's five) run the same code: one of each structure.
        structure = (op.kind, tuple(graph.tensor(op.inputs[0]).shape),
                     tuple(graph.tensor(op.outputs[0]).shape),
                     tuple(graph.tensor(op.inputs[1]).shape) if len(op.inputs) > 1 else (),
                     repr(sorted(op.options.items())))
        if structure in seen:
            continue
        seen.add(structure)
        model = single_op_model(graph, index)
        x_shape = graph.tensor(op.inputs[0]).shape
        xs = np.concatenate([rng.integers(-128, 127, size=(2, *x_shape), endpoint=True,
                                          dtype=np.int8), smooth_inputs(x_shape, 2, rng)])
        assert_bit_exact(layer_runner, model, xs, min_unsaturated=0.0)
        count += 1
    assert count > 0


def test_portable_path_under_sanitizers(portable_sanitized_runner) -> None:
    """The portable path (the DSP path is covered by `layer_runner`'s sanitize variant)."""
    for builder, case, fuse in [(conv_model, CONV_CASES[2], False),
                                (conv_model, CONV_CASES[6], False),
                                (conv_model, CONV_CASES[7], False),
                                (manual_conv_model, MANUAL_CASES[3], False),
                                (depthwise_model, DEPTHWISE_CASES[1], False),
                                (depthwise_model, DEPTHWISE_CASES[5], False),
                                (depthwise_model, DEPTHWISE_CASES[7], False),
                                (conv_pool_model, CONV_POOL_CASES[1], True),
                                (conv_pool_model, CONV_POOL_CASES[4], True)]:
        rng = rng_for(case)
        model, xs = (builder(rng, **case) if builder is manual_conv_model
                     else builder(case, rng))
        assert_bit_exact(portable_sanitized_runner, model, xs, fuse=fuse)


S16_CASES = [
    dict(op="conv", in_shape=(1, 9, 9, 3), filters=8),
    dict(op="conv", in_shape=(1, 10, 11, 4), filters=5, kernel=(3, 2), stride=(2, 2),
         padding="VALID", per_channel=False),
    dict(op="conv", in_shape=(1, 8, 8, 6), filters=7, kernel=(1, 1)),
    dict(op="conv", in_shape=(1, 12, 12, 2), filters=4, dilation=(2, 2), activation="RELU6"),
    dict(op="conv", in_shape=(1, 5, 5, 300), filters=3, kernel=(2, 2)),  # long accumulation
    dict(op="depthwise", in_shape=(1, 9, 9, 5)),
    dict(op="depthwise", in_shape=(1, 10, 10, 3), depth_multiplier=2, stride=(2, 2)),
    dict(op="depthwise", in_shape=(1, 11, 11, 4), kernel=(5, 5), dilation=(2, 1),
         padding="VALID", activation="RELU", per_channel=False),
]


@pytest.mark.parametrize("case", S16_CASES,
                         ids=lambda c: "-".join(f"{k}={v}" for k, v in c.items()))
def test_16x8_bit_exact_against_tflm(case: dict, tmp_path) -> None:
    """int16 activations, int8 weights, int64 bias (edgeai_conv_s16 and
    edgeai_depthwise_conv_s16) in a generated network under ASan/UBSan."""
    case = dict(case)
    rng = rng_for(case)
    b = ModelBuilder()
    x, xs = int16_input(b, case.pop("in_shape"), rng)
    add = add_conv2d if case.pop("op") == "conv" else add_depthwise_conv2d
    filters = case.pop("filters", None)
    y, _ = add(b, x, xs[:, None], rng, *([filters] if filters else []), **case)
    b.output(y)
    outputs = assert_network_bit_exact(b.build(), [xs], tmp_path)
    if case.get("activation", "NONE") == "NONE":
        assert_not_saturated(outputs[0])


def test_16x8_refuses_a_fused_pool() -> None:
    """Fusion asks the check first: an int16 convolution keeps its pool apart."""
    rng = np.random.default_rng(4)
    b = ModelBuilder()
    x, xs = int16_input(b, (1, 8, 8, 2), rng)
    y, _ = add_conv2d(b, x, xs[:, None], rng, 3)
    pooled = b.tensor("p", (1, 4, 4, 3), scale=y.scale, zero_point=0, dtype=np.int16)
    b.op("MAX_POOL_2D", [y], [pooled], padding="VALID", stride_h=2, stride_w=2,
         filter_height=2, filter_width=2)
    b.output(pooled)
    graph = import_model(b.build())
    graph = fuse_conv_pool(graph)
    assert [op.kind for op in graph.ops] == ["CONV_2D", "MAX_POOL_2D"]


def _s16_layer(kind: str, bias_dtype, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """One 16x8 CONV_2D (5 filters) or DEPTHWISE_CONV_2D, 3x3 SAME, with a bias of
    `bias_dtype`, and int16 samples."""
    b = ModelBuilder()
    x, xs = int16_input(b, (1, 7, 7, 4), rng)
    depthwise = kind == "DEPTHWISE_CONV_2D"
    shape, axis = ((1, 3, 3, 4), 3) if depthwise else ((5, 3, 3, 4), 0)
    wq, ws = quantize_weights(rng.normal(0, 0.3, shape), per_channel=True, axis=axis)
    bq, bs = bias_for(rng.normal(0, 0.2, shape[axis]), x.scale, ws, bias_dtype)
    y = b.tensor("y", (1, 7, 7, shape[axis]), scale=6.0 / 32767, zero_point=0, dtype=np.int16)
    options = {"depth_multiplier": 1} if depthwise else {}
    b.op(kind, [x, b.const("w", wq, scale=ws, zero_point=0, axis=axis),
                b.const("b", bq, scale=bs)], [y], padding="SAME", stride_h=1, stride_w=1,
         **options)
    b.output(y)
    return b.build(), xs


def test_16x8_int32_bias(tmp_path) -> None:
    """CONV_2D takes an int32 bias with int16 activations (TFLM's int32 accumulator);
    DEPTHWISE_CONV_2D does not (TFLM has only the int64 one), and says so."""
    model, xs = _s16_layer("CONV_2D", np.int32, np.random.default_rng(33))
    outputs = assert_network_bit_exact(model, [xs], tmp_path)
    assert_not_saturated(outputs[0])
    model, _ = _s16_layer("DEPTHWISE_CONV_2D", np.int32, np.random.default_rng(34))
    graph = import_model(model)
    assert "bias must be a constant int64 tensor with int16" in \
        check_depthwise(graph, graph.ops[0])
