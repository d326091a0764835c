"""UNIDIRECTIONAL_SEQUENCE_LSTM: int8 or int16 activations, int8 weights, int16 cell state.

Every number TFLite Micro's Prepare derives (PrepareGateParametersInteger,
CreateLstmCellStateInfo) is computed here once, from the tensor scales:

- each gate's input and recurrent products are requantized to Q3.12 (scale 2^-12) with
  input_scale * weights_scale / 2^-12 and hidden_scale * weights_scale / 2^-12 (in double);
- gate outputs are Q0.15 (2^-15): forget x cell -> cell scale, input x cell gate -> cell
  scale, output x tanh(cell) -> hidden scale (in double, as CreateInterGateMulParams);
- the cell state's tanh reads it as Q3.12 after a shift by 12 + log2(cell scale), rounded
  to an integer as TFLM's CheckedLog2 does;
- cell_clip / cell scale, truncated to int16.

The input and hidden zero points are folded into the biases (TFLM's recurrent products have
no bias: theirs is only the fold), exact in the accumulator's type: int32 (wrapping as
TFLM's does) for int8 activations, int64 for int16 ones.
"""

from __future__ import annotations

import numpy as np

from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, LayerCode
from edgeai_tool.codegen.layers.fully_connected import folded_bias
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.lstm import (
    CELL_STATE,
    HIDDEN_STATE,
    cell_tanh_scaling,
    lstm_macc,
    lstm_shape,
    lstm_tensors,
)
from edgeai_tool.quant import fc_per_tensor_multiplier, quantize_multiplier
from edgeai_tool.runtime.buffer_sizes import buffer_size

GATE_INPUT_SCALE = 2.0 ** -12  # Q3.12: what the gates' sigmoid and tanh read
GATE_OUTPUT_SCALE = 2.0 ** -15  # Q0.15: what they return


def gate_requantization(source: Tensor, weights: tuple[Tensor, ...]) -> tuple[list[int], list[int]]:
    """(multipliers, shifts) of the four gates' products of `source` into Q3.12."""
    pairs = [quantize_multiplier(fc_per_tensor_multiplier(source.scale, w.scale,
                                                          GATE_INPUT_SCALE)) for w in weights]
    return [m for m, _ in pairs], [s for _, s in pairs]


def product_requantization(scale_a: float, scale_b: float, scale_out: float) -> tuple[int, int]:
    """CreateInterGateMulParams: (multiplier, shift) of a product of two int16 values."""
    return quantize_multiplier(float(scale_a) * float(scale_b) / float(scale_out))


def quantized_cell_clip(cell_clip: float, cell_scale: float) -> int:
    """-1 for no clipping (TFLM clips only when cell_clip > 0), else TFLM's int16 clip
    (truncated toward zero)."""
    if not cell_clip > 0:
        return -1
    return int(min(max(float(np.float32(cell_clip)) / float(cell_scale), -32768.0), 32767.0))


def _folded_bias_s64(x: Tensor, w: Tensor, bias: Tensor | None) -> np.ndarray:
    """bias - zp_in * rowsum(weights) in int64 (the 16x8 accumulator)."""
    values = -int(x.zero_point) * np.asarray(w.data, dtype=np.int64).sum(axis=1)
    return values if bias is None else values + np.asarray(bias.data, dtype=np.int64)


# activation type -> (kernel, C type, bias C type, bias fold)
_VARIANTS = {
    "int8": ("edgeai_lstm_unidirectional_s8", "int8_t", "int32_t", folded_bias),
    "int16": ("edgeai_lstm_unidirectional_s16", "int16_t", "int64_t", _folded_bias_s64),
}


def _stacked(tensors: tuple[Tensor, ...], dtype: type) -> np.ndarray:
    return np.stack([np.asarray(t.data, dtype=dtype) for t in tensors])


def lower_lstm(graph: Graph, op: Op) -> LayerCode:
    """UNIDIRECTIONAL_SEQUENCE_LSTM -> edgeai_lstm_unidirectional_s8 or _s16."""
    t = lstm_tensors(graph, op)
    shape = lstm_shape(graph, op)
    input_multipliers, input_shifts = gate_requantization(t.x, t.input_weights)
    recurrent_multipliers, recurrent_shifts = gate_requantization(t.hidden, t.recurrent_weights)
    forget = product_requantization(GATE_OUTPUT_SCALE, t.cell.scale, t.cell.scale)
    update = product_requantization(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, t.cell.scale)
    hidden = product_requantization(GATE_OUTPUT_SCALE, GATE_OUTPUT_SCALE, t.hidden.scale)
    tanh_multiplier, tanh_shift = cell_tanh_scaling(t.cell.scale)
    kernel, ctype, bias_ctype, fold = _VARIANTS[t.x.dtype]
    input_bias = np.stack([fold(t.x, w, b) for w, b in zip(t.input_weights, t.biases,
                                                           strict=True)])
    recurrent_bias = np.stack([fold(t.hidden, w, None) for w in t.recurrent_weights])
    return LayerCode(
        kernel=kernel,
        header="edgeai_lstm.h",
        params_type="edgeai_lstm_params",
        params={"batches": shape.batches, "time_steps": shape.time_steps,
                "input_size": shape.input_size, "state_size": shape.state_size,
                "time_major": int(shape.time_major)},
        data_type="edgeai_lstm_data",
        data={"input_weights": ArrayRef("input_weights"),
              "recurrent_weights": ArrayRef("recurrent_weights"),
              "input_bias": ArrayRef("input_bias"), "recurrent_bias": ArrayRef("recurrent_bias"),
              "input_multiplier": tuple(input_multipliers), "input_shift": tuple(input_shifts),
              "recurrent_multiplier": tuple(recurrent_multipliers),
              "recurrent_shift": tuple(recurrent_shifts),
              "forget_multiplier": forget[0], "forget_shift": forget[1],
              "update_multiplier": update[0], "update_shift": update[1],
              "hidden_multiplier": hidden[0], "hidden_shift": hidden[1],
              "hidden_offset": t.hidden.zero_point,
              "cell_clip": quantized_cell_clip(op.options.get("cell_clip", 0.0), t.cell.scale),
              "cell_tanh_multiplier": tanh_multiplier, "cell_tanh_shift": tanh_shift},
        args=[Buffer("input", op.inputs[0], ctype=ctype),
              Buffer("state", op.inputs[HIDDEN_STATE], ctype=ctype),
              Buffer("state", op.inputs[CELL_STATE], ctype="int16_t"),
              Buffer("output", op.outputs[0], ctype=ctype)],
        arrays=[
            CArray("input_weights", "int8_t", _stacked(t.input_weights, np.int8)),
            CArray("recurrent_weights", "int8_t", _stacked(t.recurrent_weights, np.int8)),
            CArray("input_bias", bias_ctype, input_bias, kind="bias"),
            CArray("recurrent_bias", bias_ctype, recurrent_bias, kind="bias"),
        ],
        scratch_bytes=buffer_size(f"{kernel.upper()}_BUFFER_SIZE"),
        macc=lstm_macc(graph, op),
        c_type="LSTM",
    )


LOWERINGS = {"UNIDIRECTIONAL_SEQUENCE_LSTM": lower_lstm}
