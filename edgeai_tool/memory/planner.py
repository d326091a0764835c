"""Static memory plan: every activation buffer and scratch area gets a pool and an offset.

Buffers live from the step that writes them to the last step that reads them (graph
inputs from before the first step, graph outputs until after the last). Two buffers may
share bytes only when their lifetimes do not intersect. Placement is greedy first-fit
(fast pools first) over a few orderings; the smallest plan wins. The planner checks its
own result before returning it.

Variable tensors (an op's state) live outside the pools, in the network's own state
region: each has bytes of its own there, shared with no other buffer, kept from one run to
the next.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import Graph
from edgeai_tool.memory.mempools import MemoryPool

ALIGNMENT = 4  # kernels read int8 data as 32-bit words


@dataclass(frozen=True)
class BufferRequest:
    key: str  # "t<id>" for a tensor, "s<step>" for a step's scratch
    size: int
    first: int
    last: int

    def overlaps_in_time(self, other: BufferRequest) -> bool:
        return self.first <= other.last and other.first <= self.last


@dataclass(frozen=True)
class Allocation:
    request: BufferRequest
    pool: int  # index into MemoryPlan.pools
    offset: int

    @property
    def end(self) -> int:
        return self.offset + self.request.size


@dataclass
class MemoryPlan:
    pools: list[MemoryPool]
    allocations: dict[str, Allocation]
    external: list[int]  # tensor ids of I/O buffers kept outside the activations
    state: dict[int, int] = field(default_factory=dict)  # variable tensor id -> state offset
    state_sizes: dict[int, int] = field(default_factory=dict)  # variable tensor id -> bytes

    @property
    def state_bytes(self) -> int:
        """Size of the state region: every variable tensor, each in bytes of its own."""
        return _align(max((self.state[t] + self.state_sizes[t] for t in self.state), default=0))

    def used_bytes(self, pool: int) -> int:
        ends = [a.end for a in self.allocations.values() if a.pool == pool]
        return _align(max(ends, default=0))

    @property
    def used_pools(self) -> list[int]:
        return sorted({a.pool for a in self.allocations.values()})

    @property
    def activations_bytes(self) -> int:
        return sum(self.used_bytes(p) for p in self.used_pools)

    def tensor(self, tensor_id: int) -> Allocation | None:
        return self.allocations.get(f"t{tensor_id}")

    def scratch(self, step: int) -> Allocation | None:
        return self.allocations.get(f"s{step}")


def _align(value: int) -> int:
    return (value + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def collect_requests(graph: Graph, scratch_bytes: Sequence[int], allocate_inputs: bool = True,
                     allocate_outputs: bool = True) -> tuple[list[BufferRequest], list[int]]:
    """Lifetimes of every buffer the schedule touches, and the I/O kept outside the pools."""
    steps = len(graph.ops)
    first: dict[int, int] = {}
    last: dict[int, int] = {}

    def touch(tensor_id: int, step: int) -> None:
        base = graph.buffer_of(tensor_id)
        first[base] = min(first.get(base, step), step)
        last[base] = max(last.get(base, step), step)

    for tensor_id in graph.inputs:
        touch(tensor_id, -1)
    for step, op in enumerate(graph.ops):
        for tensor_id in (*op.inputs, *op.outputs):
            if tensor_id >= 0 and not _outside_pools(graph, tensor_id):
                touch(tensor_id, step)
    for tensor_id in graph.outputs:
        touch(tensor_id, steps)

    external = []
    if not allocate_inputs:
        external += [graph.buffer_of(t) for t in graph.inputs]
    if not allocate_outputs:
        external += [graph.buffer_of(t) for t in graph.outputs]
    requests = [BufferRequest(f"t{t}", graph.tensor(t).nbytes, first[t], last[t])
                for t in sorted(first) if t not in external]
    requests += [BufferRequest(f"s{step}", size, step, step)
                 for step, size in enumerate(scratch_bytes) if size > 0]
    return requests, sorted(set(external))


def _outside_pools(graph: Graph, tensor_id: int) -> bool:
    """Constants stay in flash; variable tensors have the state region."""
    tensor = graph.tensor(graph.buffer_of(tensor_id))
    return tensor.is_constant or tensor.is_variable


def place_state(graph: Graph) -> tuple[dict[int, int], dict[int, int]]:
    """(offsets, sizes) of the variable tensors the ops use, one after the other."""
    used = {t for op in graph.ops for t in (*op.inputs, *op.outputs) if t >= 0}
    offsets: dict[int, int] = {}
    sizes: dict[int, int] = {}
    end = 0
    for tensor_id in sorted(t for t in used if graph.tensor(t).is_variable):
        offsets[tensor_id] = end
        sizes[tensor_id] = graph.tensor(tensor_id).nbytes
        end = _align(end + sizes[tensor_id])
    return offsets, sizes


_ORDERINGS: tuple[Callable[[BufferRequest], tuple], ...] = (
    lambda r: (-r.size, r.first, r.key),
    lambda r: (r.first, -r.size, r.key),
    lambda r: (-(r.size * (r.last - r.first + 1)), r.key),
)


def plan_memory(graph: Graph, scratch_bytes: Sequence[int], pools: Sequence[MemoryPool],
                allocate_inputs: bool = True, allocate_outputs: bool = True) -> MemoryPlan:
    """Place every buffer; raise an `EdgeAIError` with bytes needed vs available if none fits."""
    requests, external = collect_requests(graph, scratch_bytes, allocate_inputs, allocate_outputs)
    order = sorted(range(len(pools)), key=lambda i: (pools[i].speed_rank, i))
    best: dict[str, Allocation] | None = None
    for ordering in _ORDERINGS:
        placed = _place(sorted(requests, key=ordering), pools, order)
        if placed is not None and (best is None or _footprint(placed) < _footprint(best)):
            best = placed
    if best is None:
        raise EdgeAIError(_shortage_message(requests, pools))
    state, state_sizes = place_state(graph)
    plan = MemoryPlan(pools=list(pools), allocations=dict(sorted(best.items())), external=external,
                      state=state, state_sizes=state_sizes)
    verify_plan(plan)
    return plan


def _footprint(allocations: dict[str, Allocation]) -> tuple[int, ...]:
    """Compare plans by bytes used in the fastest pool first, then the total."""
    ends: dict[int, int] = {}
    for allocation in allocations.values():
        ends[allocation.pool] = max(ends.get(allocation.pool, 0), allocation.end)
    return (sum(ends.values()), *(ends[p] for p in sorted(ends)))


def _place(requests: list[BufferRequest], pools: Sequence[MemoryPool],
           order: list[int]) -> dict[str, Allocation] | None:
    placed: dict[str, Allocation] = {}
    for request in requests:
        for pool in order:
            offset = _first_fit(request, [a for a in placed.values() if a.pool == pool])
            if offset + request.size <= pools[pool].size:
                placed[request.key] = Allocation(request, pool, offset)
                break
        else:
            return None
    return placed


def _first_fit(request: BufferRequest, pool_allocations: list[Allocation]) -> int:
    """Lowest aligned offset where `request` meets no buffer alive at the same time."""
    busy = sorted((a.offset, a.end) for a in pool_allocations
                  if a.request.overlaps_in_time(request))
    offset = 0
    for start, end in busy:
        if offset + request.size <= start:
            break
        offset = max(offset, _align(end))
    return offset


def _shortage_message(requests: list[BufferRequest], pools: Sequence[MemoryPool]) -> str:
    needed = _peak_live_bytes(requests)
    largest = max(requests, key=lambda r: r.size)
    available = ", ".join(f"{p.name} {p.size:,} B" for p in pools)
    return (f"the memory pools cannot hold the activations: {needed:,} B needed at the peak "
            f"(largest buffer {largest.size:,} B), available: {available}")


def _peak_live_bytes(requests: list[BufferRequest]) -> int:
    steps = {r.first for r in requests}
    return max((sum(_align(r.size) for r in requests if r.first <= s <= r.last) for s in steps),
               default=0)


def verify_plan(plan: MemoryPlan) -> None:
    """Fail loudly if two buffers alive at the same time share a byte, a pool overflows, or
    a variable tensor shares its state bytes or also has a place in the pools."""
    _verify_state(plan)
    allocations = list(plan.allocations.values())
    for i, a in enumerate(allocations):
        if a.end > plan.pools[a.pool].size or a.offset % ALIGNMENT:
            raise AssertionError(f"memory plan: {a.request.key} misplaced at {a.offset}")
        for b in allocations[i + 1:]:
            if (a.pool == b.pool and a.request.overlaps_in_time(b.request)
                    and a.offset < b.end and b.offset < a.end):
                raise AssertionError(
                    f"memory plan: {a.request.key} and {b.request.key} overlap while both live")


def _verify_state(plan: MemoryPlan) -> None:
    spans = sorted((plan.state[t], plan.state[t] + plan.state_sizes[t], t) for t in plan.state)
    for (_, end, tensor), (next_start, _, other) in itertools.pairwise(spans):
        if next_start < end:
            raise AssertionError(f"memory plan: state of t{tensor} and t{other} overlap")
    for start, _, tensor in spans:
        if start % ALIGNMENT or f"t{tensor}" in plan.allocations:
            raise AssertionError(f"memory plan: state of t{tensor} misplaced at {start}")
