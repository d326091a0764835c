"""Train and int8-quantize edgeai's demo CNN (the seed report's architecture).

The model reproduces the architecture of ST's seed report
(28x28x1 -> conv5x5x8 -> maxpool -> conv5x5x16 -> maxpool -> dense128 -> dense10
-> softmax, 37,610 parameters). It is trained on scikit-learn's bundled 8x8 digits,
upscaled to 20x20 and centred in 28x28 like MNIST, so it needs no download.

Outputs:
  * the full-integer int8 .tflite (batch 1, int8 input and output);
  * digits_test.npz next to it: the int8-quantized test split and its labels.

Run with the training venv (see models/README.md):
  .venv-train/bin/python models/train_demo_model.py [--seed 0] [--epochs 45]
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import random
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

# Must be set before TensorFlow is imported: silence its C++ start-up chatter, and keep
# oneDNN out, since oneDNN picks kernels by the CPU's ISA at run time (results would
# then depend on the machine; Eigen's kernels are fixed when the wheel is built).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import tensorflow as tf
import tflite
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tflite_micro import runtime

MODELS_DIR = Path(__file__).resolve().parent
EXPECTED_PARAMS = 37_610
# The exact op sequence the seed report shows; anything else breaks the demo's contract.
EXPECTED_OPS = (
    "CONV_2D",
    "MAX_POOL_2D",
    "CONV_2D",
    "MAX_POOL_2D",
    "RESHAPE",
    "FULLY_CONNECTED",
    "FULLY_CONNECTED",
    "SOFTMAX",
)
# The split is fixed whatever --seed is, so models of different seeds share test data.
SPLIT_SEED = 0
TEST_FRACTION = 0.2
DIGIT_SIZE = 20  # like MNIST: a 20x20 digit centred in a 28x28 frame
IMAGE_SIZE = 28
BATCH_SIZE = 32
REPRESENTATIVE_SAMPLES = 500


class ModelCheckError(RuntimeError):
    """The converted model is not the one the project expects."""


def seed_everything(seed: int) -> None:
    """Seed every RNG training touches and force deterministic TF kernels.

    One thread per op: op determinism alone still lets results depend on the size of
    the thread pool (how reductions are split), i.e. on the machine's core count.
    """
    tf.config.threading.set_intra_op_parallelism_threads(1)
    tf.config.threading.set_inter_op_parallelism_threads(1)
    random.seed(seed)
    np.random.seed(seed)
    tf.keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def _bilinear_taps(src: int, dst: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Source indices and weights for pixel-centre-aligned bilinear resampling."""
    pos = (np.arange(dst, dtype=np.float64) + 0.5) * src / dst - 0.5
    pos = np.clip(pos, 0.0, src - 1)
    lo = np.floor(pos).astype(np.int64)
    hi = np.minimum(lo + 1, src - 1)
    return lo, hi, (pos - lo).astype(np.float32)


def upscale(images: np.ndarray, size: int) -> np.ndarray:
    """Bilinear resize of [N,H,W] images to [N,size,size], numpy only (deterministic)."""
    lo, hi, w = _bilinear_taps(images.shape[1], size)
    rows = images[:, lo, :] * (1 - w)[None, :, None] + images[:, hi, :] * w[None, :, None]
    lo, hi, w = _bilinear_taps(images.shape[2], size)
    return rows[:, :, lo] * (1 - w)[None, None, :] + rows[:, :, hi] * w[None, None, :]


def load_dataset() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """sklearn digits as float32 [N,28,28,1] in [0,1], split with a fixed seed."""
    digits = load_digits()
    images = digits.images.astype(np.float32) / 16.0  # pixel values are 0..16
    big = upscale(images, DIGIT_SIZE)
    pad = (IMAGE_SIZE - DIGIT_SIZE) // 2
    frames = np.zeros((len(big), IMAGE_SIZE, IMAGE_SIZE, 1), dtype=np.float32)
    frames[:, pad : pad + DIGIT_SIZE, pad : pad + DIGIT_SIZE, 0] = big
    labels = digits.target.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        frames, labels, test_size=TEST_FRACTION, random_state=SPLIT_SEED, stratify=labels
    )
    return x_train, x_test, y_train, y_test


def build_model(batch_size: int | None = None) -> tf.keras.Model:
    """The seed architecture; batch_size=1 gives the copy used for conversion."""
    layers = tf.keras.layers
    # Explicit names (numbered like the seed report's m_id) keep the .tflite's tensor
    # names independent of how many Keras models the process built before.
    inputs = tf.keras.Input(shape=(IMAGE_SIZE, IMAGE_SIZE, 1), batch_size=batch_size, name="input")
    x = layers.Conv2D(8, 5, padding="valid", activation="relu", name="conv2d_0")(inputs)
    x = layers.MaxPooling2D(2, name="pool_1")(x)
    x = layers.Conv2D(16, 5, padding="valid", activation="relu", name="conv2d_2")(x)
    x = layers.MaxPooling2D(2, name="pool_3")(x)
    x = layers.Flatten(name="flatten_4")(x)
    x = layers.Dense(128, activation="relu", name="dense_5")(x)
    x = layers.Dense(10, name="dense_6")(x)
    outputs = layers.Softmax(name="softmax_7")(x)
    return tf.keras.Model(inputs, outputs, name="edgeai_demo_cnn")


def train(x_train: np.ndarray, y_train: np.ndarray, epochs: int) -> tuple[tf.keras.Model, float]:
    """Train the float model; returns it and the wall-clock training time."""
    model = build_model()
    params = model.count_params()
    if params != EXPECTED_PARAMS:
        raise ModelCheckError(f"model has {params} parameters, expected {EXPECTED_PARAMS}")
    model.compile(
        optimizer=tf.keras.optimizers.Adam(1e-3),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    start = time.perf_counter()
    model.fit(x_train, y_train, batch_size=BATCH_SIZE, epochs=epochs, shuffle=True, verbose=0)
    return model, time.perf_counter() - start


def float_accuracy(model: tf.keras.Model, x: np.ndarray, y: np.ndarray) -> float:
    probs = model.predict(x, batch_size=256, verbose=0)
    return float(np.mean(np.argmax(probs, axis=1) == y))


def representative_dataset(x_train: np.ndarray) -> Callable[[], Iterator[list[np.ndarray]]]:
    """Calibration samples, batch 1, in a fixed order (the training set's first ones)."""

    def gen() -> Iterator[list[np.ndarray]]:
        for sample in x_train[:REPRESENTATIVE_SAMPLES]:
            yield [sample[None, ...]]

    return gen


def quantize(model: tf.keras.Model, x_train: np.ndarray) -> bytes:
    """Full-integer int8 conversion of a batch-1 copy of the model.

    A dynamic batch makes the converter lower Flatten to SHAPE/STRIDED_SLICE/PACK/
    RESHAPE; a fixed batch of 1 keeps it a single RESHAPE, as in the seed.
    """
    fixed = build_model(batch_size=1)
    fixed.set_weights(model.get_weights())
    converter = tf.lite.TFLiteConverter.from_keras_model(fixed)
    converter.optimizations = [tf.lite.Optimize.DEFAULT]
    converter.representative_dataset = representative_dataset(x_train)
    converter.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
    converter.inference_input_type = tf.int8
    converter.inference_output_type = tf.int8
    return converter.convert()


def _builtin_names() -> dict[int, str]:
    return {v: k for k, v in vars(tflite.BuiltinOperator).items() if not k.startswith("_")}


def model_ops(model: tflite.Model) -> list[str]:
    """Op names of subgraph 0 in execution order."""
    names = _builtin_names()
    graph = model.Subgraphs(0)
    ops = []
    for i in range(graph.OperatorsLength()):
        code = model.OperatorCodes(graph.Operators(i).OpcodeIndex())
        # Codes >= 127 live only in BuiltinCode; older ones in the deprecated byte.
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        ops.append(names.get(builtin, f"builtin#{builtin}"))
    return ops


def _tensor_quant(graph: tflite.SubGraph, index: int) -> tuple[int, np.ndarray, np.ndarray]:
    """(type, scales, zero points) of one tensor."""
    tensor = graph.Tensors(index)
    quant = tensor.Quantization()
    if quant is None:
        return tensor.Type(), np.zeros(0), np.zeros(0, dtype=np.int64)
    return tensor.Type(), quant.ScaleAsNumpy(), quant.ZeroPointAsNumpy()


def check_model(buf: bytes) -> dict[str, object]:
    """Fail loudly unless the flatbuffer is the expected int8, batch-1 op sequence.

    Returns facts for the log: ops, input/output quantization and the dense weights'
    quantization granularity.
    """
    model = tflite.Model.GetRootAsModel(buf, 0)
    if model.SubgraphsLength() != 1:
        raise ModelCheckError(f"expected 1 subgraph, found {model.SubgraphsLength()}")
    ops = model_ops(model)
    if tuple(ops) != EXPECTED_OPS:
        raise ModelCheckError(f"unexpected ops {ops}; expected {list(EXPECTED_OPS)}")
    graph = model.Subgraphs(0)
    facts: dict[str, object] = {"ops": ops}
    for role, index in (("input", graph.Inputs(0)), ("output", graph.Outputs(0))):
        ttype, scale, zero = _tensor_quant(graph, index)
        if ttype != tflite.TensorType.INT8 or len(scale) != 1:
            raise ModelCheckError(f"{role} is not a per-tensor int8 tensor")
        shape = graph.Tensors(index).ShapeAsNumpy().tolist()
        if shape[0] != 1:
            raise ModelCheckError(f"{role} shape {shape} is not batch 1")
        facts[role] = (shape, float(scale[0]), int(zero[0]))
    dense_scales = []
    for i in range(graph.OperatorsLength()):
        op = graph.Operators(i)
        if ops[i] == "FULLY_CONNECTED":
            dense_scales.append(len(_tensor_quant(graph, op.Inputs(1))[1]))
    facts["dense_weight_scales"] = dense_scales
    return facts


def quantize_inputs(x: np.ndarray, scale: float, zero_point: int) -> np.ndarray:
    """Float inputs to int8 with the model's input quantization."""
    q = np.round(x / scale) + zero_point
    return np.clip(q, -128, 127).astype(np.int8)


def int8_accuracy(buf: bytes, x_q: np.ndarray, y: np.ndarray) -> float:
    """Accuracy under TFLite Micro's reference kernels (our bit-exactness reference)."""
    interp = runtime.Interpreter.from_bytes(buf)
    correct = 0
    for sample, label in zip(x_q, y, strict=True):
        interp.set_input(sample[None, ...], 0)
        interp.invoke()
        correct += int(np.argmax(interp.get_output(0)[0]) == label)
    return correct / len(y)


def save_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """np.savez with fixed zip timestamps, so identical data gives identical bytes."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, array in arrays.items():
            buf = io.BytesIO()
            np.lib.format.write_array(buf, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, buf.getvalue())


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0, help="training seed (default 0)")
    parser.add_argument("--epochs", type=int, default=45, help="training epochs (default 45)")
    parser.add_argument(
        "--output",
        type=Path,
        default=MODELS_DIR / "quantized_model.tflite",
        help="int8 .tflite to write (default models/quantized_model.tflite)",
    )
    parser.add_argument(
        "--test-data",
        type=Path,
        default=None,
        help="int8 test-set .npz to write (default: digits_test.npz next to --output)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    test_data = args.test_data or args.output.with_name("digits_test.npz")
    seed_everything(args.seed)

    x_train, x_test, y_train, y_test = load_dataset()
    print(f"data: {len(x_train)} train / {len(x_test)} test images, 28x28x1 in [0,1]")
    model, train_seconds = train(x_train, y_train, args.epochs)
    print(f"parameters: {model.count_params():,}")
    print(f"training: {args.epochs} epochs in {train_seconds:.1f} s (seed {args.seed})")
    print(f"float accuracy: {float_accuracy(model, x_test, y_test):.4f}")

    buf = quantize(model, x_train)
    facts = check_model(buf)
    shape, scale, zero_point = facts["input"]
    x_test_q = quantize_inputs(x_test, scale, zero_point)
    print(f"ops: {' '.join(facts['ops'])}")
    print(f"input: int8{shape} scale={scale!r} zero_point={zero_point}")
    print("output: int8{} scale={!r} zero_point={}".format(*facts["output"]))
    granularity = [
        "per-tensor" if n == 1 else f"per-channel ({n} scales)"
        for n in facts["dense_weight_scales"]
    ]
    print(f"dense weights: {', '.join(granularity)}")
    print(f"int8 accuracy (TFLite Micro): {int8_accuracy(buf, x_test_q, y_test):.4f}")

    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_bytes(buf)
    save_npz(test_data, {"inputs": x_test_q, "labels": y_test.astype(np.uint8)})
    print(f"wrote {args.output} ({len(buf)} bytes, sha256 {hashlib.sha256(buf).hexdigest()})")
    print(f"wrote {test_data} ({len(y_test)} images)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
