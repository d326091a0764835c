"""A memory-pool file with a small fast pool and a large one: the firmware links each pool's
buffer in its own section, in the RAM region the pool is named after (on the F767: DTCMRAM
in DTCM, SRAM1 in SRAM1; in QEMU: RAM and PSRAM), the planner has put the hottest buffers in
the fast pool, and the demo so split still runs bit-exact with TFLite Micro in QEMU, also
with the large pool at a fixed address; a fixed address the link put .bss over fails the
build."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from scons_tree import (
    MODEL,
    copy_tree,
    digit_lines,
    needs_arm,
    needs_qemu,
    tflite_micro_outputs,
)

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options

FAST_BYTES = 1024  # under the demo's 1,600 B plan: both pools are needed
KIB = 1024


def _pool(name: str, throughput: str, latency: str, kib: int) -> dict:
    return {"name": name, "prop": {"throughput": throughput, "latency": latency},
            "size": {"value": str(kib), "magnitude": "KBYTES"},
            "offset": {"value": "0", "magnitude": "BYTES"}}


# target: (pool file, the region each pool's section must land in)
BOARDS = {
    "stm32f7": ([_pool("DTCMRAM", "HIGH", "LOW", FAST_BYTES // KIB),
                 _pool("SRAM1", "HIGH", "MID", 368)],
                [(".edgeai_pool_DTCM", range(0x20000000, 0x20000000 + 128 * KIB)),
                 (".edgeai_pool_SRAM1", range(0x20020000, 0x20020000 + 368 * KIB))]),
    "qemu-m7": ([_pool("RAM", "HIGH", "LOW", FAST_BYTES // KIB),
                 _pool("PSRAM", "MID", "MID", 16 * KIB)],
                [(".edgeai_pool_RAM", range(0x20000000, 0x20000000 + 4096 * KIB)),
                 (".edgeai_pool_PSRAM", range(0x60000000, 0x60000000 + 16384 * KIB))]),
}


@pytest.fixture(scope="module")
def two_pool_tree(tmp_path_factory):
    """A copy of the repository whose demo model takes a two-pool file; built per target."""
    tree = copy_tree(tmp_path_factory.mktemp("two-pools") / "main")
    manifest = tree.path("edgeai.yaml")
    manifest.write_text(manifest.read_text().replace("models/mempools-board.json",
                                                     "models/two_pools.json"))
    return tree


def _build(tree, target: str, *args: str, pools: list[dict] | None = None,
           check: bool = True):
    pools = pools or BOARDS[target][0]
    tree.path("models/two_pools.json").write_text(json.dumps({"memory": {"mempools": pools}}))
    return tree.scons(f"target={target}", "-j1", *args, check=check)


def _symbols(elf) -> dict[str, tuple[str, int, int]]:
    """name -> (section, address, size) of the ELF's data objects."""
    table = subprocess.run(["arm-none-eabi-objdump", "-t", str(elf)], capture_output=True,
                           text=True, check=True).stdout
    return {m["name"]: (m["section"], int(m["address"], 16), int(m["size"], 16))
            for m in re.finditer(r"^(?P<address>[0-9a-f]{8}) .{7} (?P<section>\S+)\s+"
                                 r"(?P<size>[0-9a-f]{8}) (?P<name>\S+)$", table, re.M)}


def _header_pools(tree, target: str) -> list[tuple[int, str]]:
    """(size, section) of each pool, in pool order, as the generated network_data.h has them."""
    header = tree.path(f"build/{target}/network/network_data.h").read_text()
    sizes = re.findall(r"#define AI_NETWORK_DATA_ACTIVATION_\d_SIZE (\d+)", header)
    sections = re.findall(r'#define AI_NETWORK_DATA_ACTIVATION_\d_SECTION "(\S+)"', header)
    return [(int(size), section) for size, section in zip(sizes, sections, strict=True)]


def _check_pool_sections(tree, target: str) -> None:
    pools, placements = BOARDS[target]
    header = _header_pools(tree, target)
    assert [section for _, section in header] == [f".edgeai_pool_{p['name']}" for p in pools]
    symbols = _symbols(tree.path(f"build/{target}/firmware.elf"))
    for (size, _), symbol, (section, region) in zip(header, ("pool_1", "pool_2"), placements,
                                                    strict=True):
        linked_section, address, linked_size = symbols[symbol]
        assert linked_section == section, symbol
        assert 0 < linked_size == size and address in region and address + size - 1 in region
        assert address % 32 == 0  # a cache line
    assert header[0][0] <= FAST_BYTES


def _assert_demo_bit_exact(tree, output: str) -> None:
    """Every digit right, and the printed scores TFLite Micro's."""
    lines = digit_lines(output)
    assert lines and all(" ok " in line for line in lines), output
    printed = [[int(v) for v in line.split("outputs", 1)[1].split()] for line in lines]
    assert printed == tflite_micro_outputs(tree, lines)


@needs_arm
def test_stm32f7_links_each_pool_in_the_region_named_like_it(two_pool_tree):
    _build(two_pool_tree, "stm32f7")
    _check_pool_sections(two_pool_tree, "stm32f7")


@needs_arm
def test_the_hottest_buffers_are_in_the_fast_pool(two_pool_tree):
    """Hottest as the planner ranks them: most bytes touched per inference per byte."""
    _build(two_pool_tree, "stm32f7")
    pool_file = two_pool_tree.path("models/two_pools.json")
    plan = compile_model(two_pool_tree.path(MODEL), Options(memory_pool=str(pool_file))).plan
    assert [plan.used_bytes(p) for p in plan.used_pools] == \
        [size for size, _ in _header_pools(two_pool_tree, "stm32f7")]
    by_heat = sorted(plan.allocations.values(),
                     key=lambda a: (-a.request.touched / a.request.size, a.request.key))
    assert by_heat[0].pool == 0 and by_heat[0].request.key.startswith("s")  # an im2col
    coldest_fast = min(a.request.touched / a.request.size for a in by_heat if a.pool == 0)
    hottest_slow = max(a.request.touched / a.request.size for a in by_heat if a.pool == 1)
    assert coldest_fast >= hottest_slow


@needs_qemu
def test_qemu_runs_the_two_pool_demo_bit_exact(two_pool_tree):
    result = _build(two_pool_tree, "qemu-m7", "run")
    _check_pool_sections(two_pool_tree, "qemu-m7")
    _assert_demo_bit_exact(two_pool_tree, result.output)


def _fixed_big_pool(address: int) -> list[dict]:
    """The QEMU pools with the large one (PSRAM) at `address`."""
    fast, big = BOARDS["qemu-m7"][0]
    return [fast, {**big, "offset": {"value": f"{address:#x}", "magnitude": "BYTES"}}]


@needs_qemu
def test_qemu_runs_the_demo_with_its_large_pool_at_a_fixed_address(two_pool_tree):
    """A non-zero offset: the network addresses PSRAM at 0x60001000 itself, the application
    declares no buffer for it, the post-link check finds that range free, and the demo still
    runs bit-exact."""
    result = _build(two_pool_tree, "qemu-m7", "run", pools=_fixed_big_pool(0x60001000))
    header = two_pool_tree.path("build/qemu-m7/network/network_data.h").read_text()
    assert "#define AI_NETWORK_DATA_ACTIVATION_2_ADDRESS 0x60001000u" in header
    assert "((uint8_t *)0x60001000u)" in \
        two_pool_tree.path("build/qemu-m7/network/network.c").read_text()
    symbols = _symbols(two_pool_tree.path("build/qemu-m7/firmware.elf"))
    assert symbols["pool_1"][0] == ".edgeai_pool_RAM" and "pool_2" not in symbols
    assert "edgeai: warning" not in result.output and not result.errors, result.output
    _assert_demo_bit_exact(two_pool_tree, result.output)


def _section(elf, name: str) -> tuple[int, int]:
    """(address, size) of a section of the ELF, as objdump lists it."""
    table = subprocess.run(["arm-none-eabi-objdump", "-h", str(elf)], capture_output=True,
                           text=True, check=True).stdout
    m = re.search(rf"^\s*\d+ {re.escape(name)}\s+([0-9a-f]+)\s+([0-9a-f]+)", table, re.M)
    return int(m.group(2), 16), int(m.group(1), 16)


@needs_arm
def test_a_fixed_pool_under_bss_fails_the_link_naming_both(two_pool_tree):
    """The large pool fixed where the link puts .bss: the build fails with one line naming
    the pool, the section and their ranges, and leaves no firmware to take as up to date."""
    _build(two_pool_tree, "qemu-m7", pools=_fixed_big_pool(0x60001000))
    elf = two_pool_tree.path("build/qemu-m7/firmware.elf")
    bss, bss_size = _section(elf, ".bss")  # the same in the next link: only the address moves
    used = _header_pools(two_pool_tree, "qemu-m7")[1][0]
    result = _build(two_pool_tree, "qemu-m7", pools=_fixed_big_pool(bss), check=False)
    expected = (f"edgeai: error: build/qemu-m7/firmware.elf: pool PSRAM of network, fixed at "
                f"[{bss:#010x}, {bss + used:#010x}), overlaps section .bss at "
                f"[{bss:#010x}, {bss + bss_size:#010x})")
    assert result.returncode != 0
    assert len(result.errors) == 1 and result.errors[0].startswith(expected), result.output
    assert "(its offset in two_pools.json)" in result.errors[0]
    assert not elf.exists()
    again = two_pool_tree.scons("target=qemu-m7", "-j1", check=False)
    assert again.returncode != 0 and again.errors == result.errors, again.output
