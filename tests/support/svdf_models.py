"""SVDF test models, built without TensorFlow: one SVDF layer (optionally inside a small
keyword-spotting-like graph), its scales calibrated on a float run of the same sequence."""

from __future__ import annotations

import numpy as np

from .tflite_builder import ModelBuilder, quantize_weights

_STATE_TYPES = {"int8": (np.int8, 127), "int16": (np.int16, 32767)}


def _float_svdf(x: np.ndarray, feature: np.ndarray, time: np.ndarray, bias: np.ndarray,
                rank: int) -> tuple[np.ndarray, np.ndarray]:
    """(feature values, outputs) of a float SVDF over the sequence x [calls, batches, in]."""
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


def svdf_model(rng: np.random.Generator, *, input_size: int = 12, units: int = 4,
               rank: int = 2, memory: int = 5, state_type: str = "int8",
               state_zero_point: int = 0, input_zero_point: int = -5,
               calls: int = 30) -> tuple[bytes, np.ndarray]:
    """(model, int8 inputs [calls, input_size]) of one SVDF layer (batch 1)."""
    filters = units * rank
    input_scale = 0.04
    xq = rng.integers(-128, 128, size=(calls, 1, input_size), dtype=np.int8)
    feature_f = rng.normal(0, 0.4, (filters, input_size))
    time_f = rng.normal(0, 0.5, (filters, memory))
    bias_f = rng.normal(0, 0.3, units)
    feature_q, feature_scale = quantize_weights(feature_f, per_channel=False)
    np_type, qmax = _STATE_TYPES[state_type]
    x_real = (xq.astype(np.float64) - input_zero_point) * input_scale
    features, _ = _float_svdf(x_real, feature_q * float(feature_scale[0]), time_f, bias_f, rank)
    state_scale = float(np.abs(features).max()) / (qmax * 0.9)
    time_scale = float(np.abs(time_f).max()) / qmax
    time_q = np.clip(np.round(time_f / time_scale), -qmax, qmax).astype(np_type)
    bias_scale = float(np.float32(state_scale) * np.float32(time_scale))
    bias_q = np.round(bias_f / bias_scale).astype(np.int32)
    _, outputs = _float_svdf(x_real, feature_q * float(feature_scale[0]),
                             time_q * time_scale, bias_q * bias_scale, rank)
    output_scale = float(np.abs(outputs).max()) / 100

    b = ModelBuilder()
    x = b.input("x", (1, input_size), scale=input_scale, zero_point=input_zero_point)
    feature = b.const("feature", feature_q, scale=float(feature_scale[0]), zero_point=0)
    time = b.const("time", time_q, scale=time_scale, zero_point=0)
    bias = b.const("bias", bias_q, scale=bias_scale, zero_point=0)
    state = b.variable("state", (1, filters * memory), scale=state_scale,
                       zero_point=state_zero_point, dtype=np_type)
    y = b.tensor("y", (1, units), scale=output_scale, zero_point=3)
    b.op("SVDF", [x, feature, time, bias, state], [y], rank=rank)
    b.output(y)
    return b.build(), xq[:, 0]
