"""Bytes each object file contributes to a linked image, read from a GNU ld map file.

What the map lists under "Linker script and memory map" is what was linked, after
--gc-sections (discarded input sections are listed before it and ignored here), so a
static library counts only the members and functions the firmware uses.
"""

from __future__ import annotations

import os
import re

# An input section: its name (alone on a line when long), then address, size and file.
_INPUT = re.compile(r"^ (\.[^\s]+|COMMON)[ \t]*\n?[ \t]+0x([0-9a-fA-F]+)[ \t]+0x([0-9a-fA-F]+)"
                    r"[ \t]+(\S[^\n]*)$", re.M)
_KIND = (("text", (".text",)), ("rodata", (".rodata",)), ("data", (".data",)),
         ("bss", (".bss", "COMMON")))


def section_kind(name: str) -> str | None:
    """text, rodata, data or bss for an input section name; None for the rest (debug...)."""
    for kind, prefixes in _KIND:
        if any(name == p or name.startswith(p + ".") for p in prefixes):
            return kind
    return None


def object_sizes(map_path: str) -> dict[str, dict[str, int]]:
    """{file as the map names it (archive members as 'lib.a(member.o)'): {text, rodata,
    data, bss}} for every object with linked bytes."""
    with open(map_path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    linked = text.split("Linker script and memory map", 1)[-1]
    sizes: dict[str, dict[str, int]] = {}
    for m in _INPUT.finditer(linked):
        name, _address, size, origin = m.groups()
        kind, n = section_kind(name), int(size, 16)
        if kind is None or n == 0:
            continue
        per = sizes.setdefault(origin.strip(), {"text": 0, "rodata": 0, "data": 0, "bss": 0})
        per[kind] += n
    return sizes


def module_sizes(map_path: str, modules: dict[str, list[str]]) -> dict[str, dict[str, int]]:
    """Sizes summed per module: `modules` maps a row name (e.g. 'network.o',
    'libedgeai_runtime.a') to the paths of its files (objects or an archive, whose members
    all count). Paths match as given to the linker or as absolute paths."""
    per_file = object_sizes(map_path)
    result = {}
    for module, paths in modules.items():
        wanted = {os.path.normpath(p) for p in paths} | {os.path.abspath(p) for p in paths}
        total = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
        for origin, figures in per_file.items():
            file = origin.split("(", 1)[0] if origin.endswith(")") else origin
            if os.path.normpath(file) in wanted or os.path.abspath(file) in wanted:
                for kind, n in figures.items():
                    total[kind] += n
        result[module] = total
    return result
