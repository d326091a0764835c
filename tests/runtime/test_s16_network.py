"""A whole 16x8 CNN (int16 activations, int8 weights, int64 biases) through the command
line: `edgeai generate` writes int16 I/O buffers and sizes, `edgeai validate` runs the
generated C against tflite-micro, and the same model under ASan/UBSan.

The network: conv 3x3 + RELU -> max pool -> depthwise 3x3 -> average pool -> reshape ->
fully connected -> softmax, each layer calibrated so that its int16 outputs span the range.
Then the two converter-made 16x8 fixtures of models/s16, one also on a Cortex-M7 in QEMU.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from support.bitexact import assert_bit_exact
from support.models import S16_MODELS
from support.s16 import int16_input
from support.tflite_builder import (
    ModelBuilder,
    add_conv2d,
    add_depthwise_conv2d,
    add_fully_connected,
)

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options
from edgeai_tool.validate.qemu import QemuNetwork
from edgeai_tool.validate.reference import run_reference

IN_SHAPE = (1, 16, 16, 2)
CLASSES = 10


def _pool(b: ModelBuilder, x, kind: str, yf: np.ndarray) -> tuple[object, np.ndarray]:
    """A 2x2 stride-2 pool and its float values for calibrating the next layer."""
    n, h, w, c = yf.shape[0], x.shape[1] // 2, x.shape[2] // 2, x.shape[3]
    y = b.tensor(f"{kind.lower()}_{len(b.tensors)}", (1, h, w, c), scale=x.scale,
                 zero_point=0, dtype=np.int16)
    b.op(kind, [x], [y], padding="VALID", stride_h=2, stride_w=2, filter_height=2,
         filter_width=2)
    windows = yf.reshape(n, 1, h, 2, w, 2, c)
    pooled = windows.max(axis=(3, 5)) if kind == "MAX_POOL_2D" else windows.mean(axis=(3, 5))
    return y, pooled


def cnn_16x8(rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """The model and int16 samples for it."""
    b = ModelBuilder("16x8 cnn")
    x, xs = int16_input(b, IN_SHAPE, rng, samples=16)
    y, yf = add_conv2d(b, x, xs[:, None], rng, 6, activation="RELU", name="conv")
    y, yf = _pool(b, y, "MAX_POOL_2D", yf)
    y, yf = add_depthwise_conv2d(b, y, yf, rng, name="dw")
    y, yf = _pool(b, y, "AVERAGE_POOL_2D", yf)
    flat = b.tensor("flat", (1, y.shape[1] * y.shape[2] * y.shape[3]), scale=y.scale,
                    zero_point=0, dtype=np.int16)
    b.op("RESHAPE", [y, b.const("flat/shape", [1, -1])], [flat])
    logits, _ = add_fully_connected(b, flat, yf.reshape(len(yf), 1, -1), rng, CLASSES,
                                    name="fc")
    probabilities = b.tensor("probabilities", (1, CLASSES), scale=1 / 32768, zero_point=0,
                             dtype=np.int16)
    b.op("SOFTMAX", [logits], [probabilities], beta=1.0)
    b.output(probabilities)
    return b.build(), xs


def _edgeai(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edgeai_tool", *args], capture_output=True,
                          text=True, check=False)


def test_generate_and_validate(tmp_path: Path) -> None:
    model, _ = cnn_16x8(np.random.default_rng(1608))
    path = tmp_path / "cnn16.tflite"
    path.write_bytes(model)
    generated = _edgeai("generate", "-m", str(path), "-o", str(tmp_path / "out"))
    assert generated.returncode == 0, generated.stderr
    header = " ".join((tmp_path / "out" / "network.h").read_text().split())
    assert f"AI_NETWORK_IN_1_SIZE_BYTES {2 * int(np.prod(IN_SHAPE))}" in header
    assert f"AI_NETWORK_OUT_1_SIZE_BYTES {2 * CLASSES}" in header
    source = (tmp_path / "out" / "network.c").read_text()
    for kernel in ("edgeai_conv_s16", "edgeai_max_pool_s16", "edgeai_depthwise_conv_s16",
                   "edgeai_avg_pool_s16", "edgeai_fully_connected_s16", "edgeai_softmax_s16"):
        assert re.search(rf"\b{kernel}\(", source), kernel
    validated = _edgeai("validate", "-m", str(path), "--mode", "host")
    assert validated.returncode == 0, validated.stderr + validated.stdout
    assert ": bit-exact" in validated.stdout, validated.stdout


def test_bit_exact_under_sanitizers(tmp_path: Path) -> None:
    model, xs = cnn_16x8(np.random.default_rng(1609))
    outputs = assert_bit_exact(model, [xs], tmp_path)
    assert len(np.unique(outputs[0])) > 50  # the probabilities are not degenerate


def test_converter_made_models_bit_exact(tmp_path: Path) -> None:
    """The 16x8 fixtures TensorFlow's converter made (models/s16, see make_s16_models.py):
    int16 I/O with a softmax head, and float I/O (QUANTIZE / DEQUANTIZE) with a sigmoid
    head, each with ADD, MUL, LEAKY_RELU, CONCATENATION of requantized inputs and TANH, under
    ASan/UBSan against tflite-micro."""
    rng = np.random.default_rng(2016)
    int16_inputs = rng.integers(-32768, 32767, size=(8, 20, 20, 3), endpoint=True,
                                dtype=np.int16)
    model = (S16_MODELS / "cnn16x8_int16.tflite").read_bytes()
    (tmp_path / "int16").mkdir()
    (tmp_path / "float").mkdir()
    outputs = assert_bit_exact(model, [int16_inputs], tmp_path / "int16")
    assert outputs[0].dtype == np.int16 and len(np.unique(outputs[0])) > 20
    float_inputs = rng.normal(0, 1.5, size=(8, 20, 20, 3)).astype(np.float32)
    model = (S16_MODELS / "cnn16x8_float.tflite").read_bytes()
    outputs = assert_bit_exact(model, [float_inputs], tmp_path / "float")
    assert outputs[0].dtype == np.float32


def test_cortex_m7_in_qemu(tmp_path: Path) -> None:
    """The converter-made 16x8 CNN built for a Cortex-M7 and run in QEMU: the same int16
    outputs as tflite-micro."""
    path = S16_MODELS / "cnn16x8_int16.tflite"
    compilation = compile_model(path, Options(target="qemu-m7"))
    rng = np.random.default_rng(7)
    inputs = [rng.integers(-32768, 32767, size=(4, 20, 20, 3), endpoint=True, dtype=np.int16)]
    with QemuNetwork(compilation) as target:
        on_target = target.run(inputs)
    reference = run_reference(path, inputs)
    np.testing.assert_array_equal(on_target[0].reshape(reference[0].shape), reference[0])
