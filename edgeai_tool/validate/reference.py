"""The reference: TensorFlow Lite Micro's own interpreter (the `tflite-micro` package)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from edgeai_tool.errors import EdgeAIError


def run_reference(model_path: str | Path, inputs: list[np.ndarray],
                  output_count: int = 1) -> list[np.ndarray]:
    """Outputs of the TFLM interpreter for every sample; shapes as in `HostNetwork.run`."""
    try:
        from tflite_micro import runtime
    except ImportError:
        raise EdgeAIError(
            "validate needs the TFLite Micro interpreter: pip install 'edgeai[validate]' "
            "(package tflite-micro)") from None
    interpreter = runtime.Interpreter.from_bytes(Path(model_path).read_bytes())
    outputs: list[list[np.ndarray]] = [[] for _ in range(output_count)]
    for sample in range(len(inputs[0])):
        for k, values in enumerate(inputs):
            interpreter.set_input(values[sample:sample + 1], k)
        interpreter.invoke()
        for k in range(output_count):
            outputs[k].append(interpreter.get_output(k).copy())
    return [np.concatenate(per_output) for per_output in outputs]

