"""A memory-pool file with a small fast pool and a large one: the stm32f7 firmware links
each pool's buffer in its own section, in the RAM region the pool is named after (DTCMRAM in
DTCM, SRAM1 in SRAM1), and the planner has put the hottest buffers in the fast pool."""

from __future__ import annotations

import json
import re
import subprocess

import pytest
from scons_tree import MODEL, copy_tree, needs_arm

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options

DTCM = range(0x20000000, 0x20000000 + 128 * 1024)
SRAM1 = range(0x20020000, 0x20020000 + 368 * 1024)
FAST_BYTES = 1024  # under the demo's 1,600 B plan: both pools are needed
POOLS = {"memory": {"mempools": [
    {"name": "DTCMRAM", "prop": {"throughput": "HIGH", "latency": "LOW"},
     "size": {"value": str(FAST_BYTES), "magnitude": "BYTES"},
     "offset": {"value": "0", "magnitude": "BYTES"}},
    {"name": "SRAM1", "prop": {"throughput": "HIGH", "latency": "MID"},
     "size": {"value": "368", "magnitude": "KBYTES"},
     "offset": {"value": "0", "magnitude": "BYTES"}},
]}}


@pytest.fixture(scope="module")
def two_pool_firmware(tmp_path_factory):
    tree = copy_tree(tmp_path_factory.mktemp("two-pools") / "main")
    pool_file = tree.path("models/two_pools.json")
    pool_file.write_text(json.dumps(POOLS))
    manifest = tree.path("edgeai.yaml")
    manifest.write_text(manifest.read_text().replace("models/mempools-board.json",
                                                     "models/two_pools.json"))
    tree.scons("target=stm32f7", "-j1")
    return tree, pool_file


def _symbols(elf) -> dict[str, tuple[str, int, int]]:
    """name -> (section, address, size) of the ELF's data objects."""
    table = subprocess.run(["arm-none-eabi-objdump", "-t", str(elf)], capture_output=True,
                           text=True, check=True).stdout
    return {m["name"]: (m["section"], int(m["address"], 16), int(m["size"], 16))
            for m in re.finditer(r"^(?P<address>[0-9a-f]{8}) .{7} (?P<section>\S+)\s+"
                                 r"(?P<size>[0-9a-f]{8}) (?P<name>\S+)$", table, re.M)}


def _header_pools(tree) -> dict[int, tuple[int, str]]:
    """pool number -> (size, section), as the generated network_data.h states them."""
    header = tree.path("build/stm32f7/network/network_data.h").read_text()
    sizes = dict(re.findall(r"#define AI_NETWORK_DATA_ACTIVATION_(\d)_SIZE (\d+)", header))
    sections = dict(re.findall(r'#define AI_NETWORK_DATA_ACTIVATION_(\d)_SECTION "(\S+)"',
                               header))
    return {int(n): (int(sizes[n]), sections[n]) for n in sizes}


@needs_arm
def test_each_pool_links_in_its_own_section_in_the_region_named_like_it(two_pool_firmware):
    tree, _ = two_pool_firmware
    header = _header_pools(tree)
    assert [section for _, section in header.values()] == [".edgeai_pool_DTCMRAM",
                                                           ".edgeai_pool_SRAM1"]
    symbols = _symbols(tree.path("build/stm32f7/firmware.elf"))
    fast_section, fast_address, fast_size = symbols["pool_1"]
    big_section, big_address, big_size = symbols["pool_2"]
    assert fast_section == ".edgeai_pool_DTCM" and big_section == ".edgeai_pool_SRAM1"
    assert 0 < fast_size == header[1][0] <= FAST_BYTES and big_size == header[2][0] > 0
    assert fast_address in DTCM and fast_address + fast_size - 1 in DTCM
    assert big_address in SRAM1 and big_address + big_size - 1 in SRAM1
    assert fast_address % 32 == 0 and big_address % 32 == 0


@needs_arm
def test_the_hottest_buffers_are_in_the_pool_linked_in_dtcm(two_pool_firmware):
    """Hottest as the planner ranks them: most bytes touched per inference per byte."""
    tree, pool_file = two_pool_firmware
    plan = compile_model(tree.path(MODEL), Options(memory_pool=str(pool_file))).plan
    assert [plan.used_bytes(p) for p in plan.used_pools] == \
        [size for size, _ in _header_pools(tree).values()]
    by_heat = sorted(plan.allocations.values(),
                     key=lambda a: (-a.request.touched / a.request.size, a.request.key))
    fast = [a for a in by_heat if a.pool == 0]
    assert by_heat[0].pool == 0
    # every buffer left to SRAM1 is colder than the hottest one in DTCM
    hottest_fast = fast[0].request.touched / fast[0].request.size
    assert all(a.request.touched / a.request.size <= hottest_fast
               for a in by_heat if a.pool == 1)
    c_info = json.loads(tree.path("build/stm32f7/network/network_c_info.json").read_text())
    assert [(p["name"], p["used_bytes"]) for p in c_info["memory_pools"]] == \
        [("DTCMRAM", plan.used_bytes(0)), ("SRAM1", plan.used_bytes(1))]
