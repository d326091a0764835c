"""`edgeai validate` on a model with float input and output (QUANTIZE / DEQUANTIZE at the
edges, as the converter writes them without inference_input_type/output_type int8)."""

import subprocess
import sys

import numpy as np
from support.tflite_builder import ModelBuilder


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
