"""Lowerings: how each op of the optimised graph becomes a kernel call.

Each module in this package lowers one family of operators and names its lowerings in a
module-level `LOWERINGS: dict[str, Lowering]` (op kind -> function turning an op into a
`LayerCode`: kernel, structure, numeric data, scratch, macc), found here by discovery so
that adding a family touches no shared file. A family whose kernels run faster on weights
stored as int16 (pre-arranged, twice the weight flash) names those lowerings in
`WIDE_LOWERINGS`, with the same results (and may say in `WIDE_CODE_BYTES` how much code
each such kernel adds); `edgeai_tool.goals` decides per layer which one the
optimisation goal gets (through `edgeai_tool.codegen.choice`). A family whose kernel has a
slower form needing less scratch names, in `LEAN_FORMS`, a function giving a layer that
form (None when it has it already); `edgeai_tool.goals` uses it where the fast form would
raise the memory plan. What an op accepts, its geometry and cost are facts of
`edgeai_tool.ops`; a lowering is only called on an op that passed its check.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from functools import cache

from edgeai_tool.codegen.layers.base import LayerCode, Lowering
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.check import check_op


@cache
def _families() -> tuple[object, ...]:
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base")
    return tuple(importlib.import_module(f"{__name__}.{name}") for name in names)


def _merged(attribute: str) -> dict:
    """One family attribute (a dict) merged over every family."""
    table: dict = {}
    for family in _families():
        table.update(getattr(family, attribute, {}))
    return table


@cache
def lowerings() -> dict[str, Lowering]:
    """Op kind (after passes) -> lowering function, over every family."""
    return _merged("LOWERINGS")


@cache
def wide_lowerings() -> dict[str, Lowering]:
    """Op kind -> lowering with int16 weights, for the families that have one."""
    return _merged("WIDE_LOWERINGS")


@cache
def wide_code_bytes() -> dict[str, int]:
    """Wide kernel -> about the flash its code adds once linked, for the families that say."""
    return _merged("WIDE_CODE_BYTES")


@cache
def lean_forms() -> dict[str, Callable[[LayerCode], LayerCode | None]]:
    """Kernel -> the function giving a layer of it its lean (less scratch) form."""
    return _merged("LEAN_FORMS")


def lean_form(layer: LayerCode) -> LayerCode | None:
    """The layer in the lean form of its kernel, or None when it has no other."""
    function = lean_forms().get(layer.kernel)
    return function(layer) if function else None


def lower(graph: Graph, op: Op, wide_weights: bool = False) -> LayerCode:
    """Check the op against its support entry, then lower it: the one way an op of the
    optimised graph becomes a layer (`compile_model` and the kernel tests both use it).
    `wide_weights` asks for the int16-weight lowering, where the op's family has one."""
    check_op(graph, op)
    if wide_weights and op.kind in wide_lowerings():
        return wide_lowerings()[op.kind](graph, op)
    return lowerings()[op.kind](graph, op)
