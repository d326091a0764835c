"""Patch-based execution under -O ram: the first layers run in row bands.

What a user relies on: -O ram lowers the planned activations where a stage can be patched,
the outputs stay identical to the un-patched network and to tflite-micro (under ASan and
UBSan), the report says what it cost, and the default -O is left alone.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_same_outputs, compile_bytes
from support.tflite_builder import ModelBuilder, add_conv2d, add_depthwise_conv2d

import edgeai_tool.compiler
from edgeai_tool.codegen.layers import lower
from edgeai_tool.codegen.layers.base import Banding
from edgeai_tool.codegen.patch_stage import band_bounds, stage_lengths
from edgeai_tool.compiler import compile_model
from edgeai_tool.goals import Schedule, lower_for_goal, patched_schedule
from edgeai_tool.options import Options
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.reference import run_reference

MODELS = Path(__file__).resolve().parents[2] / "models" / "mlperf_tiny"
RAM = Options(optimization="ram", target="host")
BALANCED = Options(target="host")


def _pool(b: ModelBuilder, kind: str, x, size: int, stride: int, padding: str, name: str):
    rows = -(-x.shape[1] // stride) if padding == "SAME" else (x.shape[1] - size) // stride + 1
    cols = -(-x.shape[2] // stride) if padding == "SAME" else (x.shape[2] - size) // stride + 1
    y = b.tensor(name, (1, rows, cols, x.shape[3]), scale=x.scale, zero_point=x.zero_point)
    b.op(kind, [x], [y], padding=padding, stride_h=stride, stride_w=stride, filter_height=size,
         filter_width=size, fused_activation_function="NONE")
    return y


def spatial_chain() -> bytes:
    """24x16x4 -> conv3x3 relu -> dw3x3/2 -> maxpool3x3 SAME -> conv3x3 dilated 2 ->
    dw3x3 VALID -> avgpool2x2/2 -> dense 10: every bandable kind, padding and stride."""
    rng = np.random.default_rng(7)
    b = ModelBuilder()
    x = b.input("x", (1, 24, 16, 4), scale=0.04, zero_point=-3)
    samples = rng.integers(-128, 128, (4, 1, 24, 16, 4), dtype=np.int8)
    y, f = add_conv2d(b, x, samples, rng, 8, activation="RELU", name="c0")
    y, f = add_depthwise_conv2d(b, y, f, rng, stride=(2, 2), name="d1")
    y = _pool(b, "MAX_POOL_2D", y, 3, 1, "SAME", "p2")
    y, f = add_conv2d(b, y, f[:, :, :, :, :], rng, 12, dilation=(2, 2), name="c3")
    y, f = add_depthwise_conv2d(b, y, f, rng, padding="VALID", name="d4")
    y = _pool(b, "AVERAGE_POOL_2D", y, 2, 2, "VALID", "p5")
    _dense_output(b, y, rng)
    return b.build()


def residual_block() -> bytes:
    """16x8x8 -> conv3x3 relu -> conv3x3 relu -> conv3x3 -> ADD with the first conv's output
    -> conv3x3/2 -> dense 10: a stage whose first output is read twice."""
    rng = np.random.default_rng(5)
    b = ModelBuilder()
    x = b.input("x", (1, 16, 8, 8), scale=0.04, zero_point=-3)
    samples = rng.integers(-128, 128, (4, 1, 16, 8, 8), dtype=np.int8)
    first, f = add_conv2d(b, x, samples, rng, 8, activation="RELU", name="c0")
    y, g = add_conv2d(b, first, f, rng, 8, activation="RELU", name="c1")
    y, g = add_conv2d(b, y, g, rng, 8, name="c2")
    total = b.tensor("sum", y.shape, scale=first.scale + y.scale, zero_point=-128)
    b.op("ADD", [y, first], [total], fused_activation_function="RELU")
    y, _ = add_conv2d(b, total, g + f, rng, 16, stride=(2, 2), name="c3")
    _dense_output(b, y, rng)
    return b.build()


def grouped_conv() -> bytes:
    """8x8x8 -> conv3x3 in 2 groups of 4 channels -> 6 channels."""
    rng = np.random.default_rng(11)
    b = ModelBuilder()
    x = b.input("x", (1, 8, 8, 8), scale=0.04, zero_point=-3)
    w = b.const("w", rng.integers(-127, 128, (6, 3, 3, 4), dtype=np.int8), scale=0.01,
                zero_point=0)
    bias = b.const("b", rng.integers(-500, 500, 6, dtype=np.int32), scale=x.scale * 0.01)
    y = b.tensor("y", (1, 8, 8, 6), scale=0.1, zero_point=0)
    b.op("CONV_2D", [x, w, bias], [y], padding="SAME", stride_h=1, stride_w=1,
         dilation_h_factor=1, dilation_w_factor=1, fused_activation_function="NONE")
    b.output(y)
    return b.build()


def _dense_output(b: ModelBuilder, y, rng: np.random.Generator) -> None:
    size = int(np.prod(y.shape))
    flat = b.tensor("flat", (1, size), scale=y.scale, zero_point=y.zero_point)
    b.op("RESHAPE", [y, b.const("shape", np.array([1, size], dtype=np.int32))], [flat],
         new_shape=[1, size])
    w = b.const("dense_w", rng.integers(-127, 128, (10, size), dtype=np.int8), scale=0.01,
                zero_point=0)
    bias = b.const("dense_b", rng.integers(-500, 500, 10, dtype=np.int32),
                   scale=flat.scale * 0.01)
    out = b.tensor("out", (1, 10), scale=0.1, zero_point=3)
    b.op("FULLY_CONNECTED", [flat, w, bias], [out], fused_activation_function="NONE")
    b.output(out)


def _run(compilation, inputs: list[np.ndarray]) -> list[np.ndarray]:
    with HostNetwork(compilation, sanitize=True) as network:
        return network.run(inputs)


def _samples(compilation, count: int = 3) -> list[np.ndarray]:
    rng = np.random.default_rng(3)
    return [rng.integers(-128, 128, (count, *compilation.graph.tensor(t).shape[1:]),
                         dtype=np.int8) for t in compilation.graph.inputs]


@pytest.mark.parametrize("model,length,count", [
    (spatial_chain, 2, 2), (spatial_chain, 3, 5), (spatial_chain, 4, 3),
    (spatial_chain, 5, 4), (spatial_chain, 6, 5),
    (residual_block, 4, 3), (residual_block, 4, 16), (residual_block, 5, 3)])
def test_every_band_layout_is_bit_exact(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        model, length: int, count: int) -> None:
    """A stage of `length` layers in `count` bands (forced, whatever -O ram would pick)
    gives tflite-micro's outputs: band structures, halos, a residual ADD reading a band
    buffer twice, and the cut over the input."""
    plain = compile_bytes(model(), tmp_path, BALANCED)
    assert length in stage_lengths(plain.graph, plain.layers)

    def forced(goal, graph, flash_budget, plan_for) -> Schedule:
        layers = lower_for_goal(goal, graph, flash_budget)
        rows = graph.tensor(graph.ops[length - 1].outputs[0]).shape[1]
        schedule = patched_schedule(graph, layers, plan_for, length, band_bounds(rows, count),
                                    0)
        assert schedule is not None
        return schedule

    monkeypatch.setattr(edgeai_tool.compiler, "schedule_for_goal", forced)
    patched = compile_bytes(model(), tmp_path, RAM)
    assert len(patched.patch.bands) == count and len(patched.patch.layers) == length
    inputs = _samples(patched)
    outputs = _run(patched, inputs)
    assert_same_outputs(outputs, run_reference(patched.model_path, inputs, len(outputs)))


def test_ram_lowers_the_peak_of_a_synthetic_chain(tmp_path: Path) -> None:
    plain = compile_bytes(spatial_chain(), tmp_path, BALANCED)
    patched = compile_bytes(spatial_chain(), tmp_path, RAM)
    assert patched.patch is not None and plain.patch is None
    assert patched.plan.activations_bytes < plain.plan.activations_bytes
    assert patched.patch.peak_before == plain.plan.activations_bytes
    inputs = _samples(patched)
    assert_same_outputs(_run(patched, inputs), _run(plain, inputs))


@pytest.mark.parametrize("model,before,at_most", [
    ("vww_96_int8.tflite", 46_080, 0.75), ("pretrainedResnet_quant.tflite", 33_600, 0.8)])
def test_mlperf_under_ram_has_a_lower_peak_and_the_same_outputs(
        tmp_path: Path, model: str, before: int, at_most: float) -> None:
    """VWW's peak is its input and first convolution's output, IC's its first residual
    block: in bands, only a few rows of each tensor of the stage exist at a time, and the
    cut lies over the input."""
    model = MODELS / model
    plain, patched = compile_model(model, BALANCED), compile_model(model, RAM)
    assert plain.plan.activations_bytes == before
    assert patched.plan.activations_bytes < at_most * before
    assert patched.patch.extra_macc <= 0.5 * patched.patch.network_macc
    inputs = _samples(patched, 2)
    outputs = _run(patched, inputs)
    assert_same_outputs(outputs, run_reference(model, inputs, len(outputs)))
    info = json.loads(patched.files["network_c_info.json"])["patches"]
    assert info["activations_bytes_before"] == before
    assert info["activations_bytes_after"] == patched.plan.activations_bytes
    assert info["recomputed_macc"] == patched.patch.extra_macc > 0
    assert "Patch-based execution (-O ram)" in patched.report
    assert f"{patched.patch.extra_macc:,}" in patched.report


def test_a_stage_reading_an_input_outside_the_activations_is_bit_exact(tmp_path: Path
                                                                       ) -> None:
    """With --no-inputs-allocation the first layer's bands read the application's input
    buffer at an offset that moves from band to band."""
    options = Options(optimization="ram", target="host", allocate_inputs=False)
    patched = compile_bytes(spatial_chain(), tmp_path, options)
    assert patched.patch is not None and patched.plan.external
    inputs = _samples(patched)
    outputs = _run(patched, inputs)
    assert_same_outputs(outputs, run_reference(patched.model_path, inputs, len(outputs)))


def test_ram_leaves_a_model_it_cannot_improve_unchanged() -> None:
    """The demo's first convolution is fused with its pooling (no bandable chain): -O ram
    writes the same C as the default but for the weights' format (int8 under -O ram)."""
    model = MODELS.parent / "quantized_model.tflite"
    plain, ram = compile_model(model, BALANCED), compile_model(model, RAM)
    assert ram.patch is None

    def narrow(text: str) -> str:
        return text.replace("_wide_s8(", "_s8(").replace("_wide_data", "_data")

    assert "_wide_s8(" in plain.files["network.c"]
    assert narrow(ram.files["network.c"]) == narrow(plain.files["network.c"])


ROW_KINDS = ("CONV_2D", "DEPTHWISE_CONV_2D", "MAX_POOL_2D", "AVERAGE_POOL_2D")


@pytest.mark.parametrize("model", [spatial_chain, residual_block, grouped_conv,
                                   "quantized_model.tflite", "mlperf_tiny/vww_96_int8.tflite",
                                   "mlperf_tiny/pretrainedResnet_quant.tflite",
                                   "mlperf_tiny/kws_ref_model.tflite"])
def test_every_lowering_of_a_band_kernel_says_so(tmp_path: Path, model) -> None:
    """Patch stages take the layers whose lowering sets `LayerCode.banding`: every int8
    convolution (plain, grouped, int16 weights), depthwise convolution (int8 or int16
    weights) and pool runs by rows, unless fused with a pool (the demo's first layer), and
    every ADD of two tensors element for element; the row kernels' structure and
    arguments are those patch_stage rewrites."""
    plain = (compile_bytes(model(), tmp_path, BALANCED) if callable(model)
             else compile_model(MODELS.parent / model, BALANCED))
    graph = plain.graph
    for op in graph.ops:
        int8 = all(graph.tensor(t).dtype == "int8" for t in (op.inputs[0], *op.outputs))
        if op.kind in ROW_KINDS and int8 and "pool" not in op.options:
            expected = Banding.ROWS
        elif op.kind == "ADD" and int8 and not any(graph.tensor(t).is_constant
                                                   for t in op.inputs):
            expected = Banding.ELEMENTWISE
        else:
            expected = Banding.NONE
        for wide in (False, True):
            code = lower(graph, op, wide_weights=wide)
            assert code.banding == expected, (op.kind, code.kernel)
            if code.banding == Banding.ROWS:
                assert {"input", "output", "stride_h", "pad_top"} <= set(code.params)
                assert [a.role for a in code.args] in (["input", "output"],
                                                       ["input", "output", "scratch"])


@pytest.mark.parametrize("model,stage,peak", [
    ("vww_96_int8.tflite",
     ("conv2d_0", "dwconv2d_1", "conv2d_2", "dwconv2d_3", "conv2d_4"), 32_244),
    ("pretrainedResnet_quant.tflite", ("conv2d_0", "conv2d_1", "conv2d_2", "add_3"), 25_760),
    ("kws_ref_model.tflite", ("conv2d_0", "dwconv2d_1"), 9_536)])
def test_mlperf_stages_under_ram(model: str, stage: tuple[str, ...], peak: int) -> None:
    """The stage -O ram runs in bands on each MLPerf Tiny image/audio model, and the peak
    it reaches: a row kernel dropping out of the stages shows here. The stage's code is
    one call per layer, in a loop over the bands (each band's structures are data)."""
    patched = compile_model(MODELS / model, RAM)
    assert patched.patch.layers == stage
    assert patched.plan.activations_bytes == peak
    run = patched.files["network.c"].split("int network_run(void)")[1]
    assert run.count("status = ") == len(stage) + len(patched.layers) - 1
    assert f"band < {len(patched.patch.bands)}u; ++band" in run
