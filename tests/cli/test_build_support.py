"""What timestamp-based builds (CMake, Make, Ninja) need from the CLI: unchanged files
left alone, a depfile, a stamp, the output names before generating, the manifest, and
the CMake package's folder."""

import json
import os
import subprocess
import sys
from pathlib import Path

from edgeai_tool.compiler import write_files
from edgeai_tool.options import output_files

REPO = Path(__file__).resolve().parents[2]
DEMO_MODEL = REPO / "models" / "quantized_model.tflite"
BOARD_POOLS = REPO / "models" / "mempools-board.json"


def edgeai(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edgeai_tool", *map(str, args)],
                          capture_output=True, text=True, check=False)


def test_write_files_leaves_unchanged_files_alone(tmp_path):
    out = tmp_path / "out"
    write_files({"same.c": "int a;\n", "changed.c": "int b;\n"}, out)
    old = 1_000_000_000
    for name in ("same.c", "changed.c"):
        os.utime(out / name, (old, old))
    write_files({"same.c": "int a;\n", "changed.c": "int c;\n"}, out)
    assert (out / "same.c").stat().st_mtime == old
    assert (out / "changed.c").read_text() == "int c;\n"
    assert (out / "changed.c").stat().st_mtime != old
    assert [p.name for p in tmp_path.iterdir()] == ["out"]  # no staging folder left


def test_depfile_names_outputs_model_pools_and_the_generator(tmp_path):
    out, depfile, stamp = tmp_path / "my out", tmp_path / "net.d", tmp_path / "net.stamp"
    result = edgeai("generate", "-m", DEMO_MODEL, "--memory-pool", BOARD_POOLS, "-o", out,
                    "--depfile", depfile, "--stamp", stamp)
    assert result.returncode == 0, result.stderr
    targets, prerequisites = depfile.read_text().split(": \\\n", 1)
    escaped = str(out).replace(" ", "\\ ")
    assert targets.split(" ", 1)[0] == str(stamp)  # what Ninja checks: the first output
    assert f"{escaped}/network.c" in targets and f"{escaped}/network_c_info.json" in targets
    listed = [line.strip(" \\") for line in prerequisites.splitlines()]
    assert listed[:2] == [str(DEMO_MODEL), str(BOARD_POOLS)]
    package = REPO / "edgeai_tool"
    assert str(package / "codegen" / "templates" / "network_data_params.c.j2") in listed
    assert str(package / "codegen" / "emit.py") in listed
    assert not [p for p in listed if "/runtime/" in p]  # the runtime is compiled, not read
    assert stamp.is_file()


def test_stamp_is_touched_even_when_no_output_changed(tmp_path):
    stamp = tmp_path / "net.stamp"
    args = ["generate", "-m", DEMO_MODEL, "-o", tmp_path / "out", "--stamp", stamp]
    assert edgeai(*args).returncode == 0
    old = 1_000_000_000
    os.utime(stamp, (old, old))
    assert edgeai(*args).returncode == 0
    assert stamp.stat().st_mtime > old


def test_failed_generation_writes_no_depfile_and_no_stamp(tmp_path):
    bad = tmp_path / "bad.tflite"
    bad.write_bytes(b"not a flatbuffer")
    result = edgeai("generate", "-m", bad, "-o", tmp_path / "out", "--depfile",
                    tmp_path / "net.d", "--stamp", tmp_path / "net.stamp")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("edgeai: error:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.tflite"]


def test_list_outputs_reads_no_model(tmp_path):
    result = edgeai("generate", "-m", tmp_path / "absent.tflite", "-n", "kws", "-o", "out",
                    "--list-outputs")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [f"out/{name}" for name in output_files("kws")]
    assert edgeai("generate", "-m", "x", "-n", "2kws", "-o", "out",
                  "--list-outputs").returncode == 2


def test_manifest_prints_checked_models_with_absolute_paths():
    result = edgeai("manifest", REPO / "edgeai.yaml")
    assert result.returncode == 0, result.stderr
    (model,) = json.loads(result.stdout)["models"]
    assert model["name"] == "network" and model["model"] == str(DEMO_MODEL)
    assert model["mempools"] == str(BOARD_POOLS) and model["target"] is None


def test_bad_manifest_is_one_error_line(tmp_path):
    manifest = tmp_path / "edgeai.yaml"
    manifest.write_text("models:\n  - name: net\n    model: nope.tflite\n")
    result = edgeai("manifest", manifest)
    assert result.returncode == 2 and result.stderr.count("\n") == 1
    assert "models[0] (net): field 'model': file 'nope.tflite' not found" in result.stderr


def test_cmake_dir_holds_the_package_and_the_toolchain_file():
    result = edgeai("cmake-dir")
    assert result.returncode == 0
    folder = Path(result.stdout.strip())
    assert {"edgeaiConfig.cmake", "edgeai.cmake", "arm-none-eabi.cmake"} <= \
        {p.name for p in folder.iterdir()}
