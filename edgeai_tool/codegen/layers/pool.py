"""MAX_POOL_2D and AVERAGE_POOL_2D: int8 or 16x8, same quantization in and out.

Bit-exact with TFLite Micro's reference kernels: the window is clipped to the input, the
average divides by the clipped window's count (rounding half away from zero), and the
result is clamped to the fused activation's range computed on the output tensor.
Checks, window geometry, cost and scratch size are in `edgeai_tool.ops.pool`.
"""

from __future__ import annotations

from edgeai_tool.codegen.layers.base import (
    Banding,
    Buffer,
    LayerCode,
    raster_overwrite_limit,
    window_starts,
)
from edgeai_tool.ir import DTYPE_SIZES, Graph, Op, Tensor
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
    structure = pool_structure(op.options, hwc(x))
    return LayerCode(
        kernel=f"edgeai_{'avg' if average else 'max'}_pool_{'s16' if wide else 's8'}",
        header="edgeai_pool.h",
        params_type="edgeai_pool_params",
        params={"input": hwc(x), "output": hwc(y), **structure},
        data_type="edgeai_pool_data",
        data={"act_min": act_min, "act_max": act_max},
        args=args,
        scratch_bytes=avg_pool_scratch_bytes(hwc(x)[2]) if average and not wide else 0,
        macc=pool_macc(graph, op),
        c_type="Pool",
        overwrites={op.inputs[0]: _overwrite_limit(x, y, structure)},
        banding=Banding.NONE if wide else Banding.ROWS,
    )


def _overwrite_limit(x: Tensor, y: Tensor, structure: dict[str, int]) -> int:
    """How far the output may start past the input (`LayerCode.overwrites`).

    Why it is safe: every pool kernel (int8 and int16, portable and DSP) computes the output
    pixels in raster order and reads, for pixel p, only p's window clipped to the input, whose
    lowest byte is its top-left pixel. It writes p's channels while still reading p's window
    (a channel group at a time; the int8 tail is set to -128 before its maximum is taken),
    but never before p is due and never ahead of p. So no input byte is lost while pixel p's
    bytes end at or below the lowest byte of every window from p on: the raster rule with
    lookback 0. A 2x2 window of stride 2, say, lets the output start one pixel before the
    input and overlap the rest of it; a global pool gains nothing (its one pixel is written
    while the whole input is read)."""
    out_h, out_w, channels = hwc(y)
    in_w = hwc(x)[1]
    rows = window_starts(out_h, structure["stride_h"], structure["pad_top"])
    cols = window_starts(out_w, structure["stride_w"], structure["pad_left"])
    lowest = (rows[:, None] * in_w + cols[None, :]) * channels * DTYPE_SIZES[x.dtype]
    return raster_overwrite_limit(lowest.reshape(-1), channels * DTYPE_SIZES[y.dtype],
                                  lookback=0)


LOWERINGS = {"MAX_POOL_2D": lower_pool, "AVERAGE_POOL_2D": lower_pool}
