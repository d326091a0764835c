"""SVDF test models, built without TensorFlow: SVDF layers whose scales are calibrated on a
float run of a random input sequence, alone or stacked as in a keyword-spotting model."""

from __future__ import annotations

import numpy as np

from .tflite_builder import ModelBuilder, TensorRef, quantize_weights

_STATE_TYPES = {"int8": (np.int8, 127), "int16": (np.int16, 32767)}


def _float_svdf(x: np.ndarray, feature: np.ndarray, time: np.ndarray, bias: np.ndarray,
                rank: int) -> tuple[np.ndarray, np.ndarray]:
    """(feature values, outputs) of a float SVDF over the sequence x [calls, 1, in]."""
    filters, memory = time.shape
    state = np.zeros((x.shape[1], filters, memory))
    features, outputs = [], []
    for step in x:
        state = np.roll(state, -1, axis=2)
        state[:, :, -1] = step @ feature.T
        features.append(state[:, :, -1].copy())
        per_filter = (state * time).sum(axis=2)
        outputs.append(per_filter.reshape(len(step), -1, rank).sum(axis=2) + bias)
    return np.array(features), np.array(outputs)


def add_svdf(b: ModelBuilder, x: TensorRef, rng: np.random.Generator, *, units: int = 4,
             rank: int = 2, memory: int = 5, state_type: str = "int8",
             state_zero_point: int = 0, calls: int = 30, name: str = "svdf") -> TensorRef:
    """Add an SVDF on x [1, in] (int8), calibrated on `calls` random inputs; its output."""
    filters, input_size = units * rank, x.shape[1]
    xq = rng.integers(-128, 128, size=(calls, 1, input_size))
    x_real = (xq - x.zero_point) * x.scale
    feature_q, feature_scale = quantize_weights(rng.normal(0, 0.4, (filters, input_size)),
                                                per_channel=False)
    feature_real = feature_q * float(feature_scale[0])
    time_f = rng.normal(0, 0.5, (filters, memory))
    bias_f = rng.normal(0, 0.3, units)
    np_type, qmax = _STATE_TYPES[state_type]
    features, _ = _float_svdf(x_real, feature_real, time_f, bias_f, rank)
    state_scale = float(np.abs(features).max()) / (qmax * 0.9)
    time_scale = float(np.abs(time_f).max()) / qmax
    time_q = np.clip(np.round(time_f / time_scale), -qmax, qmax).astype(np_type)
    bias_scale = float(np.float32(state_scale) * np.float32(time_scale))
    bias_q = np.round(bias_f / bias_scale).astype(np.int32)
    _, outputs = _float_svdf(x_real, feature_real, time_q * time_scale, bias_q * bias_scale,
                             rank)
    feature = b.const(f"{name}/feature", feature_q, scale=float(feature_scale[0]),
                      zero_point=0)
    time = b.const(f"{name}/time", time_q, scale=time_scale, zero_point=0)
    bias = b.const(f"{name}/bias", bias_q, scale=bias_scale, zero_point=0)
    state = b.variable(f"{name}/state", (1, filters * memory), scale=state_scale,
                       zero_point=state_zero_point, dtype=np_type)
    y = b.tensor(f"{name}/output", (1, units), scale=float(np.abs(outputs).max()) / 100,
                 zero_point=3)
    b.op("SVDF", [x, feature, time, bias, state], [y], rank=rank)
    return y


def svdf_model(rng: np.random.Generator, *, input_size: int = 12, calls: int = 30,
               **svdf: object) -> tuple[bytes, np.ndarray]:
    """(model, int8 inputs [calls, input_size]) of one SVDF layer (batch 1); `svdf` are
    `add_svdf`'s options."""
    b = ModelBuilder()
    x = b.input("x", (1, input_size), scale=0.04, zero_point=-5)
    b.output(add_svdf(b, x, rng, calls=calls, **svdf))
    inputs = rng.integers(-128, 128, size=(calls, input_size), dtype=np.int8)
    return b.build(), inputs
