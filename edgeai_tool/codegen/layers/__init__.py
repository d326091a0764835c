"""Per-operator knowledge: what each supported op allows and how it becomes a kernel call.

Each module in this package describes one family of operators with two module-level
names, found here by discovery so that adding a family touches no shared file:

- `SUPPORT: list[OpSupport]`: the ops it implements, their constraints as text (for
  `edgeai supported-ops` and the README) and a `check` run on every imported op.
- `LOWERINGS: dict[str, Lowering]`: op kind -> function turning an op of the optimised
  graph into a `LayerCode` (kernel, structure, numeric data, scratch, macc).
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from edgeai_tool.codegen.layers.base import Lowering, OpSupport


@cache
def _families() -> tuple[object, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base")
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


@cache
def supported_ops() -> dict[str, OpSupport]:
    """Op kind -> its support entry, over every family."""
    table: dict[str, OpSupport] = {}
    for family in _families():
        for entry in getattr(family, "SUPPORT", []):
            table[entry.kind] = entry
    return dict(sorted(table.items()))


@cache
def lowerings() -> dict[str, Lowering]:
    """Op kind (after passes) -> lowering function, over every family."""
    table: dict[str, Lowering] = {}
    for family in _families():
        table.update(getattr(family, "LOWERINGS", {}))
    return table


def supported_ops_table() -> str:
    """The table `edgeai supported-ops` prints (and the README shows)."""
    table = supported_ops()
    width = max(len(kind) for kind in table)
    lines = [f"{'operator'.ljust(width)}  constraints (int8 activations unless stated)",
             f"{'-' * width}  {'-' * 60}"]
    lines += [f"{kind.ljust(width)}  {entry.constraints}" for kind, entry in table.items()]
    return "\n".join(lines) + "\n"
