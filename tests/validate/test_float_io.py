"""`edgeai validate` beyond the int8 happy path: float input and output (QUANTIZE /
DEQUANTIZE at the edges, as the converter writes them without inference_input_type/output_type
int8), bad validation data, and the reference failing: one error line, never a traceback."""

import subprocess
import sys

import numpy as np
import pytest
from support.tflite_builder import ModelBuilder
from tflite_micro import runtime

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.validate.reference import run_reference


def _float_io_model() -> bytes:
    b = ModelBuilder()
    x = b.input("x", (1, 4, 4, 3), dtype=np.float32)
    q = b.tensor("q", (1, 4, 4, 3), scale=0.02, zero_point=5)
    b.op("QUANTIZE", [x], [q])
    r = b.tensor("r", (1, 4, 4, 3), scale=0.02, zero_point=5)
    b.op("RELU", [q], [r])
    y = b.tensor("y", (1, 4, 4, 3), dtype=np.float32)
    b.op("DEQUANTIZE", [r], [y])
    b.output(y)
    return b.build()


def test_validate_random_samples_for_float_inputs(tmp_path):
    model = tmp_path / "float_io.tflite"
    model.write_bytes(_float_io_model())
    result = subprocess.run(
        [sys.executable, "-m", "edgeai_tool", "validate", "-m", str(model), "--mode", "host",
         "--random", "20"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "960/960 output values identical to TFLite Micro: bit-exact" in result.stdout


def _int8_model() -> bytes:
    b = ModelBuilder()
    x = b.input("x", (1, 6), scale=0.02, zero_point=5)
    y = b.tensor("y", (1, 6), scale=0.02, zero_point=5)
    b.op("RELU", [x], [y])
    b.output(y)
    return b.build()


def test_bad_validation_data_is_one_error_line(tmp_path):
    """Each of these used to end in a traceback (IndexError, ValueError, AttributeError)."""
    model = tmp_path / "m.tflite"
    model.write_bytes(_int8_model())
    np.savez(tmp_path / "empty.npz")
    np.save(tmp_path / "ok.npy", np.zeros((3, 6), np.float32))
    np.save(tmp_path / "many_labels.npy", np.zeros(5, np.int64))
    np.save(tmp_path / "text_labels.npy", np.array(["a", "b", "c"]))
    np.save(tmp_path / "wide.npy", np.full((2, 6), 1000, np.int64))
    cases = [
        (["-vi", "empty.npz"], "empty.npz holds 0 input arrays (keys: none), the model has 1"),
        (["--random", "-3"], "--random -3: the number of random samples cannot be negative"),
        (["-vi", "ok.npy", "-vo", "many_labels.npy"], "5 expected outputs or labels for 3"),
        (["-vi", "ok.npy", "-vo", "text_labels.npy"], "an array of numbers is needed"),
        (["-vi", "ok.npy", "-vo", "empty.npz"], "give a .npy array, not an .npz archive"),
        (["-vi", "wide.npy"], "hold values from 1000 to 1000, outside int8"),
    ]
    for args, message in cases:
        result = subprocess.run(
            [sys.executable, "-m", "edgeai_tool", "validate", "-m", str(model), *args],
            capture_output=True, text=True, check=False, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("edgeai: error: ")
        assert message in result.stderr, (args, result.stderr)


def test_a_reference_failure_is_an_edgeai_error(tmp_path, monkeypatch):
    """TFLM refusing a model (prepare failure, arena too small) raises RuntimeError in the
    tflite-micro package: validate reports it as its one-line error."""
    model = tmp_path / "m.tflite"
    model.write_bytes(_int8_model())

    def refuse(*_args, **_kwargs):
        raise RuntimeError("Failed to allocate tensors\nArenaAllocator: out of memory")

    monkeypatch.setattr(runtime.Interpreter, "from_bytes", refuse)
    with pytest.raises(EdgeAIError, match=r"the TFLite Micro interpreter \(the reference\) fails "
                                          r"on m\.tflite: Failed to allocate tensors Arena"):
        run_reference(model, [np.zeros((2, 6), np.int8)])
