"""Scripts written for ST Edge AI Core run unchanged: ST's options are accepted with a
meaning, the report carries ST's memory tables, and what edgeai does not support is
refused with one line that names it."""

import shutil

import numpy as np
import pytest
from test_cli import DEMO_MODEL, edgeai

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options

ST_SCRIPT_OPTIONS = ("-c", "lossless", "--split-weights", "--allocate-inputs",
                     "--allocate-outputs", "--c-api", "legacy", "--target", "stm32f7")


def _c_files(options: Options) -> dict[str, str]:
    return {n: t for n, t in compile_model(DEMO_MODEL, options).files.items()
            if n.endswith((".c", ".h"))}


def test_st_generate_command_line_is_accepted_and_writes_the_same_report(tmp_path):
    result = edgeai("generate", "-m", DEMO_MODEL, "-n", "network", *ST_SCRIPT_OPTIONS,
                    "-w", tmp_path / "workspace", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "workspace").is_dir()
    report = (tmp_path / "out" / "network_generate_report.txt").read_text()
    assert "Exec/report summary (generate)" in report
    assert "compression        :   lossless" in report
    assert "allocate-inputs, allocate-outputs, split-weights" in report
    # without --report-sizes the report depends on the model and options only
    assert "Requested memory size by section" not in report


@pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                    reason="arm-none-eabi-gcc missing")
def test_report_sizes_fills_st_tables_from_the_compiled_c(tmp_path):
    result = edgeai("generate", "-m", DEMO_MODEL, "-n", "network", *ST_SCRIPT_OPTIONS,
                    "--report-sizes", "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    report = (tmp_path / "out" / "network_generate_report.txt").read_text()
    tables = report[report.index('Requested memory size by section - "stm32f7" target'):]
    assert tables.index("libedgeai_runtime.a") < tables.index("network.o") \
        < tables.index("lib (toolchain)*") < tables.index("RT total**")
    activations = compile_model(DEMO_MODEL, Options()).plan.activations_bytes
    assert f"activations                  0        0      0   {activations:,}" in tables
    assert 'Summary - "stm32f7" target' in tables and "*  rt/total" in tables
    assert tables.index("Summary") < tables.index("Generated files")


def test_exact_compressions_and_st_spellings_of_defaults_change_no_c():
    default = _c_files(Options())
    assert _c_files(Options(compression="lossless", split_weights=True)) == default


def test_lossy_compression_is_said_not_supported_yet(tmp_path):
    result = edgeai("generate", "-m", DEMO_MODEL, "-c", "high", "--target", "host",
                    "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == ("edgeai: note: --compression high is not supported yet: "
                                     "weights are generated exact, as with lossless")
    result = edgeai("analyze", "-m", DEMO_MODEL, "--target", "host")
    assert "not measured for target host (no Cortex-M core)" in result.stdout


def test_analyze_is_headed_analyze():
    result = edgeai("analyze", "-m", DEMO_MODEL, "--target", "host")
    assert result.returncode == 0, result.stderr
    assert "Exec/report summary (analyze)" in result.stdout


@pytest.mark.parametrize(("args", "message"), [
    (("--relocatable",), "--relocatable (ST Edge AI Core option) is not supported"),
    (("--binary",), "--binary (ST Edge AI Core option) is not supported"),
    (("--c-api", "st-ai"), "--c-api st-ai is not supported"),
    (("--input-data-type", "uint8"), "--input-data-type uint8: input 1"),
    (("--allocate-inputs", "--no-inputs-allocation"),
     "--allocate-inputs and --no-inputs-allocation contradict each other"),
    (("-c", "extreme"), "argument -c/--compression: invalid choice: 'extreme'"),
])
def test_unsupported_st_options_are_refused_by_name(tmp_path, args, message):
    result = edgeai("generate", "-m", DEMO_MODEL, *args, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.startswith(f"edgeai: error: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_validate_takes_st_batches_classifier_and_csv(tmp_path):
    digits = np.load(DEMO_MODEL.parent / "digits_test.npz")
    real = (digits["inputs"][:30].reshape(30, -1).astype(np.float32) + 128) / 255
    np.savetxt(tmp_path / "inputs.csv", real, delimiter=",")
    np.savetxt(tmp_path / "labels.csv", digits["labels"][:30], delimiter=",")
    result = edgeai("validate", "-m", DEMO_MODEL, "-vi", tmp_path / "inputs.csv",
                    "-vo", tmp_path / "labels.csv", "-b", "20", "--classifier")
    assert result.returncode == 0, result.stderr
    assert ", 20 samples, " in result.stdout
    assert "200/200 output values identical to TFLite Micro: bit-exact" in result.stdout
    matrix = result.stdout[result.stdout.index("Confusion matrix"):].splitlines()[2:12]
    assert sum(int(n) for row in matrix for n in row.split()[1:]) == 20
