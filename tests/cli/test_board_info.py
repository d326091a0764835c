"""Boards as data: the board files load, `edgeai board-info` describes a board and writes
its generated files, and bad names or files are one clear error."""

from __future__ import annotations

import subprocess
import sys

import pytest

from edgeai_tool.boards import BOARDS, load_boards
from edgeai_tool.errors import EdgeAIError


def edgeai(*args: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edgeai_tool", *map(str, args)],
                          capture_output=True, text=True, check=False)


def test_shipped_boards_and_their_cores():
    cores = {target: board.cpu for target, board in BOARDS.items()}
    assert cores == {"host": "host", "qemu-m4": "cortex-m4", "qemu-m7": "cortex-m7",
                     "stm32f4": "cortex-m4", "stm32f7": "cortex-m7", "stm32h7": "cortex-m7",
                     "stm32l4": "cortex-m4"}
    assert BOARDS["qemu-m4"].machine_flags() == [
        "-mcpu=cortex-m4", "-mthumb", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard"]


def test_board_info_writes_the_linker_script_and_header_from_the_board_file(tmp_path):
    result = edgeai("board-info", "stm32h7", "-o", tmp_path)
    assert result.returncode == 0, result.stderr
    script = (tmp_path / "board.ld").read_text()
    assert "FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 2048K" in script
    assert "AXISRAM (rw) : ORIGIN = 0x24000000, LENGTH = 512K" in script
    assert 'REGION_ALIAS("REGION_DATA", DTCM);' in script and "INCLUDE sections.ld" in script
    header = (tmp_path / "board_config.h").read_text()
    assert "#define BOARD_IRQ_COUNT 150" in header
    assert "#define BOARD_UART_BASE 0x40004800u" in header
    assert 'set(EDGEAI_BOARD_QEMU_MACHINE "")' in (tmp_path / "board.cmake").read_text()
    shown = edgeai("board-info", "stm32f4").stdout
    assert shown.startswith("stm32f4: NUCLEO-F446RE") and "128 KiB" in shown


def test_unknown_target_is_one_line_listing_the_known_ones():
    result = edgeai("board-info", "stm32f9")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == ("edgeai: error: unknown target 'stm32f9'; known: "
                             f"{', '.join(BOARDS)}\n")


def test_a_board_file_with_a_missing_region_names_the_file(tmp_path):
    (tmp_path / "odd.yaml").write_text(
        "name: odd\ndescription: x\ncpu: cortex-m4\nsupport: stm32\nconsole: uart\n"
        "memory:\n  FLASH: {origin: 0x08000000, length: 64K, access: rx}\n"
        "place: {text: FLASH, data: RAM, bulk: RAM, extra: RAM}\n")
    with pytest.raises(EdgeAIError, match=r"board file odd.yaml: 'place' must map"):
        load_boards(tmp_path)


def test_a_board_file_with_a_misspelt_entry_names_it(tmp_path):
    (tmp_path / "odd.yaml").write_text("name: odd\ndescription: x\ncpu: cortex-m4\n"
                                       "support: stm32\nconsole: uart\nclok_hz: 8000000\n")
    with pytest.raises(EdgeAIError, match=r"board file odd.yaml: unknown entries: clok_hz"):
        load_boards(tmp_path)
