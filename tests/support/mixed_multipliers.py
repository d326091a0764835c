"""Per-channel weights whose requantization multipliers straddle 1.

Even output channels are dense (multiplier well below 1, a right shift); odd ones hold a
single +-1 weight and a multiplier in (1, 4) (a left shift), so one layer exercises both
directions of TFLM's MultiplyByQuantizedMultiplier and, having left shifts, the kernels'
exact requantization path (the fast one needs a right shift on every channel).
"""

from __future__ import annotations

import numpy as np

IN_SCALE = 0.04
OUT_SCALE = 0.05
LEFT_SHIFT_MULTIPLIERS = (1.1, 1.7, 3.2)


def mixed_weights(rng: np.random.Generator, channels: int,
                  taps: int) -> tuple[np.ndarray, np.ndarray]:
    """(int8 weights [channels, taps], float32 weight scales [channels])."""
    weights = rng.integers(-127, 127, size=(channels, taps), endpoint=True)
    multipliers = np.full(channels, 0.7 / (73.0 * 74.0 * np.sqrt(taps)) * 50.0)
    for c in range(1, channels, 2):
        weights[c] = 0
        weights[c, rng.integers(taps)] = rng.choice([-1, 1])
        multipliers[c] = LEFT_SHIFT_MULTIPLIERS[(c // 2) % len(LEFT_SHIFT_MULTIPLIERS)]
    scales = (multipliers * OUT_SCALE / IN_SCALE).astype(np.float32)
    return weights.astype(np.int8), scales


def mixed_bias(rng: np.random.Generator, scales: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(int32 bias, its float32 scales): small values, scale input scale * weight scale."""
    bias = rng.integers(-40, 40, size=scales.size, endpoint=True).astype(np.int32)
    return bias, (np.float32(IN_SCALE) * scales).astype(np.float32)
