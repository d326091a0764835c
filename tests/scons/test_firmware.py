"""The stm32f7 firmware: files, memory summary, the report's memory-by-section table,
null build, and byte-identical results at -j1 and -j2."""

from __future__ import annotations

import re

import pytest
from scons_tree import REPO, copy_tree, needs_arm


@pytest.fixture(scope="module")
def built_arm(tmp_path_factory):
    tree = copy_tree(tmp_path_factory.mktemp("built-arm") / "main")
    result = tree.scons("target=stm32f7", "-j1")
    return tree, result


@needs_arm
def test_stm32f7_build_writes_firmware_files_and_memory_summary(built_arm):
    tree, result = built_arm
    for suffix in (".elf", ".bin", ".hex", ".map"):
        assert tree.path(f"build/stm32f7/firmware{suffix}").is_file()
    assert "Generating network.c from quantized_model.tflite" in result.steps
    assert "Memory use of build/stm32f7/firmware.elf:" in result.output
    assert "of 2,048 KiB" in result.output and "of   512 KiB" in result.output
    assert re.search(r"^network: runtime [\d,]+ B flash, [\d,]+ B RAM; with weights and "
                     r"activations [\d,]+ B flash, [\d,]+ B RAM", result.output, re.M)


@needs_arm
def test_second_stm32f7_build_runs_nothing(built_arm):
    tree, _ = built_arm
    assert tree.up_to_date("target=stm32f7")


@needs_arm
def test_report_has_memory_by_section_from_the_linked_objects(built_arm):
    tree, _ = built_arm
    report = tree.path("build/stm32f7/firmware.network_report.txt").read_text()
    generated = tree.path("build/stm32f7/network/network_generate_report.txt").read_text()
    assert 'Requested memory size by section - "stm32f7" target' in report
    assert "Requested memory size by section" not in generated
    rows = {m.group(1): [int(v.replace(",", "")) for v in m.groups()[1:]] for m in re.finditer(
        r"^(\S+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s+([\d,]+)\s*$", report, re.M)}
    for module in ("libedgeai_runtime.a", "network.o", "network_data.o",
                   "network_data_params.o", "weights", "activations", "TOTAL"):
        assert module in rows, module
    assert rows["libedgeai_runtime.a"][0] > 1000  # kernels' text, after --gc-sections
    assert rows["network.o"][0] > 0
    assert rows["weights"][1] > 0 and rows["activations"][3] > 0
    assert re.search(r"^RT total\s+[\d,]+\s+[\d.]+%", report, re.M)


@needs_arm
def test_parallel_arm_firmware_is_byte_identical(built_arm, make_tree):
    a, _ = built_arm
    b = make_tree("b")
    b.scons("target=stm32f7", "-j2")
    for name in ("firmware.elf", "firmware.bin", "firmware.hex", "network/network.o",
                 "edgeai_runtime/libedgeai_runtime.a", "firmware.network_report.txt"):
        assert a.path(f"build/stm32f7/{name}").read_bytes() == \
            b.path(f"build/stm32f7/{name}").read_bytes(), name


@needs_arm
def test_readme_firmware_figures_are_what_the_build_reports(built_arm):
    """benchmarks/firmware_figures.py --update writes this line; a kernel change that moves
    the figures fails here until it is rerun."""
    import importlib.util

    tree, _ = built_arm
    script = REPO / "benchmarks" / "firmware_figures.py"
    spec = importlib.util.spec_from_file_location("firmware_figures", script)
    figures = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(figures)
    report = tree.path("build/stm32f7/firmware.network_report.txt").read_text()
    assert figures.readme_line(report) in (REPO / "README.md").read_text()
