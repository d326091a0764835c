"""Operator facts: what each supported op accepts, its geometry, cost and scratch size.

Each module in this package describes one family of operators and names its ops in a
module-level `SUPPORT: list[OpSupport]`, found here by discovery so that adding a family
touches no shared file. Passes, codegen and the report read these facts; `check.py` holds
the model-wide rules and the support check that `compile_model` runs.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.base import OpSupport

_NOT_FAMILIES = ("base", "check")


@cache
def _families() -> tuple[object, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name not in _NOT_FAMILIES)
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


@cache
def supported_ops() -> dict[str, OpSupport]:
    """Op kind -> its support entry, over every family."""
    table: dict[str, OpSupport] = {}
    for family in _families():
        for entry in getattr(family, "SUPPORT", []):
            table[entry.kind] = entry
    return dict(sorted(table.items()))


def supported_ops_table() -> str:
    """The table `edgeai supported-ops` prints (and the README shows)."""
    table = supported_ops()
    width = max(len(kind) for kind in table)
    lines = [f"{'operator'.ljust(width)}  constraints (int8 activations unless stated)",
             f"{'-' * width}  {'-' * 60}"]
    lines += [f"{kind.ljust(width)}  {entry.constraints}" for kind, entry in table.items()]
    return "\n".join(lines) + "\n"


def op_macc(graph: Graph, op: Op) -> int:
    """The op's own cost (its fused activation left out), as ST counts it."""
    return supported_ops()[op.kind].macc(graph, op)
