"""Memory planning: reuse, pool order, errors, and the planner's self-check."""

import json

import pytest

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import Graph, Op, Quantization, Tensor
from edgeai_tool.memory import MemoryPool, load_mempools, plan_memory
from edgeai_tool.memory.planner import Allocation, MemoryPlan, verify_plan

Q = Quantization((0.1,), (0,))


def _chain(*sizes: int) -> Graph:
    """x0 -> op0 -> x1 -> op1 -> ... with tensors of the given byte sizes."""
    tensors = {i: Tensor(i, f"t{i}", (1, size), "int8", Q) for i, size in enumerate(sizes)}
    ops = [Op("RELU", [i], [i + 1], origin=(i,)) for i in range(len(sizes) - 1)]
    return Graph("chain", tensors, ops, [0], [len(sizes) - 1])


BIG = [MemoryPool("RAM", 1 << 20)]


def test_buffers_are_reused_once_dead():
    plan = plan_memory(_chain(1000, 2000, 1000, 500), [0, 0, 0], BIG)
    # at most two tensors are ever live at once: the peak pair is 2000 + 1000
    assert plan.activations_bytes == 3000


def test_scratch_counts_only_during_its_step():
    plan = plan_memory(_chain(100, 100, 100), [400, 0], BIG)
    assert plan.activations_bytes == 600
    assert plan.scratch(0).request.size == 400


def test_io_outside_the_activations_when_asked():
    plan = plan_memory(_chain(1000, 200, 1000), [0, 0], BIG, allocate_inputs=False,
                       allocate_outputs=False)
    assert plan.external == [0, 2]
    assert plan.activations_bytes == 200


def test_fast_pool_first_then_spill():
    pools = [MemoryPool("SLOW", 10_000, throughput="MID"), MemoryPool("FAST", 1_500,
                                                                     throughput="HIGH")]
    plan = plan_memory(_chain(1000, 1000, 1000), [0, 0], pools)
    assert plan.used_bytes(1) <= 1_500 and plan.used_bytes(1) > 0
    assert plan.used_pools == [0, 1]


def test_too_small_pools_give_bytes_needed_and_available():
    with pytest.raises(EdgeAIError, match=r"3,000 B needed .* available: RAM 2,500 B"):
        plan_memory(_chain(1000, 2000), [0], [MemoryPool("RAM", 2500)])


def test_verify_plan_catches_overlapping_live_buffers():
    plan = plan_memory(_chain(100, 100), [0], BIG)
    a, b = plan.allocations.values()
    broken = MemoryPlan(plan.pools, {"a": a, "b": Allocation(b.request, b.pool, a.offset)}, [])
    with pytest.raises(AssertionError, match="overlap"):
        verify_plan(broken)


def _pool_file(tmp_path, pools):
    path = tmp_path / "mempools.json"
    path.write_text(json.dumps({"memory": {"mempools": pools}}))
    return path


def test_st_pool_file_is_read(tmp_path):
    path = _pool_file(tmp_path, [
        {"name": "DTCMRAM", "prop": {"throughput": "HIGH", "latency": "LOW"},
         "size": {"value": "120", "magnitude": "KBYTES"},
         "offset": {"value": "0", "magnitude": "BYTES"}},
        {"name": "SDRAM", "size": {"value": "0x100", "magnitude": "BYTES"},
         "offset": {"value": "0xD0000000", "magnitude": "BYTES"}},
    ])
    dtcm, sdram = load_mempools(path)
    assert (dtcm.name, dtcm.size, dtcm.address) == ("DTCMRAM", 120 * 1024, 0)
    assert (sdram.size, sdram.address) == (256, 0xD0000000)


@pytest.mark.parametrize("pools, message", [
    ([{"name": "A", "size": {"value": "1", "magnitude": "GIGA"}}],
     r"mempools\[0\] \(A\): size: magnitude"),
    ([{"name": "A", "size": {"value": "ten", "magnitude": "BYTES"}}], "not a decimal or 0x-hex"),
    ([{"name": "A"}], r"size: expected"),
    ([{"name": "A", "size": {"value": "1"}}, {"name": "A", "size": {"value": "1"}}], "used twice"),
])
def test_malformed_pool_files_name_the_field(tmp_path, pools, message):
    with pytest.raises(EdgeAIError, match=message):
        load_mempools(_pool_file(tmp_path, pools))


def test_pool_file_that_is_not_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(EdgeAIError, match="not valid JSON"):
        load_mempools(path)
