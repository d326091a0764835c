"""Whole networks of convolutions and pools through `edgeai validate --mode host`.

Models chain CONV_2D (+ fused pools), DEPTHWISE_CONV_2D, pools and FULLY_CONNECTED as real
networks do, so the generated schedule, the memory plan (scratch included) and the kernels are
checked together against tflite-micro.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from support.tflite_builder import ModelBuilder, add_conv2d, add_depthwise_conv2d
from test_conv import smooth_inputs


def _pool(b: ModelBuilder, x, kind: str, size: int, stride: int, padding: str = "VALID"):
    out_hw = [(n + stride - 1) // stride if padding == "SAME" else (n - size + stride) // stride
              for n in x.shape[1:3]]
    y = b.tensor(f"{kind.lower()}_{len(b.tensors)}", (1, *out_hw, x.shape[3]), scale=x.scale,
                 zero_point=x.zero_point)
    b.op(kind, [x], [y], padding=padding, stride_h=stride, stride_w=stride,
         filter_height=size, filter_width=size)
    return y


def seed_like_model(rng: np.random.Generator) -> bytes:
    """28x28x1 -> conv5x5x8+relu -> maxpool -> conv5x5x16+relu -> maxpool (the seed's CNN)."""
    b = ModelBuilder()
    x = b.input("x", (1, 28, 28, 1), scale=0.033, zero_point=-9)
    xs = smooth_inputs((1, 28, 28, 1), 8, rng)
    y, yf = add_conv2d(b, x, xs, rng, 8, kernel=(5, 5), padding="VALID", activation="RELU",
                       name="c0")
    y = _pool(b, y, "MAX_POOL_2D", 2, 2)
    yf = yf.reshape(8, 1, 12, 2, 12, 2, 8).max(axis=(3, 5))
    y, _ = add_conv2d(b, y, yf, rng, 16, kernel=(5, 5), padding="VALID", activation="RELU",
                      name="c1")
    y = _pool(b, y, "MAX_POOL_2D", 2, 2)
    b.output(y)
    return b.build()


def mobilenet_like_model(rng: np.random.Generator) -> bytes:
    """conv s2 -> depthwise -> 1x1 -> depthwise s2 -> 1x1 -> average pool (VWW/KWS blocks)."""
    b = ModelBuilder()
    x = b.input("x", (1, 24, 24, 3), scale=0.02, zero_point=3)
    xs = smooth_inputs((1, 24, 24, 3), 8, rng)
    y, yf = add_conv2d(b, x, xs, rng, 8, stride=(2, 2), activation="RELU6", name="c0")
    y, yf = add_depthwise_conv2d(b, y, yf, rng, activation="RELU6", name="d1")
    y, yf = add_conv2d(b, y, yf, rng, 16, kernel=(1, 1), activation="RELU6", name="p1")
    y, yf = add_depthwise_conv2d(b, y, yf, rng, stride=(2, 2), activation="RELU", name="d2")
    y, yf = add_conv2d(b, y, yf, rng, 12, kernel=(1, 1), name="p2")
    y = _pool(b, y, "AVERAGE_POOL_2D", 3, 3)
    b.output(y)
    return b.build()


@pytest.mark.parametrize("builder", [seed_like_model, mobilenet_like_model])
def test_network_validates_bit_exact(tmp_path: Path, builder) -> None:
    model = tmp_path / "model.tflite"
    model.write_bytes(builder(np.random.default_rng(11)))
    result = subprocess.run([sys.executable, "-m", "edgeai_tool", "validate", "-m", str(model),
                             "--mode", "host"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr + result.stdout
    assert ": bit-exact" in result.stdout, result.stdout
