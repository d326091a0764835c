"""What each optimization goal (`-O time|ram|balanced`) changes, decided in one place.

`schedule_for_goal` lowers the graph and returns the schedule to emit:

- weight formats (`lower_for_goal`): `time` gives int16 weights to every layer whose kernel
  has them (faster, twice the weight flash); `ram` none (the least flash); `balanced`
  int16 where it pays within the flash budget (`codegen.choice.within_budget`);
- kernel forms, under every goal: a layer whose kernel has a lean form (less scratch,
  slower: `codegen.layers.lean_form`) keeps its fast form only where that does not raise
  the planned activations;
- patches, under `ram` only: the first layers run in row bands (codegen.patch_stage) when
  that lowers the planned activations.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace

from edgeai_tool.codegen.choice import narrow_layers, wide_layers, within_budget
from edgeai_tool.codegen.layers import lean_form, wide_code_bytes
from edgeai_tool.codegen.layers.base import LayerCode
from edgeai_tool.codegen.patch_stage import (
    PatchChoice,
    Rows,
    band_bounds,
    patch_stage,
    stage_lengths,
)
from edgeai_tool.ir import Graph
from edgeai_tool.memory import MemoryPlan

Planner = Callable[[Graph, list[LayerCode]], MemoryPlan]

MAX_STAGE_LAYERS = 12  # the halo, and so the recomputation, grows with every layer
MAX_BANDS = 24
# -O ram trades time for memory, within reason: no patches that would recompute more than
# half the network's MACs (IC's two residual blocks in 1-row bands would add 128 %).
MAX_RECOMPUTED_SHARE = 0.5


@dataclass(frozen=True)
class Schedule:
    graph: Graph
    layers: list[LayerCode]
    plan: MemoryPlan
    patch: PatchChoice | None = None


def schedule_for_goal(goal: str, graph: Graph, flash_budget: int,
                      plan_for: Planner) -> Schedule:
    """The layers to emit and their memory plan under optimization goal `goal`."""
    layers = lower_for_goal(goal, graph, flash_budget)
    if goal != "ram":
        return Schedule(graph, *_fast_where_free(graph, layers, plan_for))
    # Patches first, over every lean form: a fast form kept before patching could become
    # the patched plan's peak. Then fast forms outside the stage where that plan allows.
    lean, fast = _lean_forms(layers)
    patched = _lowest_peak_patches(graph, lean, plan_for(graph, lean), plan_for)
    chosen, plan = _take_where_free(patched.graph, patched.layers, fast, plan_for)
    return replace(patched, layers=chosen, plan=plan)


def lower_for_goal(goal: str, graph: Graph, flash_budget: int) -> list[LayerCode]:
    """Every op of the optimised graph lowered with the weight format `goal` asks for."""
    narrow = narrow_layers(graph)
    if goal == "ram":
        return narrow
    wide = wide_layers(graph)
    if goal == "time":
        return [wide.get(i, layer) for i, layer in enumerate(narrow)]
    return within_budget(narrow, wide, flash_budget, wide_code_bytes())


def _fast_where_free(graph: Graph, layers: list[LayerCode],
                     plan_for: Planner) -> tuple[list[LayerCode], MemoryPlan]:
    """The layers, each in its fast form where that keeps the activations of the plan with
    every lean form, and that plan."""
    lean, fast = _lean_forms(layers)
    return _take_where_free(graph, lean, fast, plan_for)


def _lean_forms(layers: list[LayerCode]) -> tuple[list[LayerCode], dict[int, LayerCode]]:
    """The layers in their lean forms where their kernels have one, and the fast form of
    each lean layer, keyed by the lean layer's id (a patch stage keeps the layers after it
    as they are)."""
    lean = [lean_form(layer) or layer for layer in layers]
    return lean, {id(slim): layer for slim, layer in zip(lean, layers, strict=True)
                  if slim is not layer}


def _take_where_free(graph: Graph, layers: list[LayerCode], fast: dict[int, LayerCode],
                     plan_for: Planner) -> tuple[list[LayerCode], MemoryPlan]:
    """`layers` with each one `fast` has a form for replaced by it, in order, wherever the
    plan does not grow; and that plan. Layer by layer from all lean, so that a peak two
    layers reach apart is kept too."""
    chosen, plan = layers, plan_for(graph, layers)
    for i, layer in enumerate(layers):
        if id(layer) not in fast:
            continue
        trial = [*chosen[:i], fast[id(layer)], *chosen[i + 1:]]
        trial_plan = plan_for(graph, trial)
        if trial_plan.activations_bytes <= plan.activations_bytes:
            chosen, plan = trial, trial_plan
    return chosen, plan


def _lowest_peak_patches(graph: Graph, layers: list[LayerCode], plan: MemoryPlan,
                         plan_for: Planner) -> Schedule:
    """The lowest planned peak, if lower than without patches, with the least recomputation
    among equals. Planning is the cost, so first each stage length with its most bands
    (the least possible peak, `_Candidate.bound`), then for the best length the fewest
    bands that keep its peak."""
    by_length: dict[int, list[_Candidate]] = {}
    for candidate in _candidates(graph, layers):
        by_length.setdefault(candidate.length, []).append(candidate)
    best: tuple[int, int, _Candidate | None, MemoryPlan] = (plan.activations_bytes, 0, None, plan)

    def consider(candidate: _Candidate) -> None:
        nonlocal best
        if candidate.bound > best[0]:
            return
        patched_plan = plan_for(candidate.graph, candidate.layers)
        if (patched_plan.activations_bytes, candidate.extra_macc) < best[:2]:
            best = (patched_plan.activations_bytes, candidate.extra_macc, candidate,
                    patched_plan)

    for candidates in by_length.values():
        consider(min(candidates, key=lambda c: (c.bound, c.extra_macc)))
    chosen = best[2]
    if chosen is None:
        return Schedule(graph, layers, plan)
    for candidate in sorted(by_length[chosen.length], key=lambda c: c.extra_macc):
        if candidate.extra_macc >= best[1]:
            break
        consider(candidate)
    return _scheduled(best[2], best[3], plan.activations_bytes, layers)


def patched_schedule(graph: Graph, layers: list[LayerCode], plan_for: Planner, length: int,
                     bands: list[Rows], peak_before: int) -> Schedule | None:
    """The first `length` layers run in `bands` (rows of the cut), planned; None when the
    bands cannot be expressed (a band pointer would not be 4-byte aligned)."""
    candidate = _candidate(graph, layers, length, bands)
    if candidate is None:
        return None
    return _scheduled(candidate, plan_for(candidate.graph, candidate.layers), peak_before,
                      layers)


def _scheduled(chosen: _Candidate, plan: MemoryPlan, peak_before: int,
               layers: list[LayerCode]) -> Schedule:
    stage = chosen.layers[0]
    return Schedule(chosen.graph, chosen.layers, plan, PatchChoice(
        layers=tuple(name for name, _ in stage.stage),
        cut=f"{stage.stage[-1][0]}_output",
        cut_shape=chosen.graph.tensor(chosen.graph.ops[0].outputs[0]).shape,
        bands=chosen.bands,
        peak_before=peak_before,
        peak_after=plan.activations_bytes,
        stage_macc=stage.macc - chosen.extra_macc,
        extra_macc=chosen.extra_macc,
        network_macc=sum(code.macc for code in layers),
    ))


@dataclass(frozen=True)
class _Candidate:
    length: int  # layers in the stage
    bound: int  # the least peak it can have
    extra_macc: int
    bands: tuple[tuple[int, int], ...]
    graph: Graph
    layers: list[LayerCode]


def _candidates(graph: Graph, layers: list[LayerCode]) -> Iterator[_Candidate]:
    """Every stage and band count that can be expressed, within the recomputation limit."""
    limit = MAX_RECOMPUTED_SHARE * sum(code.macc for code in layers)
    for length in stage_lengths(graph, layers)[:MAX_STAGE_LAYERS - 1]:
        rows = graph.tensor(graph.ops[length - 1].outputs[0]).shape[1]
        for count in range(2, min(rows, MAX_BANDS) + 1):
            candidate = _candidate(graph, layers, length, band_bounds(rows, count))
            if candidate is not None and candidate.extra_macc <= limit:
                yield candidate


def _candidate(graph: Graph, layers: list[LayerCode], length: int,
               bands: list[Rows]) -> _Candidate | None:
    """The least peak it can have: at the stage's step its scratch, input and cut are all
    live, and the cut can at best lie over the input."""
    patched = patch_stage(graph, layers, length, bands)
    if patched is None:
        return None
    stage = patched[1][0]
    source = graph.tensor(graph.ops[0].inputs[0])
    cut = graph.tensor(graph.ops[length - 1].outputs[0])
    return _Candidate(length, stage.scratch_bytes + max(source.nbytes, cut.nbytes),
                      stage.macc - sum(code.macc for code in layers[:length]),
                      tuple(bands), *patched)
