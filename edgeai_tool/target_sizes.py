"""Compiled sizes for the report's "Requested memory size by section" and "Summary"
tables when no firmware build provides them (`edgeai generate` and `analyze`).

The generated C and the runtime are compiled with arm-none-eabi-gcc for the target's core
(-O2, one section per function and object, as the firmware is built) and linked with only
the network's API kept, so unused kernels and the legacy API cost nothing, as in a
firmware. Each object's kept sections give its row; what the link adds from the C library
(memcpy, ...) is the toolchain row. The figures depend on the compiler, so the table
names it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from edgeai_tool.compiler import write_files
from edgeai_tool.report import render_report
from edgeai_tool.runtime import runtime_dir

if TYPE_CHECKING:
    from edgeai_tool.compilation import Compilation

GCC = "arm-none-eabi-gcc"
_M7 = ("-mcpu=cortex-m7", "-mfpu=fpv5-d16", "-mfloat-abi=hard")
_M4 = ("-mcpu=cortex-m4", "-mfpu=fpv4-sp-d16", "-mfloat-abi=hard")
_M33 = ("-mcpu=cortex-m33", "-mfpu=fpv5-sp-d16", "-mfloat-abi=hard")
_M3 = ("-mcpu=cortex-m3",)
_M0 = ("-mcpu=cortex-m0plus",)
CORES = {
    "stm32f7": _M7, "stm32h7": _M7, "qemu-m7": _M7,
    "stm32f3": _M4, "stm32f4": _M4, "stm32g4": _M4, "stm32l4": _M4, "stm32wb": _M4,
    "stm32h5": _M33, "stm32l5": _M33, "stm32u3": _M33, "stm32u5": _M33, "stm32wba": _M33,
    "stm32n6": _M33,
    "stm32f1": _M3, "stm32f2": _M3, "stm32l1": _M3,
    "stm32c0": _M0, "stm32f0": _M0, "stm32g0": _M0, "stm32l0": _M0, "stm32u0": _M0,
    "stm32wl": _M0,
}
CFLAGS = ("-mthumb", "-std=c99", "-O2", "-ffunction-sections", "-fdata-sections")
KINDS = (("text", ".text"), ("rodata", ".rodata"), ("data", ".data"), ("bss", ".bss"))
RUNTIME_ROW = "libedgeai_runtime.a"
TOOLCHAIN_ROW = "lib (toolchain)*"

SectionSizes = dict[str, dict[str, int]]


def report_with_sizes(compilation: Compilation) -> str:
    """The generate report with the compiled sizes, or a line saying why there are none."""
    measured = measure(compilation)
    if isinstance(measured, str):
        return render_report(compilation, compilation.command_line, sizes_note=measured)
    sizes, compiler = measured
    return render_report(compilation, compilation.command_line, sizes,
                         f"sizes: {compiler} -O2, unused functions removed (--gc-sections)")


def measure(compilation: Compilation) -> tuple[SectionSizes, str] | str:
    """({object row: {text, rodata, data, bss}}, the compiler's name and version), or a
    sentence saying why the sizes cannot be measured."""
    core = CORES.get(compilation.options.target)
    if core is None:
        return f"not measured for target {compilation.options.target} (no Cortex-M core)"
    if shutil.which(GCC) is None:
        return f"not measured: {GCC} not found"
    with tempfile.TemporaryDirectory(prefix="edgeai-sizes-") as work:
        try:
            return _measure(compilation, core, Path(work)), _version()
        except subprocess.CalledProcessError as exc:
            return f"not measured: {Path(exc.cmd[0]).name} failed ({exc.stderr.strip()[:80]})"


def _measure(compilation: Compilation, core: tuple[str, ...], work: Path) -> SectionSizes:
    generated = work / "generated"
    write_files({n: t for n, t in compilation.files.items() if n.endswith((".c", ".h"))},
                generated)
    sources = [*sorted(generated.glob("*.c")), *sorted(runtime_dir().glob("*.c"))]
    objects = [work / f"{i:02d}_{source.stem}.o" for i, source in enumerate(sources)]
    flags = [*core, *CFLAGS, f"-I{generated}", f"-I{runtime_dir()}"]
    with ThreadPoolExecutor(2) as pool:
        list(pool.map(lambda pair: _run([GCC, *flags, "-c", str(pair[0]), "-o", str(pair[1])]),
                      zip(sources, objects, strict=True)))
    name = compilation.options.name
    roots = [f"-Wl,--undefined={name}_{api}" for api in ("init", "input", "output", "run")]
    linked = _run([GCC, *core, "-mthumb", "-nostartfiles", "--specs=nano.specs",
                   "-Wl,--gc-sections", "-Wl,--print-gc-sections", "-Wl,--entry=0", *roots,
                   *map(str, objects), "-o", str(work / "sizes.elf")])
    removed = {(line.split("'")[3], line.split("'")[1]) for line in linked.splitlines()
               if line.count("'") >= 4 and "removing unused section" in line}
    rows: SectionSizes = {}
    for source, obj in zip(sources, objects, strict=True):
        kept = {section: size for section, size in _sections(obj).items()
                if (str(obj), section) not in removed}
        row = f"{source.stem}.o" if source.parent == generated else RUNTIME_ROW
        rows[row] = _add(rows.get(row, {}), _by_kind(kept))
    ours = _add(*rows.values())
    image = _by_kind(_sections(work / "sizes.elf"))
    rows[TOOLCHAIN_ROW] = {kind: max(0, image[kind] - ours[kind]) for kind, _ in KINDS}
    return rows


def _sections(path: Path) -> dict[str, int]:
    """Section name -> size, as arm-none-eabi-size -A lists them."""
    listing = _run(["arm-none-eabi-size", "-A", str(path)])
    sizes = {}
    for line in listing.splitlines()[2:]:
        fields = line.split()
        if len(fields) >= 2 and fields[0].startswith(".") and fields[1].isdigit():
            sizes[fields[0]] = int(fields[1])
    return sizes


def _by_kind(sections: Mapping[str, int]) -> dict[str, int]:
    return {kind: sum(size for section, size in sections.items()
                      if section == prefix or section.startswith(prefix + "."))
            for kind, prefix in KINDS}


def _add(*sizes: Mapping[str, int]) -> dict[str, int]:
    return {kind: sum(s.get(kind, 0) for s in sizes) for kind, _ in KINDS}


def _version() -> str:
    numbers = re.findall(r"\b\d+\.\d+\.\d+\b", _run([GCC, "--version"]).split("\n", 1)[0])
    return f"{GCC} {numbers[-1]}" if numbers else GCC


def _run(command: list[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return result.stdout + result.stderr
