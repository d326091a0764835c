"""The check every kernel test ends with: generated C == TFLite Micro, byte for byte."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from edgeai_tool.compilation import Compilation
from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.qemu import QemuNetwork
from edgeai_tool.validate.reference import run_reference


def compile_bytes(model: bytes, directory: Path, options: Options | None = None) -> Compilation:
    """Write `model` to `directory/model.tflite` and compile it."""
    path = directory / "model.tflite"
    path.write_bytes(model)
    return compile_model(path, options or Options())


def assert_bit_exact(model: bytes, inputs: list[np.ndarray], directory: Path,
                     options: Options | None = None, sanitize: bool = True) -> list[np.ndarray]:
    """Run the generated C (under ASan/UBSan by default) and tflite-micro on every sample
    (`inputs[k]` has shape (N, *input_k_shape[1:])) and assert identical outputs."""
    compilation = compile_bytes(model, directory, options)
    with HostNetwork(compilation, sanitize=sanitize) as network:
        outputs = network.run(inputs)
    reference = run_reference(compilation.model_path, inputs, len(outputs))
    assert_same_outputs(outputs, reference)
    return outputs


def assert_same_outputs(outputs: list[np.ndarray], reference: list[np.ndarray]) -> None:
    """Every output of the generated C equals tflite-micro's, value for value."""
    for k, (got, want) in enumerate(zip(outputs, reference, strict=True)):
        got = got.reshape(want.shape)
        mismatches = np.flatnonzero(got != want)
        assert mismatches.size == 0, (
            f"output {k}: {mismatches.size}/{want.size} values differ from tflite-micro; "
            f"first at flat index {mismatches[0]}: C {got.flat[mismatches[0]]} "
            f"vs TFLM {want.flat[mismatches[0]]}")


def require_qemu_m7() -> None:
    """Skip the test, naming the tool, when QEMU or the Arm compiler is missing."""
    for tool in ("qemu-system-arm", "arm-none-eabi-gcc"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed")


def assert_qemu_bit_exact(compilation: Compilation, samples: np.ndarray) -> None:
    """The network compiled for qemu-m7, run on the emulated Cortex-M7 (the Arm code, not
    its C stand-ins), equals tflite-micro on `samples` (N, 1, *input_shape[1:])."""
    inputs = [samples.reshape(len(samples), *samples.shape[2:])]
    with QemuNetwork(compilation) as target:
        on_target = target.run(inputs)
    reference = run_reference(compilation.model_path, inputs)
    np.testing.assert_array_equal(on_target[0].reshape(reference[0].shape), reference[0])
