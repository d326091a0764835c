"""The CMake integration (edgeai_tool/cmake, examples/cmake): the demo builds and passes
ctest, and CMake rebuilds what SCons rebuilds (tests/scons/test_incremental.py) after the
same changes, with Ninja and with Make. Host builds, except the qemu-m7 acceptance test.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from cmake_tree import MODEL, Tree, copy_tree, needs_cmake, needs_ninja
from support.model_variants import change_weights, other_architecture

pytestmark = [needs_cmake, needs_ninja]

DEMO_PASSED = "10 of 10 digits correct"


def test_host_demo_builds_and_ctest_checks_its_predictions(host_tree):
    result = host_tree.ctest()
    assert result.returncode == 0, result.output
    assert DEMO_PASSED in result.output


def _qemu_pools(psram_address: int) -> str:
    """A pool file for QEMU's mps2-an500: 1 KiB of RAM, and PSRAM at a fixed address."""
    def pool(name: str, kib: int, offset: int) -> dict:
        return {"name": name, "prop": {"throughput": "HIGH", "latency": "LOW"},
                "size": {"value": str(kib), "magnitude": "KBYTES"},
                "offset": {"value": f"{offset:#x}", "magnitude": "BYTES"}}
    return json.dumps({"memory": {"mempools": [pool("RAM", 1, 0),
                                               pool("PSRAM", 16, psram_address)]}})


def _section(elf: Path, name: str) -> tuple[int, int]:
    """(address, size) of a section of the ELF, as objdump lists it."""
    table = subprocess.run(["arm-none-eabi-objdump", "-h", str(elf)], capture_output=True,
                           text=True, check=True).stdout
    m = re.search(rf"^\s*\d+ {re.escape(name)}\s+([0-9a-f]+)\s+([0-9a-f]+)", table, re.M)
    return int(m.group(2), 16), int(m.group(1), 16)


@pytest.mark.skipif(not (shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")),
                    reason="arm-none-eabi-gcc or qemu-system-arm missing")
def test_qemu_m7_demo_builds_and_passes_ctest_in_qemu(tmp_path):
    """Also with a pool at a fixed address: clear of the link, it passes; under .bss, the
    post-link check fails the build with one line and no firmware is left behind."""
    tree = copy_tree(tmp_path / "main")
    tree.configure("-DEDGEAI_TARGET=qemu-m7")
    tree.build()
    assert tree.path("build/firmware.elf").is_file() and tree.path("build/firmware.bin").is_file()
    result = tree.ctest()
    assert result.returncode == 0 and DEMO_PASSED in result.output, result.output
    assert tree.up_to_date()

    pools, elf = tree.path("models/mempools-board.json"), tree.path("build/firmware.elf")
    pools.write_text(_qemu_pools(0x60001000))
    built = tree.build()
    assert not built.errors and "edgeai: warning" not in built.output, built.output
    result = tree.ctest()
    assert result.returncode == 0 and DEMO_PASSED in result.output, result.output

    bss, bss_size = _section(elf, ".bss")  # the same in the next link: only the address moves
    pools.write_text(_qemu_pools(bss))
    failed = tree.build(check=False)
    assert failed.returncode != 0 and len(failed.errors) == 1, failed.output
    assert failed.errors[0].startswith(
        f"edgeai: error: {elf}: pool PSRAM of network, fixed at [{bss:#010x}, "), failed.output
    assert f"overlaps section .bss at [{bss:#010x}, {bss + bss_size:#010x})" in failed.errors[0]
    assert not elf.exists()
    assert tree.build(check=False).errors == failed.errors  # links again, fails again


@pytest.mark.skipif(not shutil.which("arm-none-eabi-gcc"), reason="arm-none-eabi-gcc missing")
def test_stm32f7_firmware_builds_with_make(tmp_path):
    tree = copy_tree(tmp_path / "main", generator="Unix Makefiles")
    tree.configure("-DEDGEAI_TARGET=stm32f7")
    tree.build()
    for name in ("firmware.elf", "firmware.elf.map", "firmware.bin", "firmware.hex"):
        assert tree.path(f"build/{name}").is_file(), name
    assert "--memory-pool mempools-board.json" in \
        tree.path("build/edgeai/network/network_generate_report.txt").read_text()
    assert tree.up_to_date()


def test_second_build_runs_no_step(host_tree):
    assert host_tree.up_to_date()


def test_touched_but_identical_model_rebuilds_nothing(host_tree):
    os.utime(host_tree.path(MODEL))
    os.utime(host_tree.path("models/mempools-board.json"))
    result = host_tree.build()
    assert result.ran("Generating") == ["network.c"]  # it cannot know without reading
    assert not result.ran("Building") and not result.ran("Linking"), result.output
    assert host_tree.up_to_date()


def test_weights_change_recompiles_only_data_files_and_relinks(host_tree):
    change_weights(host_tree.path(MODEL))
    result = host_tree.build()
    assert result.ran("Generating") == ["network.c"]
    compiled = [os.path.basename(o) for o in result.ran("Building")]
    assert "network_data_params.c.o" in compiled, result.output
    assert all(name.startswith("network_data") for name in compiled), compiled
    assert result.ran("Linking") == ["firmware"]
    assert host_tree.up_to_date()


def test_architecture_change_leaves_the_runtime_alone(host_tree):
    host_tree.path(MODEL).write_bytes(other_architecture(seed=3))
    result = host_tree.build()
    compiled = result.ran("Building")
    assert any(o.endswith("/network.c.o") for o in compiled), result.output
    assert not [o for o in compiled if "edgeai_runtime" in o], compiled
    assert result.ran("Linking") == ["firmware"]  # not the runtime library


def test_manifest_option_change_regenerates(host_tree):
    manifest = host_tree.path("edgeai.yaml")
    manifest.write_text(manifest.read_text().replace("optimization: balanced",
                                                     "optimization: time"))
    result = host_tree.build()
    assert result.ran("Generating") == ["network.c"], result.output
    report = host_tree.path("build/edgeai/network/network_generate_report.txt").read_text()
    assert "-O time" in report
    assert host_tree.up_to_date()


def test_generator_edit_regenerates_and_runtime_edit_rebuilds_the_library_only(tmp_path):
    tree = copy_tree(tmp_path / "main", own_package=True)
    tree.configure("-DEDGEAI_TARGET=host")
    tree.build()
    template = tree.path("edgeai_tool/codegen/templates/network.c.j2")
    template.write_text(template.read_text() + "\n{# edited #}\n")
    result = tree.build()
    assert result.ran("Generating") == ["network.c"], result.output
    assert not result.ran("Linking C static library")
    kernel = tree.path("edgeai_tool/runtime/edgeai_fully_connected.c")
    kernel.write_text(kernel.read_text() + "\nint edgeai_edited(void) { return 1; }\n")
    result = tree.build()
    assert not result.ran("Generating")
    assert [os.path.basename(o) for o in result.ran("Building")] == \
        ["edgeai_fully_connected.c.o"], result.output
    assert result.ran("Linking C static library") == ["libedgeai_runtime.a"]


def test_generator_error_is_one_line_and_stays_failing(host_tree):
    host_tree.path(MODEL).write_bytes(b"not a flatbuffer")
    result = host_tree.build(check=False)
    assert result.returncode != 0
    assert len(result.errors) == 1 and "quantized_model.tflite" in result.errors[0], \
        result.output
    assert "Traceback" not in result.output
    assert host_tree.build(check=False).returncode != 0  # nothing taken as up to date


def test_unix_makefiles_rebuild_the_same_things(tmp_path):
    tree = copy_tree(tmp_path / "main", generator="Unix Makefiles")
    tree.configure("-DEDGEAI_TARGET=host")
    tree.build()
    assert DEMO_PASSED in tree.ctest().output
    assert tree.up_to_date()
    os.utime(tree.path(MODEL))
    result = tree.build()
    assert not result.ran("Building") and not result.ran("Linking"), result.output
    assert tree.up_to_date()  # the stamp, not the untouched files, records the run
    change_weights(tree.path(MODEL))
    compiled = [os.path.basename(o) for o in tree.build().ran("Building")]
    assert compiled == ["network_data_params.c.o"], compiled
    assert tree.up_to_date()


# A project of its own using edgeai_add_model directly, with a name and options.
ADD_MODEL_PROJECT = """
cmake_minimum_required(VERSION 3.20)
project(add_model LANGUAGES C)
find_package(edgeai REQUIRED CONFIG)
add_executable(app main.c)
edgeai_add_model(app MODEL {model} NAME digits OPTIONS -O time)
enable_testing()
add_test(NAME app COMMAND app)
"""
ADD_MODEL_MAIN = """
#include <stdint.h>
#include <stdio.h>
#include "digits.h"
static uint8_t pool[AI_DIGITS_DATA_ACTIVATION_1_SIZE];
int main(void) {
    if (digits_init((void *const[]){pool}) != 0 || digits_run() != 0) return 1;
    puts("ran");
    return 0;
}
"""


def _add_model_project(tmp_path, model: str) -> Tree:
    tree = copy_tree(tmp_path / "main")
    project = tree.path("project")
    project.mkdir()
    (project / "CMakeLists.txt").write_text(ADD_MODEL_PROJECT.format(model=model))
    (project / "main.c").write_text(ADD_MODEL_MAIN)
    return tree


def test_edgeai_add_model_with_name_and_options(tmp_path):
    tree = _add_model_project(tmp_path, f"../{MODEL}")
    tree.configure("-DEDGEAI_TARGET=host", source="project")
    tree.build()
    assert tree.ctest().returncode == 0
    report = tree.path("build/edgeai/digits/digits_generate_report.txt").read_text()
    assert "-n digits" in report and "-O time" in report and "--target host" in report


@pytest.mark.parametrize("what", ["model", "manifest"])
def test_missing_input_fails_at_configure_naming_the_file(tmp_path, what):
    if what == "model":
        tree = _add_model_project(tmp_path, "../models/nope.tflite")
        result = tree.configure(check=False, source="project")
        expected = "edgeai_add_model(app): model file '../models/nope.tflite' not found"
    else:
        tree = copy_tree(tmp_path / "main")
        result = tree.configure("-DEDGEAI_TARGET=host", "-DEDGEAI_MANIFEST=nope.yaml",
                                check=False)
        # CMake makes a FILEPATH given on the command line absolute.
        expected = f"edgeai_add_models(firmware): manifest '{tree.path('nope.yaml')}' not found"
    assert result.returncode != 0
    assert expected in " ".join(result.output.split()), result.output


def test_manifest_naming_a_missing_model_fails_at_configure(tmp_path):
    tree = copy_tree(tmp_path / "main")
    manifest = tree.path("edgeai.yaml")
    manifest.write_text(manifest.read_text().replace(MODEL, "models/nope.tflite"))
    result = tree.configure("-DEDGEAI_TARGET=host", check=False)
    assert result.returncode != 0
    assert "field 'model': file 'models/nope.tflite' not found" in \
        " ".join(result.output.split()), result.output
