"""Models for the report tests, built with the test-model builder (no TensorFlow).

`seed_architecture` is the seed report's CNN (conv5x5x8+relu, maxpool, conv5x5x16+relu,
maxpool, reshape, dense128+relu, dense10, softmax) with random weights: its original-graph
figures must be the seed's whatever the weights are. `small_cnn` is a cut-down version
(conv+relu, maxpool, reshape, dense).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from support.tflite_builder import ModelBuilder, TensorRef

from edgeai_tool.compilation import Compilation
from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options


def _conv(b: ModelBuilder, rng: np.random.Generator, x: TensorRef, name: str, filters: int,
          out_hw: int) -> TensorRef:
    cin = x.shape[3]
    w = b.const(f"{name}_w", rng.integers(-127, 128, (filters, 5, 5, cin), dtype=np.int8),
                scale=np.full(filters, 0.01), zero_point=0, axis=0)
    bias = b.const(f"{name}_b", rng.integers(-500, 500, filters, dtype=np.int32),
                   scale=np.full(filters, x.scale * 0.01))
    y = b.tensor(f"{name}_out", (1, out_hw, out_hw, filters), scale=0.05, zero_point=-128)
    b.op("CONV_2D", [x, w, bias], [y], padding="VALID", stride_h=1, stride_w=1,
         fused_activation_function="RELU")
    return y


def _pool(b: ModelBuilder, x: TensorRef, name: str) -> TensorRef:
    _, h, w, c = x.shape
    y = b.tensor(name, (1, h // 2, w // 2, c), scale=x.scale, zero_point=x.zero_point)
    b.op("MAX_POOL_2D", [x], [y], padding="VALID", stride_h=2, stride_w=2, filter_height=2,
         filter_width=2, fused_activation_function="NONE")
    return y


def _dense(b: ModelBuilder, rng: np.random.Generator, x: TensorRef, name: str, units: int,
           activation: str) -> TensorRef:
    depth = x.shape[-1]
    w = b.const(f"{name}_w", rng.integers(-127, 128, (units, depth), dtype=np.int8),
                scale=0.01, zero_point=0)
    bias = b.const(f"{name}_b", rng.integers(-500, 500, units, dtype=np.int32),
                   scale=x.scale * 0.01)
    y = b.tensor(f"{name}_out", (1, units), scale=0.1, zero_point=-128 if activation != "NONE"
                 else 3)
    b.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function=activation)
    return y


def _flatten(b: ModelBuilder, x: TensorRef) -> TensorRef:
    size = int(np.prod(x.shape))
    shape = b.const("flatten_shape", np.array([1, size], dtype=np.int32))
    y = b.tensor("flatten", (1, size), scale=x.scale, zero_point=x.zero_point)
    b.op("RESHAPE", [x, shape], [y], new_shape=[1, size])
    return y


def build_seed_architecture(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x = b.input("serving_default_input_layer:0", (1, 28, 28, 1), scale=0.032967426,
                zero_point=-9)
    x = _pool(b, _conv(b, rng, x, "conv0", 8, 24), "pool1")
    x = _pool(b, _conv(b, rng, x, "conv2", 16, 8), "pool3")
    x = _dense(b, rng, _flatten(b, x), "dense5", 128, "RELU")
    logits = _dense(b, rng, x, "dense6", 10, "NONE")
    y = b.tensor("StatefulPartitionedCall:0", (1, 10), scale=1 / 256, zero_point=-128)
    b.op("SOFTMAX", [logits], [y], beta=1.0)
    b.output(y)
    return b.build()


def build_small_cnn(seed: int = 0) -> bytes:
    rng = np.random.default_rng(seed)
    b = ModelBuilder()
    x = b.input("image", (1, 12, 12, 1), scale=0.03, zero_point=-9)
    x = _pool(b, _conv(b, rng, x, "conv0", 4, 8), "pool1")
    y = _dense(b, rng, _flatten(b, x), "dense3", 5, "NONE")
    b.output(y)
    return b.build()


@pytest.fixture(scope="session")
def seed_architecture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("seed") / "quantized_model.tflite"
    path.write_bytes(build_seed_architecture())
    return path


@pytest.fixture(scope="session")
def small_cnn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small_cnn.tflite"
    path.write_bytes(build_small_cnn())
    return path


@pytest.fixture(scope="session")
def small_compilation(small_cnn: Path) -> Compilation:
    return compile_model(small_cnn, Options(), f"generate --model {small_cnn} -o /tmp/out")
