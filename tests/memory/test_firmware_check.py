"""`edgeai check-firmware`: a pool at a fixed address against a small linked firmware.

The firmware is linked here in a few milliseconds with a linker script of three regions,
flash, RAM and a second RAM right after it, and this layout:
    .text  0x08000000           .stack 0x20000000 (1 KiB)
    .data  0x20000400 (4 B)     .bss   0x20000404 (256 B)
so RAM above 0x20000504 is free. The builds run the same check after linking
(tests/scons/test_pool_sections.py, tests/cmake/test_cmake.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from edgeai_tool.cli import main
from edgeai_tool.memory.firmware import (
    Findings,
    FixedPool,
    Region,
    check_pools,
    elf_sections,
    map_regions,
)

pytestmark = pytest.mark.skipif(shutil.which("arm-none-eabi-gcc") is None,
                                reason="arm-none-eabi-gcc missing")

PROGRAM = """
int counter = 1;
char buffer[256];
void Reset_Handler(void) { for (;;) buffer[counter]++; }
"""
LINKER_SCRIPT = """
MEMORY {
    FLASH (rx) : ORIGIN = 0x08000000, LENGTH = 64K
    RAM (rw)   : ORIGIN = 0x20000000, LENGTH = 16K
    RAM2 (rw)  : ORIGIN = 0x20004000, LENGTH = 16K
}
ENTRY(Reset_Handler)
SECTIONS {
    .text : { *(.text*) } > FLASH
    .stack (NOLOAD) : { . += 1K; } > RAM
    .data : { *(.data*) } > RAM AT> FLASH
    .bss (NOLOAD) : { *(.bss*) *(COMMON) } > RAM
}
"""
POOL_BYTES = 0x200


@pytest.fixture
def firmware(tmp_path: Path) -> Path:
    (tmp_path / "fw.c").write_text(PROGRAM)
    (tmp_path / "fw.ld").write_text(LINKER_SCRIPT)
    subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m7", "-mthumb", "-O1", "-nostdlib",
                    "-T", "fw.ld", "-Wl,-Map=fw.elf.map", "fw.c", "-o", "fw.elf"],
                   cwd=tmp_path, check=True)
    return tmp_path / "fw.elf"


def _info(folder: Path, *pools: tuple[int, int]) -> str:
    """A c_info.json whose pools have these (address, used bytes)."""
    path = folder / "network_c_info.json"
    path.write_text(json.dumps({
        "options": {"name": "network", "memory_pool": "pools.json"},
        "memory_pools": [{"id": i, "name": f"P{i}", "size": 0x10000, "used_bytes": used,
                          "address": address, "buffers": 1}
                         for i, (address, used) in enumerate(pools)]}))
    return str(path)


def _check(firmware: Path, *pools: tuple[int, int], capsys, options=("--delete-on-error",)):
    status = main(["check-firmware", str(firmware), "--model-info", _info(firmware.parent, *pools),
                   "--map", f"{firmware}.map", *options])
    return status, capsys.readouterr().err.splitlines()


def test_the_sections_are_read_from_the_elf(firmware):
    sections = {s.name: (s.start, s.size) for s in elf_sections(firmware)}
    assert sections[".stack"] == (0x20000000, 0x400)
    assert sections[".data"] == (0x20000400, 4) and sections[".bss"] == (0x20000404, 256)
    assert ".comment" not in sections  # not allocated


def test_a_pool_over_bss_fails_naming_pool_section_and_ranges(firmware, capsys):
    status, lines = _check(firmware, (0x20000480, POOL_BYTES), capsys=capsys)
    assert status == 1 and lines == [
        f"edgeai: error: {firmware}: pool P0 of network, fixed at [0x20000480, 0x20000680), "
        "overlaps section .bss at [0x20000404, 0x20000504): move the pool (its offset in "
        "pools.json) or keep that range out of the link"]
    assert not firmware.exists()  # the build system links again instead of taking it as built


def test_the_stack_counts_and_the_firmware_stays_when_asked(firmware, capsys):
    status, lines = _check(firmware, (0x20000000, 4), capsys=capsys, options=())
    assert status == 1 and "overlaps section .stack at [0x20000000, 0x20000400)" in lines[0]
    assert firmware.exists()


@pytest.mark.parametrize("address", [0x20000504, 0x20003f00, 0x20008000 - POOL_BYTES])
def test_free_ram_passes_silently_also_across_adjacent_regions(firmware, capsys, address):
    """Just above .bss, across RAM and RAM2, at the very end of RAM2."""
    assert _check(firmware, (address, POOL_BYTES), capsys=capsys) == (0, [])
    assert firmware.exists()


def test_runtime_pools_and_unused_ones_are_not_checked(firmware, capsys):
    assert _check(firmware, (0, POOL_BYTES), (0x20000404, 0), capsys=capsys) == (0, [])


def test_a_pool_in_no_region_is_a_warning(firmware, capsys):
    """Memory the linker script does not know, e.g. SDRAM the application sets up."""
    status, lines = _check(firmware, (0xC0000000, POOL_BYTES), capsys=capsys)
    assert status == 0 and lines == [
        f"edgeai: warning: {firmware}: pool P0 of network, fixed at [0xc0000000, 0xc0000200), "
        "lies in no memory region of the link: the application must make that memory usable "
        "(e.g. external SDRAM) before running the network"]


@pytest.mark.parametrize(("address", "message"), [
    (0x20008000 - 0x100, "runs past the end of RAM region RAM2 at [0x20004000, 0x20008000)"),
    (0x08008000, "lies in read-only region FLASH at [0x08000000, 0x08010000)"),
])
def test_a_pool_past_ram_or_in_flash_fails(firmware, capsys, address, message):
    status, lines = _check(firmware, (address, POOL_BYTES), capsys=capsys)
    assert status == 1 and len(lines) == 1 and lines[0].endswith(message), lines


def test_a_pool_reaching_into_ram_from_below_fails():
    """(No section in the way: the layout above has its stack at the start of RAM.)"""
    pool = FixedPool("P0", 0x1FFFFF00, POOL_BYTES, model="network", pool_file="pools.json")
    findings = check_pools("fw.elf", [pool], [], [Region("RAM", 0x20000000, 0x4000)])
    assert findings.errors == ["fw.elf: pool P0 of network, fixed at [0x1fffff00, 0x20000100), "
                               "starts below RAM region RAM at [0x20000000, 0x20004000)"]


@pytest.mark.parametrize(("attributes", "writable"), [("rw", True), ("rwx", True), ("rx", False),
                                                      ("rx!w", False), ("", None)])
def test_region_attributes_say_ram_or_flash_or_nothing(tmp_path: Path, attributes, writable):
    """ld prints a region's attributes as the script gives them: '!' negates what follows,
    and a region declared with none is neither RAM nor flash to the check."""
    map_file = tmp_path / "fw.map"
    map_file.write_text("Memory Configuration\n\nName Origin Length Attributes\n"
                        f"MEM 0x20000000 0x00004000 {attributes}\n"
                        "*default* 0x00000000 0xffffffff\n\nLinker script and memory map\n")
    assert map_regions(map_file) == [Region("MEM", 0x20000000, 0x4000, writable=writable)]


def test_a_pool_in_a_region_without_attributes_passes():
    pool = FixedPool("P0", 0x20001000, POOL_BYTES, model="network", pool_file="pools.json")
    findings = check_pools("fw.elf", [pool], [], [Region("RAM", 0x20000000, 0x4000, None)])
    assert findings == Findings([], [])


def test_an_unreadable_firmware_is_bad_input(firmware, capsys):
    """Exit status 2 and one line, as for every bad input; the file is not a firmware to keep."""
    firmware.write_bytes(b"not an elf")
    status, lines = _check(firmware, (0x20001000, POOL_BYTES), capsys=capsys)
    assert status == 2 and len(lines) == 1 and "not an ELF file" in lines[0], lines
    assert not firmware.exists()
