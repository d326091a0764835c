"""Passes: fusion and aliasing, each on a small graph."""

import numpy as np
from support.tflite_builder import ModelBuilder, quantize_weights

from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.passes.alias import alias_reshapes
from edgeai_tool.passes.fuse import fuse_activations, fuse_conv_pool

Q = {"scale": 0.05, "zero_point": -4}


def _conv(b: ModelBuilder, x, out_channels: int = 4, activation: str = "NONE"):
    rng = np.random.default_rng(0)
    wq, ws = quantize_weights(rng.normal(size=(out_channels, 3, 3, x.shape[3])), True, axis=0)
    w = b.const("w", wq, scale=ws, zero_point=0, axis=0)
    bias = b.const("b", np.zeros(out_channels, np.int32), scale=[x.scale * s for s in ws])
    h, wd = x.shape[1] - 2, x.shape[2] - 2
    y = b.tensor("conv", (1, h, wd, out_channels), **Q)
    b.op("CONV_2D", [x, w, bias], [y], padding="VALID", stride_h=1, stride_w=1,
         fused_activation_function=activation)
    return y


def _conv_relu_pool_reshape() -> bytes:
    b = ModelBuilder()
    x = b.input("x", (1, 10, 10, 1), **Q)
    y = _conv(b, x)
    r = b.tensor("relu", y.shape, **Q)
    b.op("RELU", [y], [r])
    p = b.tensor("pool", (1, 4, 4, 4), **Q)
    b.op("MAX_POOL_2D", [r], [p], padding="VALID", stride_h=2, stride_w=2, filter_height=2,
         filter_width=2)
    shape = b.const("shape", np.array([1, 64], np.int32))
    flat = b.tensor("flat", (1, 64), **Q)
    b.op("RESHAPE", [p, shape], [flat], new_shape=[1, 64])
    b.output(flat)
    return b.build()


def test_relu_folds_into_conv_and_pool_fuses():
    graph = fuse_conv_pool(fuse_activations(import_model(_conv_relu_pool_reshape())))
    kinds = [op.kind for op in graph.ops]
    assert kinds == ["CONV_2D", "RESHAPE"]
    conv = graph.ops[0]
    assert conv.options["fused_activation_function"] == "RELU"
    assert conv.options["pool"]["kind"] == "MAX_POOL_2D"
    assert conv.origin == (0, 1, 2)
    assert graph.tensor(conv.outputs[0]).shape == (1, 4, 4, 4)


def test_reshape_becomes_an_alias():
    graph = alias_reshapes(import_model(_conv_relu_pool_reshape()))
    assert "RESHAPE" not in [op.kind for op in graph.ops]
    out = graph.outputs[0]
    assert graph.buffer_of(out) == graph.ops[-1].outputs[0]


def test_pool_with_two_readers_of_the_conv_is_not_fused():
    b = ModelBuilder()
    x = b.input("x", (1, 6, 6, 1), **Q)
    y = _conv(b, x)
    p = b.tensor("pool", (1, 2, 2, 4), **Q)
    b.op("MAX_POOL_2D", [y], [p], padding="VALID", stride_h=2, stride_w=2, filter_height=2,
         filter_width=2)
    b.output(p, y)
    graph = fuse_conv_pool(import_model(b.build()))
    assert [op.kind for op in graph.ops] == ["CONV_2D", "MAX_POOL_2D"]
