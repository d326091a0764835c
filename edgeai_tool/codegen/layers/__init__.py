"""Lowerings: how each op of the optimised graph becomes a kernel call.

Each module in this package lowers one family of operators and names its lowerings in a
module-level `LOWERINGS: dict[str, Lowering]` (op kind -> function turning an op into a
`LayerCode`: kernel, structure, numeric data, scratch, macc), found here by discovery so
that adding a family touches no shared file. What an op accepts, its geometry and cost
are facts of `edgeai_tool.ops`; a lowering is only called on an op that passed its check.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from edgeai_tool.codegen.layers.base import LayerCode, Lowering
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.check import check_op


@cache
def _families() -> tuple[object, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base")
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


@cache
def lowerings() -> dict[str, Lowering]:
    """Op kind (after passes) -> lowering function, over every family."""
    table: dict[str, Lowering] = {}
    for family in _families():
        table.update(getattr(family, "LOWERINGS", {}))
    return table


def lower(graph: Graph, op: Op) -> LayerCode:
    """Check the op against its support entry, then lower it: the one way an op of the
    optimised graph becomes a layer (`compile_model` and the kernel tests both use it)."""
    check_op(graph, op)
    return lowerings()[op.kind](graph, op)
