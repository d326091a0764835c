"""DEPTHWISE_CONV_2D in both weight formats (int8, and int16 under -O time/balanced) vs
tflite-micro, bit for bit, on the DSP path (emulated, under ASan/UBSan) and the portable one.

The cases aim at each path of edgeai_depthwise.c: the last group of four channels overlapping
the one before (channel counts not a multiple of 4), fewer than four channels and depth
multipliers above 1 (the portable loops), 3x3 windows at stride 1 in horizontal pairs, stride
2 and dilation (single pixels), padding on every side, maps so small that every pixel is a
border one, and per-channel multipliers above and below 1 (the exact requantization). The
overwrite limit is checked by running layers in place at it, and the strips it assumes
against the order in which the kernel reads and stores.
"""

from __future__ import annotations

import shutil
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_qemu_bit_exact, require_qemu_m7
from support.mixed_multipliers import IN_SCALE, OUT_SCALE, mixed_bias, mixed_weights
from support.reference import run_tflm
from support.tflite_builder import ModelBuilder, add_depthwise_conv2d
from test_conv import inputs_for

from edgeai_tool.codegen.layers import lower
from edgeai_tool.codegen.layers.conv import (
    depthwise_runs_strips,
    depthwise_strips,
    depthwise_weights,
    depthwise_weights_wide,
)
from edgeai_tool.compiler import compile_model
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.options import Options
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.reference import run_reference

KERNELS = {False: "edgeai_depthwise_conv_s8", True: "edgeai_depthwise_conv_wide_s8"}
RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"


def model_for(case: dict, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    case = dict(case)
    in_shape = case.pop("in_shape")
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.03, zero_point=case.pop("in_zp", -5))
    xs = inputs_for(in_shape, rng)
    y, _ = add_depthwise_conv2d(b, x, xs, rng, **case)
    b.output(y)
    return b.build(), xs


def mixed_model(in_shape: tuple[int, ...], rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """3x3 stride 1 SAME, odd channels with a multiplier above 1 (a left shift)."""
    channels = in_shape[3]
    wq, ws = mixed_weights(rng, channels, 9)
    bq, bs = mixed_bias(rng, ws)
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=IN_SCALE, zero_point=-6)
    w = b.const("w", wq.T.reshape(1, 3, 3, channels), scale=ws, zero_point=0, axis=3)
    bias = b.const("b", bq, scale=bs)
    y = b.tensor("y", in_shape, scale=OUT_SCALE, zero_point=3)
    b.op("DEPTHWISE_CONV_2D", [x, w, bias], [y], padding="SAME", stride_h=1, stride_w=1,
         depth_multiplier=1)
    b.output(y)
    return b.build(), inputs_for(in_shape, rng)


def assert_layer_bit_exact(runner, model: bytes, xs: np.ndarray, wide: bool,
                           exact_rounding: bool | None = None) -> None:
    graph = import_model(model)
    (op,) = graph.ops
    layer = lower(graph, op, wide_weights=wide)
    assert layer.kernel == KERNELS[wide]
    if exact_rounding is not None:
        assert layer.data["rq_fast"] == int(not exact_rounding)
    expected = run_tflm(model, [xs])[0].reshape(len(xs), -1)
    got = runner.run(layer, xs, graph.tensor(op.outputs[0]).size)
    mismatches = np.argwhere(got != expected)
    assert mismatches.size == 0, (f"{len(mismatches)} of {expected.size} outputs differ, "
                                  f"first (sample, index): {mismatches[:5].tolist()}")
    assert np.mean((expected > -128) & (expected < 127)) >= 0.3


CASES = {
    "pairs-c8": dict(in_shape=(1, 6, 9, 8), activation="RELU"),
    "pairs-c7-overlap": dict(in_shape=(1, 5, 8, 7)),
    "pairs-c19-relu6": dict(in_shape=(1, 4, 7, 19), activation="RELU6"),
    "c3-portable": dict(in_shape=(1, 6, 6, 3)),
    "multiplier-2": dict(in_shape=(1, 6, 7, 5), depth_multiplier=2),
    "stride2-c6": dict(in_shape=(1, 9, 10, 6), stride=(2, 2)),
    "stride2-valid-c5": dict(in_shape=(1, 9, 9, 5), stride=(2, 2), padding="VALID"),
    "dilation-c9": dict(in_shape=(1, 9, 9, 9), dilation=(2, 2)),
    "5x5-c6": dict(in_shape=(1, 7, 8, 6), kernel=(5, 5), activation="RELU_N1_TO_1"),
    "all-border-2x3": dict(in_shape=(1, 2, 3, 5)),
    "all-border-1x1": dict(in_shape=(1, 1, 1, 4), kernel=(3, 3)),
    "per-tensor-c10": dict(in_shape=(1, 5, 6, 10), per_channel=False, in_zp=-128),
}


@pytest.mark.parametrize("wide", [False, True], ids=["int8", "int16"])
@pytest.mark.parametrize("name", CASES)
def test_depthwise_formats_bit_exact(layer_runner, name: str, wide: bool) -> None:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = model_for(CASES[name], rng)
    assert_layer_bit_exact(layer_runner, model, xs, wide)


@pytest.mark.parametrize("wide", [False, True], ids=["int8", "int16"])
@pytest.mark.parametrize("name", ["pairs-c7-overlap", "multiplier-2", "stride2-c6",
                                  "all-border-2x3"])
def test_depthwise_portable_bit_exact(portable_sanitized_runner, name: str, wide: bool) -> None:
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = model_for(CASES[name], rng)
    assert_layer_bit_exact(portable_sanitized_runner, model, xs, wide)


@pytest.mark.parametrize("path", ["dsp", "portable"])
@pytest.mark.parametrize("wide", [False, True], ids=["int8", "int16"])
@pytest.mark.parametrize("in_shape", [(1, 5, 8, 10), (1, 4, 6, 7)])
def test_depthwise_multipliers_above_and_below_one(layer_runner, portable_sanitized_runner,
                                                   in_shape: tuple[int, ...], wide: bool,
                                                   path: str) -> None:
    rng = np.random.default_rng(zlib.crc32(repr(in_shape).encode()))
    model, xs = mixed_model(in_shape, rng)
    runner = layer_runner if path == "dsp" else portable_sanitized_runner
    assert_layer_bit_exact(runner, model, xs, wide, exact_rounding=True)


def _fields(word: int, bits: int) -> list[int]:
    """The signed `bits`-wide fields of a 32-bit word, lowest first."""
    fields = [(int(word) >> shift) & ((1 << bits) - 1) for shift in range(0, 32, bits)]
    return [f - (1 << bits) if f >> (bits - 1) else f for f in fields]


def test_weight_layouts_group_channels_by_four() -> None:
    """Seven channels: groups 0..3 and 3..6 (the last overlaps), first channel lowest."""
    w = np.arange(2 * 7, dtype=np.int8).reshape(1, 1, 2, 7) - 5
    narrow = depthwise_weights(w).view(np.uint32)
    assert narrow.size == 2 * 2  # groups x taps, one word each
    assert _fields(narrow[0], 8) == [-5, -4, -3, -2]
    assert _fields(narrow[2], 8) == [-2, -1, 0, 1]
    wide = depthwise_weights_wide(w).view(np.uint32)
    assert wide.size == 2 * 2 * 2
    assert _fields(wide[0], 16) + _fields(wide[1], 16) == [-5, -3, -4, -2]  # (0, 2), (1, 3)


@pytest.mark.parametrize("optimization, kernel", [("time", KERNELS[True]),
                                                  ("balanced", KERNELS[True]),
                                                  ("ram", KERNELS[False])])
def test_optimization_picks_the_weight_format(tmp_path, optimization: str, kernel: str) -> None:
    rng = np.random.default_rng(13)
    model, _ = model_for(CASES["pairs-c8"], rng)
    path = tmp_path / "dw.tflite"
    path.write_bytes(model)
    compilation = compile_model(path, Options(name="network", optimization=optimization))
    (layer,) = [layer for layer in compilation.layers if "depthwise" in layer.kernel]
    assert layer.kernel == kernel


QEMU_SHAPES = {
    # width 5, 7 (a triple, then pairs), 1, 2, 3, 4, 6; channels 7 and 5 (the last group
    # overlaps), 12; stride 2 (single pixels); 5x5 and dilation (the generic loops)
    "w5-c7-relu6": dict(in_shape=(1, 6, 5, 7), activation="RELU6"),
    "w7-c12": dict(in_shape=(1, 4, 7, 12)),
    "w1-c5": dict(in_shape=(1, 5, 1, 5)),
    "w2-c8": dict(in_shape=(1, 4, 2, 8), activation="RELU"),
    "w3-c5": dict(in_shape=(1, 3, 3, 5)),
    "w4-c9": dict(in_shape=(1, 5, 4, 9)),
    "w6-valid-c6": dict(in_shape=(1, 5, 6, 6), padding="VALID"),
    "w9-valid-c4": dict(in_shape=(1, 4, 9, 4), padding="VALID"),
    "stride2-w7-c6": dict(in_shape=(1, 7, 7, 6), stride=(2, 2)),
    "stride-h2-w5-c4": dict(in_shape=(1, 7, 5, 4), stride=(2, 1)),
    "5x5-c6": dict(in_shape=(1, 7, 8, 6), kernel=(5, 5)),
}


@pytest.mark.parametrize("wide", [False, True], ids=["int8", "int16"])
@pytest.mark.parametrize("name", QEMU_SHAPES)
def test_depthwise_strip_shapes_bit_exact(layer_runner, name: str, wide: bool) -> None:
    """The same widths on the host (the strips' C, emulated DSP, ASan/UBSan)."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = model_for(QEMU_SHAPES[name], rng)
    assert_layer_bit_exact(layer_runner, model, xs, wide)


def chained_model(case: dict, rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """The case's depthwise convolution twice over (3x3 SAME stride 1 the second time), so
    that the second one reads an activation buffer its output may overwrite in place."""
    case = dict(case)
    in_shape = case.pop("in_shape")
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.03, zero_point=-5)
    xs = inputs_for(in_shape, rng)
    y, yf = add_depthwise_conv2d(b, x, xs, rng, name="dw1", **case)
    z, _ = add_depthwise_conv2d(b, y, yf, rng, name="dw2")
    b.output(z)
    return b.build(), xs


def _qemu_matches_tflm(tmp_path, model: bytes, xs: np.ndarray, optimization: str) -> None:
    require_qemu_m7()
    path = tmp_path / "model.tflite"
    path.write_bytes(model)
    compilation = compile_model(path, Options(target="qemu-m7", optimization=optimization))
    wide = optimization == "time"
    assert {layer.kernel for layer in compilation.layers} == {KERNELS[wide]}
    assert_qemu_bit_exact(compilation, xs)


@pytest.mark.parametrize("optimization", ["time", "ram"])
@pytest.mark.parametrize("name", QEMU_SHAPES)
def test_cortex_m7_depthwise_in_qemu_matches_tflite_micro(tmp_path, name: str,
                                                          optimization: str) -> None:
    """The Arm code (the strips' inline assembly, not the C stand-ins) on QEMU, int16 and
    int8 weights, at widths where the strips meet the borders."""
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = chained_model(QEMU_SHAPES[name], rng)
    _qemu_matches_tflm(tmp_path, model, xs[::4], optimization)


@pytest.mark.parametrize("optimization", ["time", "ram"])
@pytest.mark.parametrize("in_shape", [(1, 5, 5, 7), (1, 4, 6, 10)])
def test_cortex_m7_depthwise_exact_rounding_in_qemu(tmp_path, in_shape: tuple[int, ...],
                                                    optimization: str) -> None:
    """Multipliers above and below 1 (the exact requantization) on the Arm code."""
    rng = np.random.default_rng(zlib.crc32(repr(in_shape).encode()))
    model, xs = mixed_model(in_shape, rng)
    _qemu_matches_tflm(tmp_path, model, xs[::4], optimization)


@pytest.mark.parametrize("out_w, in_w, pad_left, counts", [
    (5, 5, 1, [3, 2]),  # KWS: a triple at the left padding, a pair at the right one
    (7, 7, 1, [3, 2, 2]),
    (4, 4, 1, [2, 2]),
    (3, 3, 1, [2, 1]),  # the single's window leaves the image: a border pixel
    (2, 2, 1, [1, 1]),  # a pair would leave the image on both sides
    (1, 1, 1, [1]),
    (7, 9, 0, [2, 2, 2, 1]),  # VALID: no padding, a single last
    (8, 6, 2, [1, 3, 2, 1, 1]),  # two columns of padding: border pixels at both ends
])
def test_strip_schedule(out_w: int, in_w: int, pad_left: int, counts: list[int]) -> None:
    """The pixel counts the generator assumes for the overwrite limit, as dw_row_3x3_s1 runs
    them."""
    assert depthwise_strips(out_w, in_w, pad_left) == counts


def padded_model(rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """A PAD of two columns on the left (one on the right), which the compiler folds into
    the 3x3 stride-1 depthwise convolution after it: windows with two columns outside."""
    in_shape = (1, 5, 7, 8)
    pads = [(0, 0), (2, 1), (2, 1), (0, 0)]
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.03, zero_point=-5)
    xs = inputs_for(in_shape, rng)
    padded_shape = tuple(n + p + q for n, (p, q) in zip(in_shape, pads, strict=True))
    p = b.tensor("pad", padded_shape, scale=0.03, zero_point=-5)
    b.op("PAD", [x, b.const("paddings", np.array(pads, np.int32))], [p])
    ps = np.pad(xs, [(0, 0), *pads], constant_values=-5)
    y, _ = add_depthwise_conv2d(b, p, ps, rng, padding="VALID")
    b.output(y)
    return b.build(), xs


@pytest.mark.parametrize("optimization", ["time", "ram"])
def test_cortex_m7_depthwise_two_padded_columns_in_qemu(tmp_path, optimization: str) -> None:
    """Explicit padding wider than the strips take: border pixels, then strips."""
    model, xs = padded_model(np.random.default_rng(29))
    _qemu_matches_tflm(tmp_path, model, xs[::4], optimization)


def multiplier_chain(depth_multiplier: int,
                     rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """A 3x3 SAME depthwise convolution on four channels, then a 3x3 VALID one with a depth
    multiplier above 1 (the portable loops, pixel by pixel), whose output the plan lays
    over its input."""
    in_shape = (1, 4, 6, 4)
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=0.03, zero_point=-5)
    xs = inputs_for(in_shape, rng)
    y, yf = add_depthwise_conv2d(b, x, xs, rng, name="dw1")
    z, _ = add_depthwise_conv2d(b, y, yf, rng, name="dw2", depth_multiplier=depth_multiplier,
                                padding="VALID")
    b.output(z)
    return b.build(), xs


@pytest.mark.parametrize("optimization", ["balanced", "ram"])
@pytest.mark.parametrize("depth_multiplier", [2, 3])
def test_depth_multiplier_in_place_matches_tflite_micro(tmp_path, depth_multiplier: int,
                                                        optimization: str) -> None:
    """The generated network on the host: the second layer's output written over its input
    (the overwrite limit of the pixel-by-pixel loops, not the strips')."""
    model, xs = multiplier_chain(depth_multiplier, np.random.default_rng(depth_multiplier))
    path = tmp_path / "model.tflite"
    path.write_bytes(model)
    compilation = compile_model(path, Options(name="network", optimization=optimization))
    assert any(compilation.plan.written_over(key) for key in compilation.plan.allocations)
    inputs = [xs.reshape(len(xs), *xs.shape[2:])]
    with HostNetwork(compilation) as network:
        got = network.run(inputs)
    reference = run_reference(path, inputs)
    np.testing.assert_array_equal(got[0].reshape(reference[0].shape), reference[0])


@pytest.mark.parametrize("optimization", ["time", "ram"])
@pytest.mark.parametrize("depth_multiplier", [2, 3])
def test_cortex_m7_depth_multiplier_in_place_in_qemu(tmp_path, depth_multiplier: int,
                                                     optimization: str) -> None:
    model, xs = multiplier_chain(depth_multiplier, np.random.default_rng(depth_multiplier))
    _qemu_matches_tflm(tmp_path, model, xs[::4], optimization)


def random_layer(rng: np.random.Generator) -> dict:
    """A depthwise convolution around the strips' gate: 3x3 windows at stride 1 across
    (strips when the depth multiplier is 1 and there are at least four channels), else a
    stride, a dilation or another kernel; one to nine channels, multipliers 1 to 3."""
    case = dict(in_shape=(1, int(rng.integers(3, 7)), int(rng.integers(1, 10)),
                          int(rng.integers(1, 10))),
                depth_multiplier=int(rng.choice([1, 1, 2, 3])),
                padding=str(rng.choice(["SAME", "VALID"])))
    variant = rng.integers(6)  # half of them 3x3 at stride 1 across
    if variant == 1:
        case["stride"] = (int(rng.integers(1, 3)), 2)
    elif variant == 2:
        case["dilation"] = (int(rng.integers(1, 3)), 2)
    elif variant == 3:
        case["kernel"] = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    else:
        case["stride"] = (int(rng.integers(1, 3)), 1)
    if case["padding"] == "VALID":
        # a window must fit: the input at least as large as the dilated kernel
        kernel = np.array(case.get("kernel", (3, 3)))
        span = (kernel - 1) * np.array(case.get("dilation", (1, 1))) + 1
        h, w = np.maximum(case["in_shape"][1:3], span)
        case["in_shape"] = (1, int(h), int(w), case["in_shape"][3])
    return case


LIMIT_CASES = {
    **{f"random-{seed}": random_layer(np.random.default_rng(seed)) for seed in range(40)},
    # where the strips' limit, applied to the pixel-by-pixel loops, let a pixel's late
    # output channels overwrite its window's first input channels before they were read
    "multiplier-3-w4-c4": dict(in_shape=(1, 4, 4, 4), depth_multiplier=3, padding="VALID"),
    "multiplier-3-w6-c3": dict(in_shape=(1, 4, 6, 3), depth_multiplier=3, padding="VALID"),
    "multiplier-2-w4-c4": dict(in_shape=(1, 4, 4, 4), depth_multiplier=2, padding="VALID"),
    # strips: a triple then a pair (KWS's rows), pairs then a single, rows at stride 2
    "strips-w5-c8": dict(in_shape=(1, 5, 5, 8), depth_multiplier=1, padding="SAME"),
    "strips-w9-c6-valid": dict(in_shape=(1, 4, 9, 6), depth_multiplier=1, padding="VALID"),
    "strips-w8-c5-stride-h2": dict(in_shape=(1, 7, 8, 5), depth_multiplier=1, padding="SAME",
                                   stride=(2, 1)),
}


@pytest.mark.parametrize("name", LIMIT_CASES)
def test_overwrite_limit_holds_in_place(layer_runner, portable_sanitized_runner,
                                        name: str) -> None:
    """Property: each layer, run with its output written over its input exactly at the
    generator's overwrite limit, on the DSP loops (strips where depthwise_runs_strips says
    the C runs them: depthwise_dsp and dw_run's `s1`) and on the portable ones, stays
    bit-exact."""
    case = LIMIT_CASES[name]
    rng = np.random.default_rng(zlib.crc32(name.encode()))
    model, xs = model_for(case, rng)
    graph = import_model(model)
    (op,) = graph.ops
    layer = lower(graph, op, wide_weights=bool(zlib.crc32(name.encode()) % 2))
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    strips = depthwise_runs_strips(x, y, {k: v for k, v in layer.params.items()
                                          if isinstance(v, int)})
    assert strips == (case["depth_multiplier"] == 1 and x.shape[3] >= 4
                      and case.get("kernel", (3, 3)) == (3, 3)
                      and case.get("stride", (1, 1))[1] == 1
                      and case.get("dilation", (1, 1))[1] == 1)
    limit = layer.overwrites[op.inputs[0]]
    expected = run_tflm(model, [xs])[0].reshape(len(xs), -1)
    for runner in (layer_runner, portable_sanitized_runner):
        got = runner.run(layer, xs, y.size, overlap=limit)
        mismatches = np.argwhere(got != expected)
        assert mismatches.size == 0, (f"{case}, limit {limit}, {runner.variant}: "
                                      f"{len(mismatches)} outputs differ")


# The kernels, their entry points renamed (the runner links the originals too), with their
# word accesses traced to TRACE in order: a store into the output as its offset, a read of
# the input as "r".
TRACE_PRELUDE = """#include <stdint.h>
#include <stdio.h>
#include <string.h>
static uintptr_t trace_in;
static uintptr_t trace_in_end;
static uintptr_t trace_out;
static uintptr_t trace_end;
static FILE *trace_file;
static void *trace_memcpy(void *to, const void *from, size_t n)
{
    if ((uintptr_t)to >= trace_out && (uintptr_t)to < trace_end) {
        fprintf(trace_file, "%ld\\n", (long)((uintptr_t)to - trace_out));
    } else if ((uintptr_t)from >= trace_in && (uintptr_t)from < trace_in_end) {
        fputs("r\\n", trace_file);
    }
    return memcpy(to, from, n);
}
#define memcpy trace_memcpy
#define edgeai_depthwise_conv_s8 traced_depthwise_conv_s8
#define edgeai_depthwise_conv_wide_s8 traced_depthwise_conv_wide_s8
#include "edgeai_depthwise.c"
#undef memcpy
#undef edgeai_depthwise_conv_s8
static edgeai_status edgeai_depthwise_conv_s8(const edgeai_depthwise_params *p,
                                              const edgeai_depthwise_data *d,
                                              const int8_t *input, int8_t *output)
{
    trace_in = (uintptr_t)input;
    trace_in_end = trace_in + (uintptr_t)(p->input.h * p->input.w * p->input.c);
    trace_out = (uintptr_t)output;
    trace_end = trace_out + (uintptr_t)(p->output.h * p->output.w * p->output.c);
    trace_file = fopen("TRACE", "w");
    const edgeai_status status = traced_depthwise_conv_s8(p, d, input, output);
    fclose(trace_file);
    return status;
}
"""


def traced_strips(runner, layer, xs: np.ndarray, out_size: int, channels: int,
                  workdir: Path) -> list[int]:
    """The pixel counts in which the kernel (the DSP loops, emulated) ran its output, from
    its trace: a strip reads its pixels' windows, then stores their first channel group one
    after the other; a single pixel reads its window before storing."""
    trace = workdir / "trace.txt"
    runner.run(layer, xs[:1], out_size, prelude=TRACE_PRELUDE.replace("TRACE", str(trace)))
    counts: list[int] = []
    read = True
    for line in trace.read_text().split():
        if line == "r":
            read = True
        elif int(line) % channels == 0:  # the first group
            if read:
                counts.append(0)
            counts[-1] += 1
            read = False
    return counts


@pytest.fixture(scope="module")
def dsp_runner(layer_runner, tmp_path_factory):
    """The DSP loops (emulated) at -O2 without sanitizers: quicker to build."""
    return type(layer_runner)("dsp", tmp_path_factory.mktemp("layers-dsp"))


@pytest.mark.parametrize("name", LIMIT_CASES)
def test_strip_schedule_is_the_kernels(dsp_runner, tmp_path, name: str) -> None:
    """Property: the strips the generator's overwrite limit assumes (depthwise_runs_strips,
    depthwise_strips) are those the C runs, read off the order of its reads and stores."""
    case = LIMIT_CASES[name]
    model, xs = model_for(case, np.random.default_rng(zlib.crc32(name.encode())))
    graph = import_model(model)
    (op,) = graph.ops
    layer = lower(graph, op)
    assert layer.kernel == "edgeai_depthwise_conv_s8"
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    params = layer.params
    _, out_h, out_w, _ = y.shape
    strips = depthwise_runs_strips(x, y, {k: v for k, v in params.items()
                                          if isinstance(v, int)})
    if not x.shape[3] == y.shape[3] >= 4:
        assert not strips  # the portable loops, pixel by pixel
        return
    traced = traced_strips(dsp_runner, layer, xs, y.size, y.shape[3], tmp_path)
    expected = []
    for oy in range(out_h):
        iy0 = oy * params["stride_h"] - params["pad_top"]
        inside = iy0 >= 0 and iy0 + 2 * params["dilation_h"] < x.shape[1]
        if strips and inside and layer.data["rq_fast"]:
            expected += depthwise_strips(out_w, x.shape[2], params["pad_left"])
        else:
            expected += [1] * out_w
    assert traced == expected


REGISTER_STARVED_FLAGS = {
    "fixed-r9": ["-O2", "-ffixed-r9", "-fno-omit-frame-pointer"],
    "single-pic-base": ["-O2", "-fPIC", "-msingle-pic-base", "-fno-omit-frame-pointer"],
    "O3-fixed-r9": ["-O3", "-ffixed-r9", "-fno-omit-frame-pointer"],
}


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None, reason="no arm-none-eabi-gcc")
@pytest.mark.parametrize("cpu", [["-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard"],
                                 ["-mcpu=cortex-m4"], ["-mcpu=cortex-m33"]],
                         ids=["m7", "m4", "m33"])
@pytest.mark.parametrize("flags", REGISTER_STARVED_FLAGS.values(), ids=REGISTER_STARVED_FLAGS)
def test_strip_assembly_builds_with_a_frame_pointer_and_a_platform_register(
        tmp_path, flags: list[str], cpu: list[str]) -> None:
    """Two registers fewer than the strips' inline assembly could have (the frame pointer,
    r9 reserved by an RTOS or the PIC base): it still compiles, warning-free."""
    result = subprocess.run(["arm-none-eabi-gcc", *cpu, "-mthumb", "-std=c99", "-Wall",
                             "-Wextra", "-Werror", *flags, "-I", str(RUNTIME), "-c",
                             str(RUNTIME / "edgeai_depthwise.c"), "-o",
                             str(tmp_path / "depthwise.o")],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
