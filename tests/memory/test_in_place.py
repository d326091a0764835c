"""In-place execution: an output written over the input that dies at its layer, only where
the kernel offers it, and only within the kernel's limit (checked by `verify_plan`)."""

import dataclasses

import pytest

from edgeai_tool.ir import Graph, Op, Quantization, Tensor
from edgeai_tool.memory import MemoryPool, plan_memory
from edgeai_tool.memory.planner import Allocation, verify_plan

Q = Quantization((0.1,), (0,))
BIG = [MemoryPool("RAM", 1 << 20)]


def _graph(sizes: dict[int, int], ops: list[tuple[str, list[int], int]], outputs: list[int]
           ) -> Graph:
    tensors = {i: Tensor(i, f"t{i}", (1, size), "int8", Q) for i, size in sizes.items()}
    return Graph("g", tensors, [Op(kind, inputs, [out], origin=(k,))
                                for k, (kind, inputs, out) in enumerate(ops)], [0], outputs)


def _chain(*sizes: int) -> Graph:
    return _graph(dict(enumerate(sizes)),
                  [("RELU", [i], i + 1) for i in range(len(sizes) - 1)], [len(sizes) - 1])


def test_elementwise_chain_runs_in_one_buffer():
    graph = _chain(1000, 1000, 1000, 1000)
    assert plan_memory(graph, [0] * 3, BIG).activations_bytes == 2000
    plan = plan_memory(graph, [0] * 3, BIG, overwrites=[{i: 0} for i in range(3)])
    assert plan.activations_bytes == 1000
    assert {plan.written_over(f"t{i + 1}") for i in range(3)} == {"t0", "t1", "t2"}


def test_a_negative_limit_keeps_the_output_that_far_ahead_of_the_input():
    plan = plan_memory(_chain(1000, 1000), [0], BIG, overwrites=[{0: -101}])
    # -101 rounds down to the 4-byte alignment: the output starts 104 B before the input
    assert plan.tensor(0).offset - plan.tensor(1).offset == 104
    assert plan.activations_bytes == 1104


def test_an_input_read_later_is_never_written_over():
    # t0 feeds op0 and the ADD at op1, so it is alive after op0: op0's offer is unusable
    graph = _graph({0: 1000, 1: 1000, 2: 1000}, [("RELU", [0], 1), ("ADD", [0, 1], 2)], [2])
    plan = plan_memory(graph, [0, 0], BIG, overwrites=[{0: 0}, {0: 0, 1: 0}])
    assert plan.written_over("t1") is None
    assert plan.written_over("t2") in ("t0", "t1")  # the residual ADD into a dying operand
    assert plan.activations_bytes == 2000


def test_an_operand_also_read_in_a_form_not_offered_is_kept():
    graph = _graph({0: 1000, 1: 1000}, [("ADD", [0, 0], 1)], [1])
    plan = plan_memory(graph, [0], BIG, overwrites=[{}])
    assert plan.in_place == {}
    assert plan_memory(graph, [0], BIG, overwrites=[{0: 0}]).activations_bytes == 1000


@pytest.mark.parametrize("shift, sanctioned", [(-104, True), (-100, False), (0, False)])
def test_verify_plan_allows_only_the_kernels_limit(shift: int, sanctioned: bool):
    plan = plan_memory(_chain(1000, 1000), [0], BIG, overwrites=[{0: -101}])
    source, output = plan.tensor(0), plan.tensor(1)
    moved = dataclasses.replace(plan, allocations={
        "t0": Allocation(source.request, 0, 200),
        "t1": Allocation(output.request, 0, 200 + shift)})
    if sanctioned:
        verify_plan(moved)
    else:
        with pytest.raises(AssertionError, match="overlap while both live"):
            verify_plan(moved)
