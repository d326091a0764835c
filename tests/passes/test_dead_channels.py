"""Dead channels: removed from their producers, folded into a later bias, bit-exactly."""

from __future__ import annotations

import numpy as np
import pytest
from support.bitexact import assert_bit_exact
from support.tflite_builder import ModelBuilder

from edgeai_tool.compiler import compile_model
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.options import Options
from edgeai_tool.passes.dead_channels import remove_dead_channels
from edgeai_tool.passes.pipeline import optimize


def _weights(rng: np.random.Generator, shape: tuple[int, ...], dead: list[int],
             axis: int = 0) -> np.ndarray:
    w = rng.integers(-127, 127, size=shape, endpoint=True).astype(np.int8)
    index = [slice(None)] * len(shape)
    index[axis] = dead
    w[tuple(index)] = 0
    return w


def _conv(b: ModelBuilder, rng: np.random.Generator, x, name: str, out_c: int,
          dead: list[int], bias: np.ndarray, kind: str = "CONV_2D", padding: str = "SAME",
          out_hw: tuple[int, int] | None = None, activation: str = "RELU",
          small_input: int | None = None):
    """`small_input`: an input channel read with weights in [-2, 2] only."""
    in_c = x.shape[3]
    depthwise = kind == "DEPTHWISE_CONV_2D"
    shape = (1, 3, 3, out_c) if depthwise else (out_c, 1, 1, in_c)
    axis = 3 if depthwise else 0
    weights = _weights(rng, shape, dead, axis)
    if small_input is not None:
        weights[..., small_input] = rng.integers(-2, 2, size=weights.shape[:-1], endpoint=True)
    w = b.const(f"{name}_w", weights, zero_point=0, axis=axis,
                scale=np.linspace(0.002, 0.004, out_c))
    bq = b.const(f"{name}_b", bias.astype(np.int32),
                 scale=np.float32(x.scales[0]) * np.linspace(0.002, 0.004, out_c))
    y = b.tensor(f"{name}_y", (1, *(out_hw or x.shape[1:3]), out_c), scale=0.05,
                 zero_point=-128 if activation == "RELU" else 0)
    options = dict(padding=padding, stride_h=1, stride_w=1, fused_activation_function=activation)
    if depthwise:
        options["depth_multiplier"] = 1
    b.op(kind, [x, w, bq], [y], **options)
    return y


def dead_channel_model(dw_padding: str) -> bytes:
    """1x1 conv (channel 1 constant at the zero point, 2 and 5 above it) -> 3x3 depthwise
    (channel 6 constant, but it reads a live input channel) -> 1x1 conv (channel 3
    constant) -> average pool -> reshape -> FULLY_CONNECTED."""
    rng = np.random.default_rng(11)
    b = ModelBuilder()
    x = b.input("x", (1, 6, 6, 4), scale=0.04, zero_point=-5)
    bias = rng.integers(-2000, 2000, size=8)
    bias[1], bias[[2, 5]] = -3000, 4000
    y1 = _conv(b, rng, x, "pw1", 8, [1, 2, 5], bias)
    bias = rng.integers(-2000, 2000, size=8)
    bias[5], bias[6] = -100_000, 5000  # channel 5 saturates at -128 everywhere
    hw = (6, 6) if dw_padding == "SAME" else (4, 4)
    y2 = _conv(b, rng, y1, "dw", 8, [6], bias, "DEPTHWISE_CONV_2D", dw_padding, hw,
               "NONE")
    bias = rng.integers(-2000, 2000, size=6)
    bias[3] = -100
    y3 = _conv(b, rng, y2, "pw2", 6, [3], bias, activation="NONE", small_input=5)
    pooled = b.tensor("pooled", (1, 1, 1, 6), scale=0.05, zero_point=0)
    b.op("AVERAGE_POOL_2D", [y3], [pooled], padding="VALID", stride_h=1, stride_w=1,
         filter_height=hw[0], filter_width=hw[1])
    flat = b.tensor("flat", (1, 6), scale=0.05, zero_point=0)
    b.op("RESHAPE", [pooled, b.const("shape", np.array([1, 6], np.int32))], [flat],
         new_shape=[1, 6])
    w = b.const("fc_w", rng.integers(-127, 127, size=(3, 6)).astype(np.int8), scale=0.01)
    fc_b = b.const("fc_b", rng.integers(-500, 500, size=3).astype(np.int32),
                   scale=np.float32(0.05) * np.float32(0.01))
    out = b.tensor("out", (1, 3), scale=0.004, zero_point=4)
    b.op("FULLY_CONNECTED", [flat, w, fc_b], [out])
    b.output(out)
    return b.build()


def _channels(graph, kind_index: int) -> int:
    return graph.tensor(graph.ops[kind_index].outputs[0]).shape[-1]


@pytest.mark.parametrize("dw_padding, first_channels", [("SAME", 6), ("VALID", 5)])
def test_dead_channels_leave_and_outputs_stay_bit_exact(tmp_path, dw_padding: str,
                                                        first_channels: int) -> None:
    """Channel 1 (constant at the zero point) crosses the padded depthwise, and so does
    channel 5, which the depthwise saturates at every position, borders included; channel
    2 (its border outputs differ) only crosses an unpadded one; the second conv's (through
    the pool and the reshape) is folded into the FULLY_CONNECTED's bias."""
    model = dead_channel_model(dw_padding)
    graph = optimize(import_model(model))
    # the second conv and its pool are one op (fused after the dead channels left)
    assert [op.kind for op in graph.ops] == ["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D",
                                             "FULLY_CONNECTED"]
    assert _channels(graph, 0) == first_channels
    assert _channels(graph, 1) == first_channels
    assert _channels(graph, 2) == 5
    assert graph.tensor(graph.ops[3].inputs[1]).shape == (3, 5)
    rng = np.random.default_rng(3)
    # a level per sample and channel, so that the averages the last layer sees vary
    levels = rng.integers(-128, 128, size=(64, 1, 1, 4))
    xs = np.clip(levels + rng.integers(-20, 21, size=(64, 6, 6, 4)), -128, 127)
    outputs = assert_bit_exact(model, [xs.astype(np.int8)], tmp_path)
    assert len(np.unique(outputs[0])) > 20  # not saturated: a wrong bias would show


def test_macc_before_and_after_in_the_report() -> None:
    """ST's "model/c-model" MACC pair: the model's, then the generated code's (smaller)."""
    from support.models import MLPERF

    compilation = compile_model(MLPERF / "vww_96_int8.tflite", Options())
    assert "model/c-model: macc=7,726,288/3,743,349 " in compilation.report


def test_graph_without_dead_channels_is_unchanged() -> None:
    model = dead_channel_model("SAME")
    graph = import_model(model)
    for tensor in graph.tensors.values():
        if tensor.data is not None and tensor.data.dtype == np.int8:
            tensor.data = np.where(tensor.data == 0, 1, tensor.data).astype(np.int8)
    pruned = remove_dead_channels(graph)
    assert {t: pruned.tensor(t).shape for t in pruned.tensors} == \
        {t: graph.tensor(t).shape for t in graph.tensors}
