"""A linked firmware against the fixed-address pools of the models it links.

A pool with a non-zero offset in the memory-pool file is used by the network at that address
(`AI_<NET>_DATA_ACTIVATION_<n>_ADDRESS`); nothing in the link knows it, so the linker may put
.data, .bss, the stack, the heap or another pool's buffer over it. After linking, the build
checks each such pool's range, [address, address + bytes the plan uses) as the model's
`<name>_c_info.json` states it:

- it must not overlap any allocated section of the ELF (the board's stack and heap are
  sections too): an error naming the pool, the section and both ranges;
- with the link map, it must lie in RAM regions of the linker script's MEMORY: an error when
  it touches a read-only (flash) region or runs past the end of RAM; a warning only when it
  is in no region at all, which is how memory the application sets up itself (external
  SDRAM behind a memory controller) usually looks to the linker.

Section headers are read from the ELF itself (32 or 64 bit, either byte order), so the check
needs no binutils; the regions come from GNU ld's map ("Memory Configuration").
"""

from __future__ import annotations

import json
import re
import struct
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from edgeai_tool.errors import EdgeAIError

_SHF_ALLOC = 0x2


@dataclass(frozen=True)
class Span:
    """A named address range [start, start + size)."""

    name: str
    start: int
    size: int

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def range_text(self) -> str:
        return f"[{self.start:#010x}, {self.end:#010x})"

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Region(Span):
    """A MEMORY region of the linker script; writable ones are RAM, None when the script
    gives the region no attributes (then nothing is assumed of it but that it exists)."""

    writable: bool | None = True


@dataclass(frozen=True)
class FixedPool(Span):
    """A pool the network uses at a fixed address: `model` is the network's C name,
    `pool_file` the base name of the memory-pool file that placed it."""

    model: str = ""
    pool_file: str = "the memory-pool file"

    @property
    def described(self) -> str:
        return f"pool {self.name} of {self.model}, fixed at {self.range_text},"


@dataclass(frozen=True)
class Findings:
    """What check_pools found: lines that fail the build, and lines that only warn."""

    errors: list[str]
    warnings: list[str]


def fixed_pools(c_info: str | Path) -> list[FixedPool]:
    """The pools of a `<name>_c_info.json` that have a fixed address and are used."""
    try:
        document = json.loads(Path(c_info).read_text(encoding="utf-8"))
        options = document["options"]
        pool_file = options["memory_pool"] or "the memory-pool file"
        return [FixedPool(pool["name"], pool["address"], pool["used_bytes"],
                          model=options["name"], pool_file=pool_file)
                for pool in document["memory_pools"] if pool["address"] and pool["used_bytes"]]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EdgeAIError(f"{c_info}: not a readable edgeai c_info.json ({exc})") from None


def elf_sections(elf: str | Path) -> list[Span]:
    """The allocated, non-empty sections of an ELF file, at their run (virtual) address."""
    try:
        data = Path(elf).read_bytes()
    except OSError as exc:
        raise EdgeAIError(f"cannot read {elf}: {exc.strerror}") from None
    if data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
        raise EdgeAIError(f"{elf}: not an ELF file")
    wide, order = data[4] == 2, "<" if data[5] == 1 else ">"
    # ELF header: e_shoff, then e_shentsize, e_shnum, e_shstrndx; a section header's first
    # six fields: name, type, flags, address, file offset, size.
    header = struct.Struct(order + ("24x8x8xQ4x6xHHH" if wide else "24x4x4xI4x6xHHH"))
    entry = struct.Struct(order + ("IIQQQQ" if wide else "IIIIII"))
    try:
        offset, entry_size, count, names_index = header.unpack_from(data, 0)
        raw = [entry.unpack_from(data, offset + i * entry_size) for i in range(count)]
        names = raw[names_index][4]
    except (struct.error, IndexError):
        raise EdgeAIError(f"{elf}: no readable ELF section headers") from None

    def name(at: int) -> str:
        return data[names + at:].split(b"\0", 1)[0].decode("ascii", "replace")

    return [Span(name(name_at), address, size)
            for name_at, _type, flags, address, _offset, size in raw
            if flags & _SHF_ALLOC and size]


def map_regions(map_file: str | Path) -> list[Region]:
    """The MEMORY regions a GNU ld map file lists under "Memory Configuration"."""
    try:
        text = Path(map_file).read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise EdgeAIError(f"cannot read {map_file}: {exc.strerror}") from None
    block = text.partition("Memory Configuration")[2].partition("Linker script and memory map")[0]
    return [Region(name, int(origin, 16), int(length, 16), writable=_writable(attributes))
            for name, origin, length, attributes in
            re.findall(r"^(\S+)\s+0x([0-9a-fA-F]+)\s+0x([0-9a-fA-F]+)\s*(\S*)$", block, re.M)
            if name != "*default*"]


def _writable(attributes: str) -> bool | None:
    """Whether a region is RAM by its ld attributes ("rwx", "rx!w", ...): the letters before
    a '!' are the region's, those after it are negated; no attributes says nothing."""
    granted = attributes.partition("!")[0].lower()
    return None if not attributes else "w" in granted


def check_pools(elf_name: str, pools: list[FixedPool], sections: list[Span],
                regions: list[Region] | None = None) -> Findings:
    """Errors and warnings, at most one line per pool (without the `edgeai: error:`
    prefix); `regions` None: the link map is unknown, only the sections are checked."""
    errors: list[str] = []
    warnings: list[str] = []
    for pool in pools:
        clashes = [s for s in sections if pool.overlaps(s)]
        if clashes:
            listed = " and ".join(f"section {s.name} at {s.range_text}" for s in clashes)
            errors.append(f"{elf_name}: {pool.described} overlaps {listed}: move the pool "
                          f"(its offset in {pool.pool_file}) or keep that range out of the link")
        if clashes or regions is None:
            continue
        flash = [r for r in regions if r.writable is False and pool.overlaps(r)]
        ram = [r for r in regions if r.writable is not False and pool.overlaps(r)]
        if flash:
            errors.append(f"{elf_name}: {pool.described} lies in read-only region "
                          f"{flash[0].name} at {flash[0].range_text}")
        elif ram and (leaving := _leaves_ram(pool, ram)):
            errors.append(f"{elf_name}: {pool.described} {leaving}")
        elif not ram:
            warnings.append(f"{elf_name}: {pool.described} lies in no memory region of the "
                            "link: the application must make that memory usable (e.g. external "
                            "SDRAM) before running the network")
    return Findings(errors, warnings)


def _leaves_ram(pool: Span, ram: list[Region]) -> str:
    """Where the pool leaves the RAM regions it overlaps (adjacent ones join), '' if not."""
    reached, last = pool.start, None
    for region in sorted(ram, key=lambda r: r.start):
        if region.start > reached:
            break
        reached, last = max(reached, region.end), region
    if reached >= pool.end:
        return ""
    if last is None:
        first = min(ram, key=lambda r: r.start)
        return f"starts below RAM region {first.name} at {first.range_text}"
    return f"runs past the end of RAM region {last.name} at {last.range_text}"


def check_firmware(elf: str | Path, c_infos: list[str | Path],
                   map_file: str | Path | None = None, shown: str | None = None) -> Findings:
    """Check the firmware `elf` against the fixed pools of the models whose c_info files
    are given; `shown` is how messages name the ELF (default: its path)."""
    pools = [pool for info in c_infos for pool in fixed_pools(info)]
    if not pools:
        return Findings([], [])
    regions = map_regions(map_file) if map_file is not None else None
    return check_pools(shown or str(elf), pools, elf_sections(elf), regions)


def report_firmware(elf: str | Path, c_infos: list[str | Path], map_file: str | Path | None = None,
                    shown: str | None = None, delete_on_error: bool = True,
                    stream: TextIO | None = None) -> bool:
    """check_firmware, its findings written as `edgeai: warning|error: ...` lines; on an
    error the firmware is deleted (unless told not to), so that the build system links it
    again next time instead of taking it as up to date. Returns whether it passed; an
    unreadable input raises EdgeAIError (after deleting the firmware all the same)."""
    stream = stream or sys.stderr
    try:
        findings = check_firmware(elf, c_infos, map_file, shown)
    except EdgeAIError:
        if delete_on_error:
            Path(elf).unlink(missing_ok=True)
        raise
    for kind, lines in (("warning", findings.warnings), ("error", findings.errors)):
        stream.writelines(f"edgeai: {kind}: {line}\n" for line in lines)
    if findings.errors and delete_on_error:
        Path(elf).unlink(missing_ok=True)
    return not findings.errors
