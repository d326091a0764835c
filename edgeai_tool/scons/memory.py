"""Flash and RAM use of a linked firmware against the board's totals.

The totals come from the map file's "Memory Configuration" (the linker
script's MEMORY block), so the board's sizes are written down once, in its
linker script. A region without the 'w' attribute is flash. A section counts
as RAM where its run address lies, and as flash where its load image lies
(.data counts in both, as in `size`'s text+data / data+bss).

Also the link's helpers: a one-line error for a firmware too big for its board, and the
check that no section lies over a fixed-address pool of the models linked.
"""

import os
import re
import subprocess
import sys

import SCons.Action
import SCons.Builder
import SCons.Util

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.memory.firmware import map_regions, report_firmware

# GNU ld's words when a section does not fit: "region `RAM' overflowed by 1234 bytes".
_OVERFLOW = re.compile(r"region [`']([^']+)' overflowed by (\d+) bytes")
# The lines that only restate an overflow: which section did not fit, collect2's status.
_OVERFLOW_NOISE = re.compile(r"will not fit in region|section .* overlaps section|"
                             r"collect2: error: ld returned")


def memory_regions(map_path):
    """[(name, origin, length, writable)] from a GNU ld map file."""
    return [(r.name, r.start, r.size, r.writable) for r in map_regions(map_path)]


def sections(objdump, elf):
    """[(name, size, vma, lma, loaded)] of the allocated sections of elf."""
    out = subprocess.run([objdump, '-h', elf], check=True, capture_output=True, text=True).stdout
    found = []
    # Each section is two lines: "idx name size vma lma off align" then flags.
    pattern = (r'^\s*\d+\s+(\S+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)\s+\S+\s+\S+\n'
               r'\s+(.*)$')
    for m in re.finditer(pattern, out, re.M):
        name, size, vma, lma, flags = m.groups()
        if 'ALLOC' in flags:
            found.append((name, int(size, 16), int(vma, 16), int(lma, 16), 'LOAD' in flags))
    return found


def usage(objdump, elf, map_path):
    """{region name: bytes used} plus the region list."""
    regions = memory_regions(map_path)
    used = {r[0]: 0 for r in regions}

    def region_of(addr, writable):
        for name, origin, length, w in regions:
            if w == writable and origin <= addr < origin + length:
                return name
        return None

    for _name, size, vma, lma, loaded in sections(objdump, elf):
        ram = region_of(vma, True)
        if ram:
            used[ram] += size
        rom = region_of(lma, False)
        if rom and loaded:
            used[rom] += size
    return regions, used


def _kib(n):
    return f'{n / 1024:,.0f} KiB' if n % 1024 == 0 else f'{n:,} B'


def summary(objdump, elf, map_path):
    regions, used = usage(objdump, elf, map_path)
    lines = [f'Memory use of {elf}:']
    for kind, writable in (('flash', False), ('RAM', True)):
        mine = [r for r in regions if r[3] == writable]
        total = sum(r[2] for r in mine)
        n = sum(used[r[0]] for r in mine)
        detail = (', '.join(f'{r[0]} {used[r[0]]:,} of {_kib(r[2])}' for r in mine)
                  if len(mine) > 1 else '')
        pct = 100.0 * n / total if total else 0.0
        lines.append(f'  {kind:<5} {n:>9,} B of {_kib(total):>9} ({pct:4.1f}%)'
                     + (f'  [{detail}]' if detail else ''))
    return '\n'.join(lines) + '\n'


def _action(target, source, env):
    text = summary(env.subst('$OBJDUMP'), str(source[0]), str(source[1]))
    with open(str(target[0]), 'w') as f:
        f.write(text)
    print(text, end='')


def link_spawn(sh, escape, cmd, args, env):
    """SCons' SPAWN for the link: the linker's output passed through, except that a
    firmware too big for its board is said in one line per region, naming the region
    and the overflow, instead of ld's several."""
    env = {k: str(v) for k, v in env.items()}
    done = subprocess.run([sh, '-c', ' '.join(args)], env=env, capture_output=True, text=True)
    sys.stdout.write(done.stdout)
    overflows = _OVERFLOW.findall(done.stderr)
    if not overflows:
        sys.stderr.write(done.stderr)
        return done.returncode
    elf = args[args.index('-o') + 1].strip('"\'') if '-o' in args else 'the firmware'
    for line in done.stderr.splitlines():
        if not (_OVERFLOW.search(line) or _OVERFLOW_NOISE.search(line)):
            sys.stderr.write(line + '\n')
    for region, excess in overflows:
        sys.stderr.write(f'edgeai: error: {elf} does not fit the board: region {region} '
                         f'overflowed by {int(excess):,} bytes\n')
    return done.returncode or 1


def model_infos(objects):
    """The `<name>_c_info.json` nodes of the generated models compiled into `objects` (an
    object's source written by the EdgeAI builder, NAME.c, has NAME_c_info.json beside it)."""
    infos = []
    for obj in SCons.Util.flatten(objects):
        for source in getattr(obj, 'sources', []):
            if source.has_builder():
                name = os.path.splitext(source.name)[0] + '_c_info.json'
                infos += [t for t in source.get_executor().get_all_targets() if t.name == name]
    return infos


def check_fixed_pools(target, source, env):
    """The post-link action: the fixed-address pools of the models linked into target[0]
    (with its map, target[1]), read from the c_info files it depends on (model_infos, at
    graph time), against the firmware (edgeai_tool.memory.firmware); on an error the
    firmware is deleted."""
    elf, map_file = target[0], target[1]
    infos = [n.get_abspath() for n in elf.depends if n.name.endswith('_c_info.json')]
    try:
        passed = report_firmware(elf.get_abspath(), infos, map_file.get_abspath(),
                                 shown=elf.path)
    except EdgeAIError as exc:
        sys.stderr.write(f'edgeai: error: {exc}\n')
        return 1
    return 0 if passed else 1


# The summary is the output; no extra "Running ..." line in front of it.
builder = SCons.Builder.Builder(action=SCons.Action.Action(_action, None, varlist=['OBJDUMP']))
