"""Static memory plan: every activation buffer and scratch area gets a pool and an offset.

Buffers live from the step that writes them to the last step that reads them (graph
inputs from before the first step, graph outputs until after the last). Two buffers may
share bytes only when their lifetimes do not intersect, with one sanctioned exception: a
layer whose kernel offers it (`LayerCode.overwrites`) may write its output over an input
that dies at that layer, with the output starting at most `limit` bytes past the input's
start, so the kernel never overwrites an input byte it has still to read. Such chains are
placed as one unit with fixed relative offsets. Placement is greedy first-fit (fast pools
first) over a few orderings, with and without the in-place units; the smallest plan wins.
The planner checks its own result before returning it.

Variable tensors (an op's state) live outside the pools, in the network's own state
region: each has bytes of its own there, shared with no other buffer, kept from one run to
the next.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
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
    touched: int = 0  # estimated bytes read and written per inference: who gets fast memory

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


@dataclass(frozen=True)
class InPlace:
    """The output of a layer may overlap `source`, the input dying at that layer, when it
    starts at most `limit` bytes past the input's start."""

    source: str
    limit: int


@dataclass
class MemoryPlan:
    pools: list[MemoryPool]
    allocations: dict[str, Allocation]
    external: list[int]  # tensor ids of I/O buffers kept outside the activations
    state: dict[int, int] = field(default_factory=dict)  # variable tensor id -> state offset
    state_sizes: dict[int, int] = field(default_factory=dict)  # variable tensor id -> bytes
    # Output buffer key -> the input it may be written over (used or not by the placement).
    in_place: dict[str, InPlace] = field(default_factory=dict)

    @property
    def state_bytes(self) -> int:
        """Size of the state region: every variable tensor, each in bytes of its own."""
        return _align(max((self.state[t] + self.state_sizes[t] for t in self.state), default=0))

    def written_over(self, key: str) -> str | None:
        """The buffer `key` actually overlaps under the in-place rule, if any."""
        rule = self.in_place.get(key)
        if rule is None:
            return None
        output, source = self.allocations[key], self.allocations[rule.source]
        shares = (output.pool == source.pool and output.offset < source.end
                  and source.offset < output.end)
        return rule.source if shares else None

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
                     allocate_outputs: bool = True, scratch_touched: Sequence[int] = ()
                     ) -> tuple[list[BufferRequest], list[int]]:
    """Lifetimes of every buffer the schedule touches, and the I/O kept outside the pools.

    A tensor counts as touched whole once per layer using it; a scratch area as
    `scratch_touched[step]` bytes (its size when not given)."""
    steps = len(graph.ops)
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    uses: dict[int, int] = {}

    def touch(tensor_id: int, step: int) -> None:
        base = graph.buffer_of(tensor_id)
        first[base] = min(first.get(base, step), step)
        last[base] = max(last.get(base, step), step)
        uses[base] = uses.get(base, 0) + 1

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
    requests = [BufferRequest(f"t{t}", graph.tensor(t).nbytes, first[t], last[t],
                              graph.tensor(t).nbytes * uses[t])
                for t in sorted(first) if t not in external]
    touched = list(scratch_touched) or list(scratch_bytes)
    requests += [BufferRequest(f"s{step}", size, step, step, max(touched[step], size))
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


def _hot_first(request: BufferRequest) -> tuple:
    """With several pools: the most touched bytes per byte first, to land in the fastest."""
    return (-request.touched / request.size, request.first, request.key)


def in_place_rules(graph: Graph, requests: Sequence[BufferRequest],
                   overwrites: Sequence[Mapping[int, int]]) -> dict[str, InPlace]:
    """For each layer whose kernel offers it, the largest input dying there that its output
    may be written over (`overwrites[step]`: input tensor id -> limit)."""
    by_key = {r.key: r for r in requests}
    rules: dict[str, InPlace] = {}
    for step, offers in enumerate(overwrites):
        op = graph.ops[step]
        output = by_key.get(f"t{graph.buffer_of(op.outputs[0])}")
        if output is None or output.first != step or not offers:
            continue
        candidates = []
        for tensor_id, limit in offers.items():
            base = graph.buffer_of(tensor_id)
            source = by_key.get(f"t{base}")
            # Every read of the source in this op must be one the kernel offered.
            reads_offered = all(t in offers for t in op.inputs
                                if t >= 0 and graph.buffer_of(t) == base)
            if (source is not None and source.last == step and source.key != output.key
                    and reads_offered):
                candidates.append((source.size, source.key, limit))
        if candidates:
            _, key, limit = max(candidates)
            rules[output.key] = InPlace(key, limit)
    return rules


def plan_memory(graph: Graph, scratch_bytes: Sequence[int], pools: Sequence[MemoryPool],
                allocate_inputs: bool = True, allocate_outputs: bool = True,
                overwrites: Sequence[Mapping[int, int]] = (),
                scratch_touched: Sequence[int] = ()) -> MemoryPlan:
    """Place every buffer; raise an `EdgeAIError` with bytes needed vs available if none fits.

    The smallest plan wins; between plans as small, the one with the most touched bytes in
    the fastest pool."""
    requests, external = collect_requests(graph, scratch_bytes, allocate_inputs, allocate_outputs,
                                          scratch_touched)
    rules = in_place_rules(graph, requests, overwrites)
    order = sorted(range(len(pools)), key=lambda i: (pools[i].speed_rank, i))
    orderings = _ORDERINGS + ((_hot_first,) if len(pools) > 1 else ())

    def better(placed: dict[str, Allocation] | None, than: dict[str, Allocation] | None,
               or_equal: bool = False) -> bool:
        if placed is None or than is None:
            return placed is not None
        score, other = _score(placed, order[0]), _score(than, order[0])
        return score < other or (or_equal and score == other)

    def place(used: dict[str, InPlace]) -> dict[str, Allocation] | None:
        units = _in_place_units(requests, used)
        best = None
        for ordering in orderings:
            placed = _place(sorted(units, key=lambda u: ordering(u.span)), pools, order)
            best = placed if better(placed, best) else best
        return best

    # Fixed offsets along a long chain can cost more than they save, so the rules are
    # chosen greedily: from none, add each (largest source first) that does not make the
    # plan worse; from all, drop each whose removal makes it better. The better end wins.
    sizes = {r.key: r.size for r in requests}
    by_size = sorted(rules, key=lambda k: (-sizes[rules[k].source], k))
    best, used = place({}), {}
    for key in by_size:
        more = {**used, key: rules[key]}
        if better(placed := place(more), best, or_equal=True):
            best, used = placed, more
    top, kept = place(rules), dict(rules)
    for key in by_size:
        fewer = {k: rule for k, rule in kept.items() if k != key}
        if better(placed := place(fewer), top):
            top, kept = placed, fewer
    best = top if better(top, best) else best
    if best is None:
        raise EdgeAIError(_shortage_message(requests, pools))
    state, state_sizes = place_state(graph)
    plan = MemoryPlan(pools=list(pools), allocations=dict(sorted(best.items())),
                      external=external, in_place=rules, state=state, state_sizes=state_sizes)
    verify_plan(plan)
    return plan


@dataclass(frozen=True)
class _Unit:
    """Buffers placed together at fixed offsets from the unit's start (an in-place chain)."""

    pieces: tuple[tuple[BufferRequest, int], ...]

    @staticmethod
    def single(request: BufferRequest) -> _Unit:
        return _Unit(((request, 0),))

    @property
    def span(self) -> BufferRequest:
        """The unit as one request, for the orderings: its extent and whole lifetime."""
        return BufferRequest(self.pieces[0][0].key,
                             max(offset + r.size for r, offset in self.pieces),
                             min(r.first for r, _ in self.pieces),
                             max(r.last for r, _ in self.pieces),
                             sum(r.touched for r, _ in self.pieces))


def _in_place_units(requests: Sequence[BufferRequest], rules: dict[str, InPlace]) -> list[_Unit]:
    """Chains source -> output -> ..., each output at its limit (rounded down to the
    alignment, and never past the source's start), offsets then shifted to start at 0."""
    by_key = {r.key: r for r in requests}
    next_of = {rule.source: output for output, rule in rules.items()}
    units = []
    for head in requests:
        if head.key in rules:
            continue
        chain, offset, key = [(head, 0)], 0, head.key
        while key in next_of:
            output = next_of[key]
            offset += -_align(-min(rules[output].limit, 0))
            key = output
            chain.append((by_key[key], offset))
        lowest = min(o for _, o in chain)
        units.append(_Unit(tuple((r, o - lowest) for r, o in chain)))
    return units


def _score(allocations: dict[str, Allocation], fastest: int) -> tuple[int, ...]:
    """Lower is better: the fewest bytes in all, then the most touched bytes in the fastest
    pool, then the fewest bytes in the fastest pools."""
    total, *per_pool = _footprint(allocations)
    hot = sum(a.request.touched for a in allocations.values() if a.pool == fastest)
    return (total, -hot, *per_pool)


def _footprint(allocations: dict[str, Allocation]) -> tuple[int, ...]:
    """Compare plans by bytes used in the fastest pool first, then the total."""
    ends: dict[int, int] = {}
    for allocation in allocations.values():
        ends[allocation.pool] = max(ends.get(allocation.pool, 0), allocation.end)
    return (sum(ends.values()), *(ends[p] for p in sorted(ends)))


def _place(units: list[_Unit], pools: Sequence[MemoryPool],
           order: list[int]) -> dict[str, Allocation] | None:
    placed: dict[str, Allocation] = {}
    for unit in units:
        for pool in order:
            offset = _first_fit(unit, [a for a in placed.values() if a.pool == pool])
            if offset + unit.span.size <= pools[pool].size:
                for request, relative in unit.pieces:
                    placed[request.key] = Allocation(request, pool, offset + relative)
                break
        else:
            return None
    return placed


def _first_fit(unit: _Unit, pool_allocations: list[Allocation]) -> int:
    """Lowest aligned offset where no piece of `unit` meets a buffer alive at the same time."""
    busy = [(request, relative, [(a.offset, a.end) for a in pool_allocations
                                 if a.request.overlaps_in_time(request)])
            for request, relative in unit.pieces]
    candidates = sorted({0, *(_align(end) - relative for _, relative, spans in busy
                              for _, end in spans if _align(end) >= relative)})
    for offset in candidates:
        if all(offset + relative + request.size <= start or end <= offset + relative
               for request, relative, spans in busy for start, end in spans):
            return offset
    raise AssertionError("first fit: the offset past every busy buffer always fits")


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
    """Fail loudly if two buffers alive at the same time share a byte (other than an output
    written over its dying input within the kernel's limit), a pool overflows, or a variable
    tensor shares its state bytes or also has a place in the pools."""
    _verify_state(plan)
    allocations = list(plan.allocations.values())
    for i, a in enumerate(allocations):
        if a.end > plan.pools[a.pool].size or a.offset % ALIGNMENT:
            raise AssertionError(f"memory plan: {a.request.key} misplaced at {a.offset}")
        for b in allocations[i + 1:]:
            if (a.pool == b.pool and a.request.overlaps_in_time(b.request)
                    and a.offset < b.end and b.offset < a.end
                    and not _sanctioned(plan, a, b) and not _sanctioned(plan, b, a)):
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


def _sanctioned(plan: MemoryPlan, output: Allocation, source: Allocation) -> bool:
    """`output` is written over `source` by the in-place rule: the source dies at the step
    that writes the output, and the output starts no further in than the kernel allows."""
    rule = plan.in_place.get(output.request.key)
    return (rule is not None and rule.source == source.request.key
            and source.request.last == output.request.first
            and output.offset - source.offset <= rule.limit)
