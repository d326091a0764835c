"""MAX_POOL_2D and AVERAGE_POOL_2D in place: the output written over the input dying at the
pool, within the kernel's limit (`edgeai_tool.codegen.layers.pool`), as the planner's own
check accepts it; the generated C stays bit-exact with tflite-micro (on the host under
ASan/UBSan, int8 and int16; in QEMU for the Cortex-M7 DSP paths)."""

from __future__ import annotations

import shutil
import zlib
from pathlib import Path

import numpy as np
import pytest
from support.bitexact import assert_bit_exact, assert_same_outputs, compile_bytes
from support.pool_models import pool_model

from edgeai_tool.memory.planner import ALIGNMENT
from edgeai_tool.validate.qemu import run_qemu
from edgeai_tool.validate.reference import run_reference

# kind, input shape, window, stride, padding: windows apart, overlapping, reaching back a row
CASES = [
    ("MAX_POOL_2D", (1, 16, 16, 8), (2, 2), (2, 2), "VALID"),
    ("AVERAGE_POOL_2D", (1, 9, 9, 5), (3, 3), (2, 2), "SAME"),
    ("MAX_POOL_2D", (1, 10, 7, 6), (2, 3), (1, 2), "SAME"),
    ("AVERAGE_POOL_2D", (1, 7, 7, 12), (3, 3), (1, 1), "SAME"),
]
# (A global pool gains nothing: its one output pixel is written while its window, the whole
# input from byte 0, is read, so the output must sit wholly before the input.)


def _case(kind: str, shape: tuple, size: tuple, stride: tuple, padding: str,
          dtype: type) -> tuple[bytes, np.ndarray]:
    model = pool_model(kind, {"in_shape": shape, "size": size, "stride": stride,
                              "padding": padding, "dtype": dtype})
    rng = np.random.default_rng(zlib.crc32(repr((kind, shape, dtype.__name__)).encode()))
    info = np.iinfo(dtype)
    return model, rng.integers(info.min, info.max, (6, *shape[1:]), endpoint=True, dtype=dtype)


def _aligned(size: int) -> int:
    return -(-size // ALIGNMENT) * ALIGNMENT


@pytest.mark.parametrize("dtype", [np.int8, np.int16], ids=["int8", "int16"])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[4]}-stride{c[3][0]}")
def test_pool_output_over_its_dying_input_is_bit_exact(case, dtype, tmp_path: Path) -> None:
    model, inputs = _case(*case, dtype)
    compilation = compile_bytes(model, tmp_path)  # plan_memory runs verify_plan on its plan
    graph, plan = compilation.graph, compilation.plan
    source, output = (f"t{graph.buffer_of(t)}" for t in (graph.inputs[0], graph.outputs[0]))
    assert plan.written_over(output) == source
    sizes = [plan.allocations[key].request.size for key in (source, output)]
    assert plan.activations_bytes < sum(_aligned(s) for s in sizes)
    assert_bit_exact(model, [inputs], tmp_path)


@pytest.mark.skipif(not (shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")),
                    reason="arm-none-eabi-gcc or qemu-system-arm missing")
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[4]}-stride{c[3][0]}")
def test_in_place_pools_are_bit_exact_on_the_cortex_m7(case, tmp_path: Path) -> None:
    model, inputs = _case(*case, np.int8)
    compilation = compile_bytes(model, tmp_path)
    assert compilation.plan.written_over(f"t{compilation.graph.outputs[0]}")
    assert_same_outputs(run_qemu(compilation, [inputs], jobs=1),
                        run_reference(compilation.model_path, [inputs]))
