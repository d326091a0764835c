"""UNIDIRECTIONAL_SEQUENCE_LSTM, integer: what it accepts and what it costs.

TFLite Micro's kernel (unidirectional_sequence_lstm.cc, lstm_eval.h) runs the standard LSTM
only: its Prepare refuses CIFG (no input gate), peephole, projection and layer-norm
tensors, so those variants are refused here, each by name. Its quantized paths take int8
weights, an int16 cell state and int8 activations with int32 biases, or int16 activations
with int64 biases (16x8); the hidden state (input 18) and the cell state (input 19) are
variable tensors kept between runs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.ops.base import OpSupport

CONSTRAINTS = (
    "int8 input, output and hidden state with int32 biases, or int16 ones with int64 biases "
    "(16x8); int16 cell state; both states variable tensors; constant int8 weights per "
    "tensor with zero point 0 for all four gates; no CIFG, peephole, projection or layer "
    "norm (as TFLite Micro); cell gate TANH; any cell_clip; time-major or batch-major, any "
    "batch and number of steps"
)

INPUT_COUNT = 24
# TFLite's input indices (lstm_shared.h)
X = 0
INPUT_WEIGHTS = (1, 2, 3, 4)  # input, forget, cell, output gates
RECURRENT_WEIGHTS = (5, 6, 7, 8)
PEEPHOLE_WEIGHTS = (9, 10, 11)
BIASES = (12, 13, 14, 15)
PROJECTION = (16, 17)
HIDDEN_STATE = 18
CELL_STATE = 19
LAYER_NORM = (20, 21, 22, 23)

_TANH_INPUT_MULTIPLIER = 3  # TFLM's int16 tanh scales its Q3.12 input by 3
_INT32_MAX = (1 << 31) - 1


@dataclass(frozen=True)
class LstmTensors:
    x: Tensor
    input_weights: tuple[Tensor, ...]
    recurrent_weights: tuple[Tensor, ...]
    biases: tuple[Tensor, ...]
    hidden: Tensor
    cell: Tensor
    y: Tensor

    @property
    def state_size(self) -> int:
        return self.input_weights[0].shape[0]


@dataclass(frozen=True)
class LstmShape:
    batches: int
    time_steps: int
    input_size: int
    state_size: int
    time_major: bool


def lstm_tensors(graph: Graph, op: Op) -> LstmTensors:
    """The op's tensors by role (only valid for an op `check_lstm` accepts)."""
    def get(indices: tuple[int, ...]) -> tuple[Tensor, ...]:
        return tuple(graph.tensor(op.inputs[i]) for i in indices)

    return LstmTensors(
        x=graph.tensor(op.inputs[X]), input_weights=get(INPUT_WEIGHTS),
        recurrent_weights=get(RECURRENT_WEIGHTS), biases=get(BIASES),
        hidden=graph.tensor(op.inputs[HIDDEN_STATE]), cell=graph.tensor(op.inputs[CELL_STATE]),
        y=graph.tensor(op.outputs[0]))


def lstm_shape(graph: Graph, op: Op) -> LstmShape:
    """Batches, steps and sizes as TFLM's CreateLstmSizeInfo reads them from the input."""
    tensors = lstm_tensors(graph, op)
    time_major = bool(op.options.get("time_major", False))
    first, second, input_size = tensors.x.shape
    return LstmShape(batches=second if time_major else first,
                     time_steps=first if time_major else second,
                     input_size=input_size, state_size=tensors.state_size,
                     time_major=time_major)


def check_lstm(graph: Graph, op: Op) -> str | None:
    """None when the op is supported, else the reason."""
    if len(op.inputs) != INPUT_COUNT or len(op.outputs) != 1:
        return f"{len(op.inputs)} inputs and {len(op.outputs)} outputs " \
               f"({INPUT_COUNT} and 1 expected)"
    return (_check_variant(op) or _check_options(op) or _check_types(graph, op)
            or _check_shapes(graph, op))


def _present(op: Op, indices: tuple[int, ...]) -> bool:
    return any(op.inputs[i] >= 0 for i in indices)


def _check_variant(op: Op) -> str | None:
    absent = [i for i in (X, *INPUT_WEIGHTS, *RECURRENT_WEIGHTS, *BIASES, HIDDEN_STATE,
                          CELL_STATE) if op.inputs[i] < 0]
    if any(i in absent for i in (INPUT_WEIGHTS[0], RECURRENT_WEIGHTS[0], BIASES[0])):
        return "CIFG (no input gate: inputs 1, 5 and 12 absent) is not supported " \
               "(TFLite Micro's kernel requires the input gate)"
    if absent:
        return f"required input {absent[0]} is absent"
    for indices, variant in ((PEEPHOLE_WEIGHTS, "peephole (cell-to-gate weights, inputs 9-11)"),
                             (PROJECTION, "projection (inputs 16-17)"),
                             (LAYER_NORM, "layer normalization (inputs 20-23)")):
        if _present(op, indices):
            return f"{variant} is not supported (TFLite Micro's kernel refuses it)"
    return None


def _check_options(op: Op) -> str | None:
    activation = op.options.get("fused_activation_function", "NONE")
    if activation != "TANH":
        # a file cannot ask for sigmoid (the schema has no such fused activation)
        return f"cell gate activation {activation} is not supported (TANH only, the one " \
               "TFLite Micro's kernel computes)"
    return None


# activation type -> bias type: TFLM's two integer LSTMs, 8x8->16 and 16x8->16
BIAS_TYPES = {"int8": "int32", "int16": "int64"}


def _check_types(graph: Graph, op: Op) -> str | None:
    t = lstm_tensors(graph, op)
    activations = t.x.dtype
    if activations not in BIAS_TYPES:
        return f"input type {activations} is not supported (int8, or int16 for 16x8)"
    for role, tensor, dtype in (("input", t.x, activations), ("output", t.y, activations),
                                ("hidden state (input 18)", t.hidden, activations),
                                ("cell state (input 19)", t.cell, "int16")):
        if tensor.dtype != dtype:
            return f"{role} type {tensor.dtype} is not supported ({dtype} with {activations} " \
                   "input)"
        if tensor.quant is None or tensor.quant.per_channel:
            return f"{role} must be quantized per tensor"
    for role, tensor in (("hidden state (input 18)", t.hidden), ("cell state (input 19)", t.cell)):
        if not tensor.is_variable:
            return f"{role} is not a variable tensor"
    if t.cell.zero_point != 0:
        return f"cell state zero point {t.cell.zero_point} is not supported (0 only)"
    if not t.cell.scale > 0 or cell_tanh_scaling(t.cell.scale)[0] << 15 > _INT32_MAX:
        return f"cell state scale {t.cell.scale:g} is not supported (positive, at most " \
               "about 4: above, TFLite Micro's tanh of the cell state overflows int32)"
    for index, tensor in zip((*INPUT_WEIGHTS, *RECURRENT_WEIGHTS),
                             (*t.input_weights, *t.recurrent_weights), strict=True):
        reason = _check_weights(index, tensor)
        if reason:
            return reason
    for index, tensor in zip(BIASES, t.biases, strict=True):
        if tensor.dtype != BIAS_TYPES[activations] or not tensor.is_constant:
            return f"bias (input {index}) must be a constant {BIAS_TYPES[activations]} tensor " \
                   f"with {activations} input (got {tensor.dtype})"
    return None


def _check_weights(index: int, tensor: Tensor) -> str | None:
    if tensor.dtype != "int8" or not tensor.is_constant:
        return f"weights (input {index}) must be a constant int8 tensor (got {tensor.dtype})"
    if tensor.quant is None or tensor.quant.per_channel:
        return f"weights (input {index}) must be quantized per tensor (TFLite Micro's LSTM " \
               "reads one scale)"
    if tensor.zero_point != 0:
        return f"weights (input {index}) zero point {tensor.zero_point} is not supported " \
               "(symmetric, 0 only)"
    return None


def _check_shapes(graph: Graph, op: Op) -> str | None:
    t = lstm_tensors(graph, op)
    if len(t.x.shape) != 3:
        return f"input of rank {len(t.x.shape)} is not supported (rank 3 only)"
    shape = lstm_shape(graph, op)
    state, inputs = shape.state_size, shape.input_size
    for index, tensor, expected in (
            *((i, w, (state, inputs)) for i, w in zip(INPUT_WEIGHTS, t.input_weights,
                                                      strict=True)),
            *((i, w, (state, state)) for i, w in zip(RECURRENT_WEIGHTS, t.recurrent_weights,
                                                     strict=True)),
            *((i, b, (state,)) for i, b in zip(BIASES, t.biases, strict=True))):
        if tensor.shape != expected:
            return f"input {index} has shape {list(tensor.shape)} ({list(expected)} expected)"
    for role, tensor in (("hidden state", t.hidden), ("cell state", t.cell)):
        if tensor.size != shape.batches * state:
            return f"{role} of {tensor.size} values for {shape.batches} batches of {state}"
    if t.y.shape != (*t.x.shape[:2], state):
        return f"output shape {list(t.y.shape)} does not match input {list(t.x.shape)} and " \
               f"{state} cells"
    return None


def checked_log2(value: float) -> int:
    """TFLM's CheckedLog2 result: log2 in float32, rounded half away from zero."""
    log2 = np.log(np.float32(value)) * (np.float32(1.0) / np.log(np.float32(2.0)))
    return int(np.copysign(np.floor(np.abs(log2) + np.float32(0.5)), log2))


def cell_tanh_scaling(cell_scale: float) -> tuple[int, int]:
    """(multiplier, right shift) bringing the cell state to tanh's Q3.12 input (times 3),
    as TFLM's lstm_internal::Tanh derives them from the cell scale's power of two."""
    left_shift = 15 + checked_log2(cell_scale) - 3
    if left_shift >= 0:
        return _TANH_INPUT_MULTIPLIER << left_shift, 0
    return _TANH_INPUT_MULTIPLIER, -left_shift


def lstm_macc(graph: Graph, op: Op) -> int:
    """Per step and batch: four gates of input and recurrent products, plus the element-wise
    cell and hidden updates (three products, one sum, one tanh per cell)."""
    shape = lstm_shape(graph, op)
    per_step = 4 * shape.state_size * (shape.input_size + shape.state_size) \
        + 5 * shape.state_size
    return shape.batches * shape.time_steps * per_step


SUPPORT = [OpSupport("UNIDIRECTIONAL_SEQUENCE_LSTM", CONSTRAINTS, check_lstm, lstm_macc)]
