"""Emit stage: what changes where, names, and C that builds for the target."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import tflite
from support.models import MLPERF

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options
from edgeai_tool.runtime import runtime_dir

REPO = Path(__file__).resolve().parents[2]
STRUCTURE_FILES = ("network.c", "network.h", "network_data.h", "network_data_params.h",
                   "network_config.h")
DATA_FILES = ("network_data_params.c",)


def _retrained(model: bytes, seed: int) -> bytes:
    """Same architecture, other numbers: every constant buffer nudged, as retraining would."""
    data = bytearray(model)
    parsed = tflite.Model.GetRootAsModel(data, 0)
    rng = np.random.default_rng(seed)
    for index in range(1, parsed.BuffersLength()):
        buffer = parsed.Buffers(index)
        if buffer.DataLength() == 0:
            continue
        values = buffer.DataAsNumpy().view(np.int8)  # a view into `data`
        picked = rng.choice(len(values), size=max(1, len(values) // 8), replace=False)
        values[picked] = np.where(values[picked] < 100, values[picked] + 1, values[picked] - 1)
    return bytes(data)


@pytest.mark.parametrize("model", [REPO / "models" / "quantized_model.tflite",
                                   MLPERF / "kws_ref_model.tflite",
                                   MLPERF / "pretrainedResnet_quant.tflite"],
                         ids=lambda p: p.stem)
def test_retrained_weights_change_only_the_data_files(model, tmp_path):
    retrained = tmp_path / model.name
    retrained.write_bytes(_retrained(model.read_bytes(), seed=5))
    before = compile_model(model, Options()).files
    after = compile_model(retrained, Options()).files
    for name in STRUCTURE_FILES:
        assert before[name] == after[name], f"{name} changed with the weights"
    for name in DATA_FILES:
        assert before[name] != after[name]


def test_name_substitutes_everywhere(tmp_path):
    files = compile_model(REPO / "models" / "quantized_model.tflite", Options(name="digits")).files
    assert "digits.c" in files and "digits_data_params.c" in files
    # ai_network_report and ai_network_params are ST's type names, the same for any network.
    text = "".join(files.values()).replace("ai_network_report", "").replace("ai_network_params", "")
    assert "int digits_run(void)" in text and "AI_DIGITS_IN_1_SIZE_BYTES" in text
    assert "network_" not in text and "AI_NETWORK" not in text


def test_generated_c_compiles_for_cortex_m7_warning_free(tmp_path):
    if shutil.which("arm-none-eabi-gcc") is None:
        raise AssertionError("arm-none-eabi-gcc is missing: run scripts/setup.sh")
    compilation = compile_model(REPO / "models" / "quantized_model.tflite", Options())
    for name, text in compilation.files.items():
        (tmp_path / name).write_text(text)
    sources = [*tmp_path.glob("*.c"), *runtime_dir().glob("*.c")]
    for source in sources:
        command = ["arm-none-eabi-gcc", "-mcpu=cortex-m7", "-mthumb", "-mfpu=fpv5-d16",
                   "-mfloat-abi=hard", "-std=c99", "-O2", "-Wall", "-Wextra", "-Werror",
                   f"-I{tmp_path}", f"-I{runtime_dir()}", "-c", str(source), "-o",
                   str(tmp_path / (source.stem + ".o"))]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        assert result.returncode == 0, result.stderr
