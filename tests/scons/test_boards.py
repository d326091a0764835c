"""Boards as data: every target `scons --help` lists builds its firmware files, the demo
runs bit-exact on a second core (qemu-m4: Cortex-M4, no dual issue, single-precision FPU),
and a board too small for the firmware fails the link naming the region and the overflow."""

from __future__ import annotations

import re

from scons_tree import needs_arm, needs_qemu
from test_run import digit_lines, tflite_micro_outputs


def listed_targets(tree) -> list[str]:
    """The targets `scons --help` offers."""
    line = re.search(r"^target: .*\(([\w|-]+)\)$", tree.scons("--help").output, re.M)
    return line.group(1).split("|")


@needs_arm
def test_every_target_scons_help_lists_builds_its_firmware_files(tree):
    targets = listed_targets(tree)
    assert {"stm32f7", "stm32h7", "stm32f4", "stm32l4", "qemu-m7", "qemu-m4", "host"} \
        <= set(targets)
    for target in targets:
        result = tree.scons(f"target={target}", "-j2")
        if target == "host":
            assert tree.path("build/host/firmware").is_file()
            continue
        for suffix in (".elf", ".bin", ".hex", ".map"):
            assert tree.path(f"build/{target}/firmware{suffix}").is_file(), target
        assert f"Memory use of build/{target}/firmware.elf:" in result.output


@needs_qemu
def test_qemu_m4_runs_the_demo_bit_exact_with_tflite_micro(tree):
    result = tree.scons("target=qemu-m4", "run")
    assert "in QEMU mps2-an386" in result.output
    lines = digit_lines(result.output)
    assert lines and all(" ok " in line for line in lines), result.output
    assert re.search(r"^instructions per inference: \d+", result.output, re.M)
    printed = [[int(v) for v in line.split("outputs", 1)[1].split()] for line in lines]
    assert printed == tflite_micro_outputs(tree, lines)


@needs_arm
def test_board_whose_ram_is_too_small_fails_naming_region_and_overflow(tree):
    f4 = tree.path("edgeai_tool/boards/targets/stm32f4.yaml").read_text()
    tiny = f4.replace("length: 128K", "length: 16K").replace("name: NUCLEO-F446RE", "name: tiny")
    tree.path("edgeai_tool/boards/targets/tiny.yaml").write_text(
        tiny.replace("cpu: cortex-m4", "series: stm32f4\ncpu: cortex-m4"))
    result = tree.scons("target=tiny", "build/tiny/firmware.elf", check=False)
    assert result.returncode != 0
    [line] = result.errors
    overflow = int(re.fullmatch(r"edgeai: error: build/tiny/firmware\.elf does not fit the "
                                r"board: region RAM overflowed by ([\d,]+) bytes", line)
                   .group(1).replace(",", ""))
    assert overflow > 0
    assert "will not fit in region" not in result.output  # ld's restatement is gone


def test_unknown_target_lists_the_known_ones(tree):
    result = tree.scons("target=nope", check=False)
    assert result.returncode != 0
    assert "qemu-m4" in result.output and "stm32l4" in result.output
