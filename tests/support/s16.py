"""16x8 test models: int16 activations (symmetric, zero point 0), int8 weights, int64 bias."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .tflite_builder import ModelBuilder, TensorRef, symmetric_qparams


def int16_input(b: ModelBuilder, shape: Sequence[int], rng: np.random.Generator,
                samples: int = 8, name: str = "x") -> tuple[TensorRef, np.ndarray]:
    """A batch-1 model input of standard-normal values quantized to int16, and `samples`
    samples [samples, *shape[1:]] that span most of the int16 range."""
    floats = rng.normal(size=(samples, *shape[1:]))
    scale, _ = symmetric_qparams(floats)
    x = b.input(name, shape, scale=scale, zero_point=0, dtype=np.int16)
    return x, np.clip(np.round(floats / scale), -32768, 32767).astype(np.int16)


def assert_not_saturated(values: np.ndarray, max_clamped: float = 0.05) -> None:
    """int16 outputs that test the arithmetic: few on the clamps, many distinct values."""
    values = np.asarray(values)
    assert values.dtype == np.int16
    clamped = np.mean((values == -32768) | (values == 32767))
    assert clamped <= max_clamped, f"{clamped:.0%} of the outputs saturate"
    assert len(np.unique(values)) > min(values.size // 2, 1000)
