"""One-layer pooling models: input -> MAX_POOL_2D or AVERAGE_POOL_2D -> output."""

from __future__ import annotations

import numpy as np

from support.tflite_builder import ModelBuilder


def pool_model(kind: str, case: dict) -> bytes:
    """`case`: in_shape, size (filter h, w), and optionally stride (default: size), padding
    (VALID), activation (NONE), scale (0.1), zp (-5) and dtype (int8; int16 has zero point
    0)."""
    in_shape = case["in_shape"]
    size = case["size"]
    stride = case.get("stride", size)
    padding = case.get("padding", "VALID")
    dtype = case.get("dtype", np.int8)
    scale, zp = case.get("scale", 0.1), case.get("zp", -5 if dtype == np.int8 else 0)
    out_hw = [(n + s - 1) // s if padding == "SAME" else (n - k + s) // s
              for n, k, s in zip(in_shape[1:3], size, stride, strict=True)]
    b = ModelBuilder()
    x = b.input("x", in_shape, scale=scale, zero_point=zp, dtype=dtype)
    y = b.tensor("y", (1, *out_hw, in_shape[3]), scale=scale, zero_point=zp, dtype=dtype)
    b.op(kind, [x], [y], padding=padding, stride_h=stride[0], stride_w=stride[1],
         filter_height=size[0], filter_width=size[1],
         fused_activation_function=case.get("activation", "NONE"))
    b.output(y)
    return b.build()
