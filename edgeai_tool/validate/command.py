"""`edgeai validate`: inputs in, C model and reference run, ST's metrics out."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from edgeai_tool.compilation import Compilation
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import Graph
from edgeai_tool.validate.classifier import confusion_matrix
from edgeai_tool.validate.compare import Metrics, compare_outputs
from edgeai_tool.validate.edges import reference_outputs
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.qemu import QemuNetwork

DEFAULT_RANDOM_SAMPLES = 1000


def run_validation(compilation: Compilation, args: argparse.Namespace) -> tuple[str, bool]:
    """Run the comparison the arguments ask for; return the printed report and whether
    every output value was identical to the reference."""
    inputs, labels = load_inputs(compilation, args.valinput, args.valoutput, args.random,
                                 args.seed, args.batches)
    runner = QemuNetwork if args.mode == "qemu-m7" else HostNetwork
    with runner(compilation) as network:
        c_outputs = network.run(inputs)
    reference = reference_outputs(compilation, inputs)
    if args.save_outputs:
        _save(args.save_outputs, c_outputs)
    metrics = [compare_outputs(c, ref, io.scale, io.zero_point, labels if k == 0 else None)
               for k, (c, ref, io) in enumerate(
                   zip(c_outputs, reference, compilation.network.outputs, strict=True))]
    exact = all(m.exact == m.total for m in metrics)
    text = format_validation(compilation, args.mode, len(inputs[0]), metrics)
    if args.classifier:
        text += confusion_matrix(c_outputs[0], reference[0], labels)
    return text, exact


def load_inputs(compilation: Compilation, valinput: str | None, valoutput: str | None,
                random: int | None, seed: int, batches: int | None = None,
                ) -> tuple[list[np.ndarray], np.ndarray | None]:
    """The samples to run: given ones (quantized if float) plus uniform random int8 ones;
    `batches` (ST's -b) keeps the first N, or asks for N random ones without -vi."""
    ios = compilation.network.inputs
    given: list[np.ndarray] = []
    labels = None
    if random is not None and random < 0:
        raise EdgeAIError(f"--random {random}: the number of random samples cannot be negative")
    if valinput:
        given, labels = _read_samples(valinput, len(ios))
        given = [_as_input(x, io) for x, io in zip(given, ios, strict=True)]
        if len({len(x) for x in given}) > 1:
            raise EdgeAIError(f"{valinput}: the inputs hold different numbers of samples "
                              f"({', '.join(str(len(x)) for x in given)})")
    if valoutput:
        labels = _read_labels(valoutput)
    if random is None:
        random = 0 if valinput else (batches or DEFAULT_RANDOM_SAMPLES)
    rng = np.random.default_rng(seed)
    extra = [_random_samples(compilation, k, io, random, rng) for k, io in enumerate(ios)]
    samples = ([np.concatenate([g, e]) for g, e in zip(given, extra, strict=True)]
               if given else extra)
    if batches is not None:
        samples = [x[:batches] for x in samples]
        labels = labels[:batches] if labels is not None else None
    if not len(samples[0]):
        raise EdgeAIError("no samples to validate: give -vi INPUTS or --random N with N > 0")
    if labels is not None:
        if labels.ndim != 1 or labels.dtype.kind not in "biuf":
            raise EdgeAIError("the labels must be numbers (class indices), one per sample")
        if len(labels) > len(samples[0]):
            raise EdgeAIError(f"{len(labels)} expected outputs or labels for "
                              f"{len(samples[0])} samples")
        labels = np.concatenate([labels, np.full(len(samples[0]) - len(labels), -1)])
    return samples, labels


# The integer input types and their numpy types (16x8 models take int16 inputs).
_INTEGER_INPUTS = {"int8_t": np.int8, "int16_t": np.int16}


def _random_samples(compilation: Compilation, k: int, io, count: int,
                    rng: np.random.Generator) -> np.ndarray:
    """`count` uniform int8 samples for input k (int16 ones for an int16 input); for a float
    input (quantized inside the model), int8 values dequantized with the quantization the
    model applies to it."""
    if io.ctype == "int16_t":
        return rng.integers(-32768, 32768, size=(count, *io.shape[1:]), dtype=np.int16)
    values = rng.integers(-128, 128, size=(count, *io.shape[1:]), dtype=np.int8)
    if io.ctype == "int8_t":
        return values
    scale, zero_point = _float_input_quantization(compilation.imported,
                                                  compilation.imported.inputs[k])
    return (values.astype(np.float32) - np.float32(zero_point)) * np.float32(scale)


def _float_input_quantization(graph: Graph, tensor_id: int) -> tuple[float, int]:
    """Scale and zero point of the first quantized tensor a float input is turned into."""
    for op in graph.ops:
        if tensor_id in op.inputs:
            for out in op.outputs:
                quant = graph.tensor(out).quant
                if quant is not None and quant.scale and quant.scale[0]:
                    return quant.scale[0], quant.zero_point[0]
    return 1.0 / 64, 0


def _load(path: str) -> np.ndarray | np.lib.npyio.NpzFile:
    """An .npy array, an .npz archive, or a .csv file (one sample per row, as ST writes)."""
    if path.lower().endswith(".csv"):
        return np.loadtxt(path, delimiter=",", ndmin=2, comments="#")
    return np.load(path, allow_pickle=False)


def _read_samples(path: str, count: int) -> tuple[list[np.ndarray], np.ndarray | None]:
    try:
        loaded = _load(path)
    except (OSError, ValueError) as exc:
        raise EdgeAIError(f"cannot read validation inputs {path}: {exc}") from None
    if isinstance(loaded, np.ndarray):
        if count > 1:
            raise EdgeAIError(f"{path} holds one array, the model has {count} inputs: give an "
                              ".npz with one array per input (keys x_1, x_2, ... in input order)")
        return [loaded], None
    keys = list(loaded.keys())
    inputs_keys = [k for k in keys if k in ("x", "inputs")] or keys[:1]
    if count > 1:
        inputs_keys = [k for k in keys if k.startswith(("x", "input"))]
    if len(inputs_keys) != count:
        found = ", ".join(inputs_keys) or "keys: " + (", ".join(keys) or "none")
        raise EdgeAIError(f"{path} holds {len(inputs_keys)} input arrays ({found}), the model "
                          f"has {count} input{'s' if count > 1 else ''}")
    try:
        inputs = [loaded[k] for k in inputs_keys]
        labels = next((loaded[k] for k in ("y", "labels") if k in keys), None)
    except (OSError, ValueError) as exc:
        raise EdgeAIError(f"cannot read validation inputs {path}: {exc}") from None
    return inputs, labels


def _read_labels(path: str) -> np.ndarray:
    try:
        expected = _load(path)
    except (OSError, ValueError) as exc:
        raise EdgeAIError(f"cannot read expected outputs {path}: {exc}") from None
    if not isinstance(expected, np.ndarray):
        raise EdgeAIError(f"expected outputs {path}: give a .npy array, not an .npz archive")
    if expected.ndim == 0 or expected.dtype.kind not in "biuf":
        raise EdgeAIError(f"expected outputs {path}: an array of numbers is needed, one row "
                          f"or label per sample (got {expected.dtype} of shape "
                          f"{list(expected.shape)})")
    if expected.ndim == 2 and expected.shape[1] == 1:  # a one-column csv of labels
        expected = expected[:, 0]
    return expected if expected.ndim == 1 else expected.reshape(len(expected), -1).argmax(axis=1)


def _as_input(values: np.ndarray, io) -> np.ndarray:
    """Validation inputs in the input's dtype: float data is quantized with its scale."""
    if values.dtype.kind not in "biuf":
        raise EdgeAIError(f"validation inputs of type {values.dtype}: numbers are needed")
    expected = tuple(io.shape[1:])
    if tuple(values.shape[1:]) != expected:
        if values.size % int(np.prod(expected)) != 0:
            raise EdgeAIError(f"validation inputs have shape {list(values.shape)}, the model's "
                              f"input {io.number} is {list(io.shape)}")
        values = values.reshape(-1, *expected)
    integer = _INTEGER_INPUTS.get(io.ctype)
    if integer is None:
        return values.astype(np.float32)
    info = np.iinfo(integer)
    if np.issubdtype(values.dtype, np.floating):
        values = np.clip(np.round(values / io.scale) + io.zero_point, info.min, info.max)
    elif values.size and (values.min() < info.min or values.max() > info.max):
        raise EdgeAIError(f"integer validation inputs for input {io.number} hold values from "
                          f"{values.min()} to {values.max()}, outside {info.dtype} (give "
                          "floats to have them quantized)")
    return values.astype(integer)


def _save(path: str, outputs: list[np.ndarray]) -> None:
    try:
        if len(outputs) == 1:
            np.save(path, outputs[0])
        else:
            np.savez(Path(path).with_suffix(".npz"), *outputs)
    except OSError as exc:
        raise EdgeAIError(f"cannot save outputs to {path}: {exc.strerror}") from None


_PLACES = {"host": "on the host", "qemu-m7": "on a Cortex-M7 in QEMU (mps2-an500)"}


def format_validation(compilation: Compilation, mode: str, samples: int,
                      metrics: list[Metrics]) -> str:
    # a network with state sees the samples as one sequence, as one interpreter invoked
    # in the same order does
    sequence = " (one sequence: the network keeps state)" if compilation.network.state_bytes \
        else ""
    lines = [
        f"Validation of {compilation.options.name} ({compilation.model_path.name}) "
        f"{_PLACES[mode]}, {samples} samples{sequence}, against the TFLite Micro interpreter",
        "",
        f"{'output':<10}{'acc':>9}{'rmse':>14}{'mae':>14}{'l2r':>14}{'cos':>10}"
        f"{'bit-exact':>22}",
    ]
    for k, m in enumerate(metrics, start=1):
        acc = f"{m.acc:.2f}%" if m.acc is not None else "n.a."
        lines.append(f"{'out_' + str(k):<10}{acc:>9}{m.rmse:>14.9f}{m.mae:>14.9f}{m.l2r:>14.9f}"
                     f"{m.cos:>10.6f}{f'{m.exact}/{m.total} ({m.exact_share:.2f}%)':>22}")
    exact = sum(m.exact for m in metrics)
    total = sum(m.total for m in metrics)
    verdict = "bit-exact" if exact == total else "NOT bit-exact"
    lines += ["", f"{exact}/{total} output values identical to TFLite Micro: {verdict}", ""]
    return "\n".join(lines)
