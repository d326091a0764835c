"""The `edgeai` command line: contract file names, determinism, and one-line errors."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
DEMO_MODEL = REPO / "models" / "quantized_model.tflite"
BOARD_POOLS = REPO / "models" / "mempools-board.json"
CONTRACT_FILES = {"network.c", "network.h", "network_data.c", "network_data.h",
                  "network_data_params.c", "network_data_params.h", "network_config.h",
                  "network_generate_report.txt", "network_c_info.json", "network_memory.svg"}


def edgeai(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edgeai_tool", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, check=False)


def test_generate_writes_the_contract_files(tmp_path):
    result = edgeai("generate", "-m", DEMO_MODEL, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert {p.name for p in (tmp_path / "out").iterdir()} == CONTRACT_FILES


def test_generation_is_byte_identical_across_paths_and_directories(tmp_path):
    outputs = []
    for place in ("first/deeper", "second"):
        workdir = tmp_path / place
        (workdir / "m").mkdir(parents=True)
        shutil.copy(DEMO_MODEL, workdir / "m" / "quantized_model.tflite")
        shutil.copy(BOARD_POOLS, workdir / "pools.json")
        result = edgeai("generate", "-m", "m/quantized_model.tflite", "--memory-pool",
                        workdir / "pools.json", "-o", workdir / "out", cwd=workdir)
        assert result.returncode == 0, result.stderr
        outputs.append({p.name: p.read_bytes() for p in (workdir / "out").iterdir()})
    assert outputs[0] == outputs[1]
    for text in outputs[0].values():
        assert str(tmp_path).encode() not in text


def test_generated_c_builds_with_the_runtime_warning_free(tmp_path):
    assert edgeai("generate", "-m", DEMO_MODEL, "-o", tmp_path / "out").returncode == 0
    assert edgeai("runtime", "-o", tmp_path / "rt").returncode == 0
    main = tmp_path / "main.c"
    main.write_text(
        '#include <stdint.h>\n#include <string.h>\n#include "network.h"\n'
        "static uint8_t pool[AI_NETWORK_DATA_ACTIVATION_1_SIZE] __attribute__((aligned(4)));\n"
        "int main(void) {\n"
        "    if (network_init((void *const[]){pool}) != 0) return 1;\n"
        "    memset(network_input(0), 0, AI_NETWORK_IN_1_SIZE_BYTES);\n"
        "    if (network_run() != 0) return 2;\n"
        "    return network_output(0) == NULL ? 3 : 0;\n}\n")
    sources = [main, *(tmp_path / "out").glob("*.c"), *(tmp_path / "rt").glob("*.c")]
    command = ["gcc", "-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", *map(str, sources),
               f"-I{tmp_path / 'out'}", f"-I{tmp_path / 'rt'}", "-o", str(tmp_path / "app")]
    build = subprocess.run(command, capture_output=True, text=True, check=False)
    assert build.returncode == 0, build.stderr
    assert subprocess.run([tmp_path / "app"], check=False).returncode == 0


def test_analyze_prints_the_report_and_writes_nothing(tmp_path):
    result = edgeai("analyze", "-m", DEMO_MODEL, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Exec/report summary" in result.stdout
    assert list(tmp_path.iterdir()) == []


def _assert_one_line_error(result: subprocess.CompletedProcess, *fragments: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("edgeai: error: ")
    assert "Traceback" not in result.stderr
    for fragment in fragments:
        assert fragment in lines[0]


def _truncated(tmp_path: Path) -> Path:
    path = tmp_path / "cut.tflite"
    path.write_bytes(DEMO_MODEL.read_bytes()[:3000])
    return path


def _not_tflite(tmp_path: Path) -> Path:
    path = tmp_path / "notes.tflite"
    path.write_text("these are not the weights you are looking for\n")
    return path


@pytest.mark.parametrize("make_model, fragments", [
    (lambda tmp: tmp / "missing.tflite", ("not found", "missing.tflite")),
    (_truncated, ("truncated or corrupt",)),
    (_not_tflite, ("not a TensorFlow Lite model",)),
])
def test_bad_models_fail_cleanly_and_write_nothing(tmp_path, make_model, fragments):
    out = tmp_path / "out"
    result = edgeai("generate", "-m", make_model(tmp_path), "-o", out)
    _assert_one_line_error(result, *fragments)
    assert not out.exists() or list(out.iterdir()) == []
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_pools_too_small_name_bytes_needed_and_available(tmp_path):
    pools = tmp_path / "tiny.json"
    pools.write_text('{"memory": {"mempools": [{"name": "TINY", '
                     '"size": {"value": "64", "magnitude": "BYTES"}}]}}')
    result = edgeai("generate", "-m", DEMO_MODEL, "--memory-pool", pools, "-o", tmp_path / "o")
    _assert_one_line_error(result, "B needed", "TINY 64 B")


def test_output_path_that_is_a_file(tmp_path):
    blocker = tmp_path / "out"
    blocker.write_text("a file where the output directory should be")
    result = edgeai("generate", "-m", DEMO_MODEL, "-o", blocker)
    _assert_one_line_error(result, "cannot write to output directory")
    assert blocker.read_text().startswith("a file")


def test_usage_errors_are_one_line_too(tmp_path):
    _assert_one_line_error(edgeai("generate", "-m", DEMO_MODEL), "-o/--output")
    _assert_one_line_error(edgeai("generate", "-m", DEMO_MODEL, "-n", "9lives", "-o", tmp_path),
                           "not a C identifier")


def test_generate_with_cache_reuses_identical_files(tmp_path):
    env = {**os.environ, "EDGEAI_CACHE_DIR": str(tmp_path / "cache")}
    runs = []
    for place in ("a", "b"):  # the report shows the command line, so keep the same base names
        result = subprocess.run(
            [sys.executable, "-m", "edgeai_tool", "generate", "-m", str(DEMO_MODEL), "--cache",
             "-o", str(tmp_path / place / "out")], capture_output=True, text=True, env=env,
            check=False)
        assert result.returncode == 0, result.stderr
        runs.append(result.stdout)
    assert "from the edgeai cache" not in runs[0]
    assert re.search(r"^reused entry [0-9a-f]{12} from the edgeai cache \(.*cache\): "
                     r"quantized_model.tflite was not generated again$", runs[1], re.M)
    for name in CONTRACT_FILES:
        first, second = (tmp_path / place / "out" / name for place in ("a", "b"))
        assert first.read_bytes() == second.read_bytes()
