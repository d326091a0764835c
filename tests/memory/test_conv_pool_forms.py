"""The convolutions' two forms in the plan (edgeai_conv_pool_s8, edgeai_conv_s8): a layer
keeps the fast one (two convolution pixels a pass, two columns of scratch) only where the
planned activations stay those of the lean one (one column), under every goal
(edgeai_tool.goals)."""

from __future__ import annotations

from dataclasses import dataclass, replace

import pytest
from support.models import DEMO_MODEL, MLPERF

from edgeai_tool import goals
from edgeai_tool.codegen.layers.base import LayerCode
from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options


@dataclass(frozen=True)
class _Plan:
    activations_bytes: int


def _layer(scratch: int) -> LayerCode:
    return LayerCode(kernel="k", header="h", params_type="p", params={}, data_type="d",
                     data={}, args=[], scratch_bytes=scratch)


def _choose(monkeypatch, live: list[int]) -> tuple[list[int], int]:
    """Scratch chosen per layer (fast 200, lean 100) when step i keeps live[i] bytes
    besides its scratch, and the planned peak."""
    monkeypatch.setattr(goals, "lean_form", lambda layer: (
        replace(layer, scratch_bytes=100) if layer.scratch_bytes == 200 else None))

    def plan_for(graph, layers: list[LayerCode]) -> _Plan:
        return _Plan(max(bytes_ + code.scratch_bytes for bytes_, code in zip(live, layers,
                                                                              strict=True)))

    layers, plan = goals._fast_where_free(None, [_layer(200) for _ in live], plan_for)
    return [code.scratch_bytes for code in layers], plan.activations_bytes


def test_the_fast_form_where_its_scratch_is_not_at_the_peak(monkeypatch) -> None:
    assert _choose(monkeypatch, [1000, 500, 800]) == ([100, 200, 200], 1100)


def test_a_peak_two_layers_reach_apart_keeps_both_lean(monkeypatch) -> None:
    assert _choose(monkeypatch, [1000, 1000]) == ([100, 100], 1100)


def test_no_lean_form_plans_the_layers_as_they_are(monkeypatch) -> None:
    monkeypatch.setattr(goals, "lean_form", lambda layer: None)
    layers = [_layer(300)]
    chosen, plan = goals._fast_where_free(None, layers, lambda g, c: _Plan(c[0].scratch_bytes))
    assert chosen == layers and plan.activations_bytes == 300


def _columns(compilation, prefix: str = "edgeai_conv_pool_") -> list[int]:
    return [layer.params.get("columns", layer.params.get("conv.columns"))
            for layer in compilation.layers if layer.kernel.startswith(prefix)]


@pytest.mark.parametrize("optimization", ["balanced", "time", "ram"])
def test_the_demo_pairs_its_first_convolution_within_its_plan(optimization: str) -> None:
    """conv2d_0's pair fits below the peak; conv2d_2's scratch is at it (with conv2d_0's
    output), so its form stays lean and the activations stay at 1,584 B."""
    compilation = compile_model(DEMO_MODEL, Options(optimization=optimization))
    assert _columns(compilation) == [2, 1]
    assert compilation.plan.activations_bytes == 1_584


def test_kws_pairs_its_global_average() -> None:
    compilation = compile_model(MLPERF / "kws_ref_model.tflite", Options())
    assert _columns(compilation) == [2]
    assert compilation.plan.activations_bytes == 9_984


@pytest.mark.parametrize("optimization", ["balanced", "time"])
def test_ic_runs_its_first_block_in_one_column(optimization: str) -> None:
    """IC's peak is at conv2d_1 and conv2d_2 (the in-place span and conv2d_0's output, kept
    for the residual ADD, beside the scratch): their one-column form keeps the activations
    below the 33,616 B of one int16 column; every other 3x3 stays fast."""
    compilation = compile_model(MLPERF / "pretrainedResnet_quant.tflite",
                                Options(optimization=optimization))
    plain = [layer for layer in compilation.layers
             if layer.kernel in ("edgeai_conv_s8", "edgeai_conv_wide_s8")]
    assert [code.params["columns"] for code in plain] == [2, 1, 1, 2, 2, 2, 2, 2, 2]
    assert compilation.plan.activations_bytes == 33_600


def test_kws_runs_its_pointwise_convolutions_lean_where_they_set_the_peak() -> None:
    """KWS's peak is at its 1x1 convolutions between depthwise layers (input and output of
    25x5x64 each beside the columns): conv2d_2, 4 and 6 run in one column, 192 B less for
    about 2 % more instructions in those layers; the first, a 10x4 convolution, and the
    one fused with the global average keep the pair."""
    compilation = compile_model(MLPERF / "kws_ref_model.tflite", Options())
    assert _columns(compilation, "edgeai_conv_") == [2, 1, 1, 1, 2]
    assert compilation.plan.activations_bytes == 9_984
