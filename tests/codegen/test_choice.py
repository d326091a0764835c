"""`-O time|ram|balanced`: which layers get int16 weights (edgeai_tool.goals through
edgeai_tool.codegen.choice), and that every goal computes the same outputs as TFLite
Micro."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from support.bitexact import assert_bit_exact, compile_bytes
from support.tflite_builder import ModelBuilder, bias_for, quantize_weights

from edgeai_tool.codegen.choice import constant_bytes, within_budget
from edgeai_tool.codegen.layers.base import CArray, LayerCode
from edgeai_tool.options import Options


def layer(weight_bytes: int, macc: int, kernel: str = "k") -> LayerCode:
    """A stand-in layer: only its constants' size, MACs and kernel matter to the choice."""
    return LayerCode(kernel=kernel, header="h", params_type="p", params={}, data_type="d",
                     data={}, args=[], macc=macc,
                     arrays=[CArray("weights", "int8_t", np.zeros(weight_bytes, np.int8))])


def choose(sizes_and_maccs: list[tuple[int, int]], budget: int,
           code_bytes: dict[str, int] | None = None) -> list[int]:
    """Indices of the layers `balanced` widens; a wide layer has twice the weight bytes and
    runs the kernel "k"."""
    narrow = [layer(size, macc) for size, macc in sizes_and_maccs]
    wide = {i: layer(2 * size, macc) for i, (size, macc) in enumerate(sizes_and_maccs)}
    chosen = within_budget(narrow, wide, budget, code_bytes or {})
    return [i for i, c in enumerate(chosen) if c is wide[i]]


def test_balanced_widens_most_macs_per_extra_byte_first() -> None:
    # MACs per extra byte: layer 0 -> 1, layer 1 -> 8, layer 2 -> 4.
    layers = [(1000, 1000), (100, 800), (100, 400)]
    base = 1200
    assert choose(layers, base) == []
    assert choose(layers, base + 100) == [1]
    assert choose(layers, base + 250) == [1, 2]
    # Layer 0 does not fit after 1 and 2; nothing smaller is left, so the budget holds.
    assert choose(layers, base + 1100) == [1, 2]
    assert choose(layers, base + 1200) == [0, 1, 2]


def test_balanced_skips_a_layer_that_does_not_fit_and_takes_a_later_one() -> None:
    layers = [(500, 4000), (50, 100)]  # 8 and 2 MACs per extra byte
    assert choose(layers, 550 + 100) == [1]


def test_balanced_counts_a_wide_kernels_code_once() -> None:
    layers = [(100, 1000), (100, 300), (100, 90)]  # 10, 3 and 0.9 MACs per extra byte
    base = 300
    # The first wide layer pays for the kernel's 500 bytes of code, the next ones do not.
    assert choose(layers, base + 600, {"k": 500}) == [0]
    assert choose(layers, base + 700, {"k": 500}) == [0, 1]
    # A layer adding more bytes than it has MACs is never widened, whatever the budget.
    assert choose(layers, base + 10_000, {"k": 500}) == [0, 1]
    # Nor is a kernel whose code outweighs every layer that would use it.
    assert choose(layers, base + 10_000, {"k": 1000}) == []


def test_balanced_stays_within_the_budget_and_is_deterministic() -> None:
    rng = np.random.default_rng(7)
    layers = [(int(s), int(m)) for s, m in zip(rng.integers(10, 400, 12),
                                                rng.integers(10, 5000, 12), strict=True)]
    base = sum(size for size, _ in layers)
    for extra in (0, 37, 500, 1500, 4000):
        picked = choose(layers, base + extra)
        assert sum(layers[i][0] for i in picked) <= extra
        assert picked == choose(layers, base + extra)
    # Ties in MACs per byte go to the earlier layer.
    assert choose([(100, 100), (100, 100)], 300) == [0]


def mlp(rng: np.random.Generator, widths: list[int], per_channel: bool) -> bytes:
    """FULLY_CONNECTED layers (RELU between them), int8, with the given widths."""
    b = ModelBuilder()
    x = b.input("x", (1, widths[0]), scale=0.05, zero_point=-3)
    for k, (n_in, n_out) in enumerate(pairwise(widths)):
        wq, ws = quantize_weights(rng.normal(0, 1 / np.sqrt(n_in), (n_out, n_in)),
                                  per_channel=per_channel)
        w = b.const(f"w{k}", wq, scale=ws if per_channel else float(ws[0]), zero_point=0)
        bq, bs = bias_for(rng.normal(0, 0.3, n_out), x.scale, ws)
        bias = b.const(f"b{k}", bq, scale=bs if per_channel else float(bs[0]))
        y = b.tensor(f"y{k}", (1, n_out), scale=0.04, zero_point=-10)
        last = k == len(widths) - 2
        b.op("FULLY_CONNECTED", [x, w, bias], [y],
             fused_activation_function="NONE" if last else "RELU")
        x = y
    b.output(x)
    return b.build()


@pytest.mark.parametrize("per_channel", [False, True])
def test_every_goal_gives_tflite_micros_outputs(tmp_path, per_channel: bool) -> None:
    """-O time widens every FULLY_CONNECTED, -O ram none, and balanced none either here (no
    layer has the MACs to pay for the int16 kernel's code); all three compute TFLite
    Micro's integers."""
    rng = np.random.default_rng(11)
    model = mlp(rng, [72, 36, 13, 40], per_channel)
    xs = rng.integers(-128, 128, size=(24, 72), dtype=np.int8)
    kernels = {}
    for goal in ("time", "ram", "balanced"):
        directory = tmp_path / goal
        directory.mkdir()
        options = Options(optimization=goal)
        assert_bit_exact(model, [xs], directory, options)
        compilation = compile_bytes(model, directory, options)
        kernels[goal] = [layer.kernel for layer in compilation.layers]
        if goal == "balanced":
            assert sum(constant_bytes(layer) for layer in compilation.layers) <= len(model)
    narrow, wide = "edgeai_fully_connected_s8", "edgeai_fully_connected_s8_w16"
    assert kernels["time"] == [wide] * 3
    assert kernels["ram"] == [narrow] * 3
    assert kernels["balanced"] == [narrow] * 3
