"""Random integer UNIDIRECTIONAL_SEQUENCE_LSTM models, built without TensorFlow.

Quantized as TFLite's converter does for the integer LSTM: int8 input, output and hidden
state (asymmetric), int16 cell state with a power-of-two scale, int8 symmetric per-tensor
weights, int32 biases at input_scale * weights_scale. The model's input and output keep
batch 1 ([1, T, I] -> [1, T, S]); a time-major LSTM, or one with several batches inside,
is wrapped in RESHAPEs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .tflite_builder import ModelBuilder, TensorRef, bias_for, quantize_weights

GATES = ("input", "forget", "cell", "output")
# Optional inputs that select an LSTM variant (TFLite's indices)
VARIANT_INPUTS = {"peephole": (9, 10, 11), "projection": (16, 17),
                  "layer_norm": (20, 21, 22, 23)}


@dataclass(frozen=True)
class LstmSpec:
    input_size: int = 3
    state_size: int = 5
    time_steps: int = 4
    batches: int = 1
    time_major: bool = False
    cell_gate: str = "TANH"
    cell_clip: float = 0.0
    cell_scale_log2: int = -11
    hidden_zero_point: int = 3
    weight_range: float = 1.6  # weights uniform in +-weight_range / sqrt(inputs + cells)
    seed: int = 0
    variant: str = ""  # "", "cifg" or a VARIANT_INPUTS key: the refused variants
    activations: type = np.int8  # np.int16: TFLM's 16x8 LSTM (int64 biases)


def build_lstm_model(spec: LstmSpec) -> bytes:
    """A model running one LSTM over the whole input sequence."""
    rng = np.random.default_rng(spec.seed)
    b = ModelBuilder("edgeai LSTM test model")
    n_in, n_state = spec.input_size, spec.state_size
    outer = (spec.time_steps, spec.batches) if spec.time_major else (spec.batches,
                                                                     spec.time_steps)
    act = {"dtype": spec.activations}
    # inputs in about [-2.5, 2.5]; int16 ones symmetric, as the converter makes them
    x_quant = {"scale": 0.02, "zero_point": -5} if spec.activations == np.int8 else {
        "scale": 2.5 / 32768, "zero_point": 0}
    if outer[0] == 1:
        x = b.input("x", (*outer, n_in), **x_quant, **act)
    else:
        x = _reshape(b, b.input("x", (1, *outer, n_in), **x_quant, **act), (*outer, n_in))
    weight_range = spec.weight_range / np.sqrt(n_in + n_state)
    inputs: list[TensorRef | None] = [x]
    inputs += [_weights(b, f"{g}_input_weights", rng, (n_state, n_in), weight_range)
               for g in GATES]
    inputs += [_weights(b, f"{g}_recurrent_weights", rng, (n_state, n_state), weight_range)
               for g in GATES]
    inputs += [None, None, None]  # peephole
    hidden_scale = 1.0 / 128 if spec.activations == np.int8 else 1.0 / 32768
    hidden_zero_point = spec.hidden_zero_point if spec.activations == np.int8 else 0
    biases = []
    for gate, w in zip(GATES, inputs[1:5], strict=True):
        offset = 1.0 if gate == "forget" else 0.0
        values, scales = bias_for(rng.uniform(-0.5, 0.5, n_state) + offset, x.scale, w.scale)
        bias_type = np.int32 if spec.activations == np.int8 else np.int64
        biases.append(b.const(f"{gate}_bias", values.astype(bias_type), scale=float(scales[0])))
    inputs += biases
    inputs += [None, None]  # projection
    hidden = b.variable("output_state", (outer[1] if spec.time_major else outer[0], n_state),
                        scale=hidden_scale, zero_point=hidden_zero_point, **act)
    cell = b.variable("cell_state", hidden.shape, scale=2.0 ** spec.cell_scale_log2,
                      zero_point=0, dtype=np.int16)
    inputs += [hidden, cell, None, None, None, None]
    _add_variant(b, spec.variant, inputs, rng, n_state)
    y = b.tensor("y", (*outer, n_state), scale=hidden_scale, zero_point=hidden_zero_point,
                 **act)
    b.op("UNIDIRECTIONAL_SEQUENCE_LSTM", inputs, [y], fused_activation_function=spec.cell_gate,
         cell_clip=spec.cell_clip, proj_clip=0.0, time_major=spec.time_major,
         asymmetric_quantize_inputs=False)
    if y.shape[0] != 1:
        y = _reshape(b, y, (1, *y.shape))
    b.output(y)
    return b.build()


def _weights(b: ModelBuilder, name: str, rng: np.random.Generator, shape: tuple[int, ...],
             limit: float) -> TensorRef:
    values, scales = quantize_weights(rng.uniform(-limit, limit, shape), per_channel=False)
    return b.const(name, values, scale=float(scales[0]), zero_point=0)


def _reshape(b: ModelBuilder, x: TensorRef, shape: tuple[int, ...]) -> TensorRef:
    y = b.tensor(f"{x.name}_reshaped", shape, scale=x.scale, zero_point=x.zero_point,
                 dtype=x.dtype)
    b.op("RESHAPE", [x, b.const(f"{x.name}_shape", list(shape))], [y], new_shape=list(shape))
    return y


def _add_variant(b: ModelBuilder, variant: str, inputs: list[TensorRef | None],
                 rng: np.random.Generator, n_state: int) -> None:
    """Turn the standard LSTM into one of the variants TFLite Micro refuses."""
    if variant == "cifg":
        inputs[1] = inputs[5] = inputs[12] = None
        return
    for index in VARIANT_INPUTS.get(variant, ()):
        if index == 16:
            values, scales = quantize_weights(rng.uniform(-1, 1, (n_state, n_state)),
                                              per_channel=False)
            inputs[index] = b.const("projection_weights", values, scale=float(scales[0]))
        elif index == 17:
            inputs[index] = b.const("projection_bias", np.zeros(n_state, np.int32), scale=1e-4)
        else:
            inputs[index] = b.const(f"variant_{index}", rng.integers(-100, 100, n_state,
                                                                      dtype=np.int16),
                                    scale=1e-3)
