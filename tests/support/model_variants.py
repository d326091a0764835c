"""Model variants for the rebuild tests, made without TensorFlow.

`change_weights` gives the demo model other weights with the same architecture (what
retraining with another seed does); `other_architecture` a different network with the
demo's input (28x28x1 int8) and output (10 int8 scores), so the demo app still builds.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tflite

from support.tflite_builder import ModelBuilder


def change_weights(path: Path, layer: int = -1) -> None:
    """Same architecture, other weights: nudge the int8 weights of one constant buffer
    (by default the largest: the first dense layer), in place."""
    data = bytearray(path.read_bytes())
    model = tflite.Model.GetRootAsModel(data, 0)
    buffers = [model.Buffers(i) for i in range(model.BuffersLength())]
    weights = sorted((b for b in buffers if b.DataLength() > 0), key=lambda b: b.DataLength())
    target = weights[layer]
    values = target.DataAsNumpy().view(np.int8)  # a view into `data`
    rng = np.random.default_rng(1)
    picked = rng.choice(len(values), size=min(256, len(values)), replace=False)
    values[picked] = np.where(values[picked] < 127, values[picked] + 1, values[picked] - 1)
    path.write_bytes(bytes(data))


def other_architecture(seed: int = 0, with_pool: bool = True) -> bytes:
    """28x28x1 -> conv3x3x4+relu -> [maxpool 2x2] -> reshape -> dense 10 (int8 out)."""
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x = b.input("input", (1, 28, 28, 1), scale=0.032967426, zero_point=-9)
    w = b.const("conv_w", rng.integers(-127, 128, (4, 3, 3, 1), dtype=np.int8),
                scale=np.full(4, 0.01), zero_point=0, axis=0)
    bias = b.const("conv_b", rng.integers(-500, 500, 4, dtype=np.int32),
                   scale=np.full(4, x.scale * 0.01))
    y = b.tensor("model/conv/Relu", (1, 26, 26, 4), scale=0.05, zero_point=-128)
    b.op("CONV_2D", [x, w, bias], [y], padding="VALID", stride_h=1, stride_w=1,
         fused_activation_function="RELU")
    if with_pool:
        pooled = b.tensor("model/pool/MaxPool", (1, 13, 13, 4), scale=y.scale,
                          zero_point=y.zero_point)
        b.op("MAX_POOL_2D", [y], [pooled], padding="VALID", stride_h=2, stride_w=2,
             filter_height=2, filter_width=2, fused_activation_function="NONE")
        y = pooled
    size = int(np.prod(y.shape))
    shape = b.const("flatten_shape", np.array([1, size], dtype=np.int32))
    flat = b.tensor("model/flatten/Reshape", (1, size), scale=y.scale, zero_point=y.zero_point)
    b.op("RESHAPE", [y, shape], [flat], new_shape=[1, size])
    dw = b.const("dense_w", rng.integers(-127, 128, (10, size), dtype=np.int8), scale=0.01,
                 zero_point=0)
    db = b.const("dense_b", rng.integers(-500, 500, 10, dtype=np.int32),
                 scale=flat.scale * 0.01)
    out = b.tensor("model/dense/BiasAdd", (1, 10), scale=0.1, zero_point=3)
    b.op("FULLY_CONNECTED", [flat, dw, db], [out], fused_activation_function="NONE")
    b.output(out)
    return b.build()
