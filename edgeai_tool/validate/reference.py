"""The reference: TensorFlow Lite Micro's own interpreter (the `tflite-micro` package)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.importer import load_model


def run_reference(model_path: str | Path, inputs: list[np.ndarray], output_count: int = 1,
                  reset_every: int = 0) -> list[np.ndarray]:
    """Outputs of one TFLM interpreter invoked on every sample in order (its variable
    tensors carry over, as in `HostNetwork.run`), reset before every `reset_every`-th
    sample when that is > 0."""
    try:
        from tflite_micro import runtime
    except ImportError:
        raise EdgeAIError(
            "validate needs the TFLite Micro interpreter: pip install 'edgeai[validate]' "
            "(package tflite-micro)") from None
    data = Path(model_path).read_bytes()
    outputs: list[list[np.ndarray]] = [[] for _ in range(output_count)]
    try:
        interpreter = runtime.Interpreter.from_bytes(data,
                                                     arena_size=_arena_size(model_path, data))
        for sample in range(len(inputs[0])):
            if reset_every > 0 and sample > 0 and sample % reset_every == 0:
                interpreter.reset()
            for k, values in enumerate(inputs):
                interpreter.set_input(values[sample:sample + 1], k)
            interpreter.invoke()
            for k in range(output_count):
                outputs[k].append(interpreter.get_output(k).copy())
    except (RuntimeError, ValueError) as exc:
        message = " ".join(str(exc).split()) or type(exc).__name__
        raise EdgeAIError(f"the TFLite Micro interpreter (the reference) fails on "
                          f"{Path(model_path).name}: {message}") from None
    return [np.concatenate(per_output) for per_output in outputs]



def _arena_size(model_path: str | Path, data: bytes) -> int:
    """TFLM's default arena is sized from the file; activations can need far more.

    Every tensor twice over, plus the model's size for TFLM's own bookkeeping."""
    graph = load_model(model_path)
    tensors = sum(t.nbytes + 16 for t in graph.tensors.values())
    return 2 * tensors + len(data) + 64 * 1024
