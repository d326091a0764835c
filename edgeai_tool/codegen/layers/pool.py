"""MAX_POOL_2D and AVERAGE_POOL_2D: int8 or 16x8, same quantization in and out.

Bit-exact with TFLite Micro's reference kernels: the window is clipped to the input, the
average divides by the clipped window's count (rounding half away from zero), and the
result is clamped to the fused activation's range computed on the output tensor.
Checks, window geometry, cost and scratch size are in `edgeai_tool.ops.pool`.
"""

from __future__ import annotations

from edgeai_tool.codegen.layers.base import Buffer, LayerCode
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.pool import avg_pool_scratch_bytes, hwc, pool_macc, pool_structure
from edgeai_tool.quant import dtype_activation_range


def lower_pool(graph: Graph, op: Op) -> LayerCode:
    """MAX_POOL_2D -> edgeai_max_pool_<s8|s16>, AVERAGE_POOL_2D -> edgeai_avg_pool_<s8|s16>
    (the int8 average sums into a scratch row, the int16 one window by window)."""
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    act_min, act_max = dtype_activation_range(op.options.get("fused_activation_function", "NONE"),
                                              y.scale, y.zero_point, y.dtype)
    wide = x.dtype == "int16"
    ctype = "int16_t" if wide else "int8_t"
    average = op.kind == "AVERAGE_POOL_2D"
    args = [Buffer("input", op.inputs[0], ctype), Buffer("output", op.outputs[0], ctype)]
    if average and not wide:
        args.append(Buffer("scratch", ctype="int32_t"))
    return LayerCode(
        kernel=f"edgeai_{'avg' if average else 'max'}_pool_{'s16' if wide else 's8'}",
        header="edgeai_pool.h",
        params_type="edgeai_pool_params",
        params={"input": hwc(x), "output": hwc(y), **pool_structure(op.options, hwc(x))},
        data_type="edgeai_pool_data",
        data={"act_min": act_min, "act_max": act_max},
        args=args,
        scratch_bytes=avg_pool_scratch_bytes(hwc(x)[2]) if average and not wide else 0,
        macc=pool_macc(graph, op),
        c_type="Pool",
    )


LOWERINGS = {"MAX_POOL_2D": lower_pool, "AVERAGE_POOL_2D": lower_pool}
