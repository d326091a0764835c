"""Loop structure shared by the lowerings that walk tensors with nested loops (element-wise
broadcasting, data movement, MEAN): resolved in Python so that the kernels run few, long loops."""

from __future__ import annotations

from collections.abc import Iterable


def merged_loops(loops: Iterable[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """Nested loops (trip count, then one element step per tensor), outermost first, without
    the single-trip ones, each merged into the loop outside it when every tensor steps
    through the pair as one (outer step = inner count x inner step, both 0 included)."""
    merged: list[tuple[int, ...]] = []
    for count, *steps in loops:
        if count == 1:
            continue
        if merged:
            outer_count, *outer_steps = merged[-1]
            if all(outer == count * step for outer, step in zip(outer_steps, steps, strict=True)):
                merged[-1] = (outer_count * count, *steps)
                continue
        merged.append((count, *steps))
    return merged
