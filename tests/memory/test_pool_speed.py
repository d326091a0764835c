"""Several pools: the fastest pool first, and in it the buffers touched most bytes per
inference (an im2col scratch is read once per multiply-accumulate), as long as the plan
stays as small as the smallest found."""

import json
from pathlib import Path

import pytest

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options

ROOT = Path(__file__).resolve().parents[2]
MODELS = {"demo": ROOT / "models" / "quantized_model.tflite",
          "ic": ROOT / "models" / "mlperf_tiny" / "pretrainedResnet_quant.tflite"}


def _two_pools(tmp_path: Path, fast_bytes: int) -> Path:
    pools = [{"name": "FAST", "prop": {"throughput": "HIGH", "latency": "LOW"},
              "size": {"value": str(fast_bytes), "magnitude": "BYTES"}},
             {"name": "BIG", "prop": {"throughput": "LOW", "latency": "HIGH"},
              "size": {"value": "256", "magnitude": "KBYTES"}}]
    path = tmp_path / "pools.json"
    path.write_text(json.dumps({"memory": {"mempools": pools}}))
    return path


@pytest.mark.parametrize("model, fast_bytes", [("demo", 512), ("ic", 2048)])
def test_hottest_buffers_sit_in_the_small_fast_pool(model: str, fast_bytes: int,
                                                    tmp_path: Path) -> None:
    plan = compile_model(MODELS[model], Options(
        memory_pool=str(_two_pools(tmp_path, fast_bytes)))).plan
    assert plan.used_pools == [0, 1]
    fast = [a for a in plan.allocations.values() if a.pool == 0]
    slow = [a for a in plan.allocations.values() if a.pool == 1]
    hottest = max(plan.allocations.values(),
                  key=lambda a: (a.request.touched / a.request.size, a.request.key))
    assert hottest.pool == 0 and hottest.request.key.startswith("s")  # a conv's im2col
    # byte for byte, the fast pool's buffers are touched more than the slow pool's
    def heat(allocations: list) -> float:
        return (sum(a.request.touched for a in allocations)
                / sum(a.request.size for a in allocations))
    assert heat(fast) > heat(slow)
    assert plan.used_bytes(0) <= fast_bytes
