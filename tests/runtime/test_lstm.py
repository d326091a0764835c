"""UNIDIRECTIONAL_SEQUENCE_LSTM, integer (int8, and 16x8), against TFLite Micro over sequences
of calls.

Random builder LSTMs of several sizes and layouts each run 30 calls, whose state carries
over, on the generated C under ASan/UBSan and on one tflite-micro interpreter invoked in the
same order; then both are reset and the same 30 calls must give the same outputs again (and
the outputs must depend on the earlier calls).
Outputs are checked to spread over the int8 range, so that an off-by-one anywhere in the
gates shows instead of hiding in saturation."""

import shutil

import numpy as np
import pytest
from support.bitexact import compile_bytes
from support.lstm_models import LstmSpec, build_lstm_model
from support.models import KERAS_LSTM
from support.reference import make_interpreter
from support.sequences import assert_sequence_bit_exact
from support.surgery import with_output_tensor

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.options import Options
from edgeai_tool.validate.qemu import QemuNetwork
from edgeai_tool.validate.reference import run_reference

CALLS = 30

SPECS = {
    "small": LstmSpec(),
    "one-cell-one-step": LstmSpec(input_size=1, state_size=1, time_steps=1, seed=1),
    "wide": LstmSpec(input_size=17, state_size=24, time_steps=3, seed=2),
    "time-major": LstmSpec(time_major=True, time_steps=5, seed=3),
    "batch-major-3-batches": LstmSpec(batches=3, seed=4),
    "time-major-2-batches": LstmSpec(time_major=True, batches=2, seed=5),
    "cell-clip": LstmSpec(cell_clip=0.6, seed=6),
    "fine-cell-scale": LstmSpec(cell_scale_log2=-15, hidden_zero_point=-20, seed=7),
    "coarse-cell-scale": LstmSpec(cell_scale_log2=-7, seed=8),
    "saturating-gates": LstmSpec(weight_range=4.0, state_size=7, seed=9),
    "16x8": LstmSpec(activations=np.int16, seed=10),
    "16x8-time-major-2-batches": LstmSpec(activations=np.int16, time_major=True, batches=2,
                                          seed=11),
    "16x8-cell-clip": LstmSpec(activations=np.int16, input_size=9, state_size=11,
                               cell_clip=0.5, seed=12),
}


def _sequence(model: bytes, seed: int) -> list[np.ndarray]:
    """CALLS uniform random samples of the model's (int8 or int16) input."""
    graph = import_model(model)
    x = graph.tensor(graph.inputs[0])
    limits = np.iinfo(x.dtype)
    rng = np.random.default_rng(seed)
    return [rng.integers(limits.min, limits.max, size=(CALLS, *x.shape[1:]), endpoint=True,
                         dtype=x.dtype)]


def _assert_spread(outputs: np.ndarray) -> None:
    values = outputs.reshape(-1)
    limits = np.iinfo(values.dtype)
    assert len(np.unique(values)) >= min(40, values.size // 4), "outputs barely vary"
    assert np.mean((values == limits.min) | (values == limits.max)) < 0.05, "outputs saturate"


@pytest.mark.parametrize("name", SPECS)
def test_lstm_sequence_is_bit_exact_and_reset_repeats_it(name, tmp_path):
    model = build_lstm_model(SPECS[name])
    outputs = assert_sequence_bit_exact(model, _sequence(model, seed=11), tmp_path)
    _assert_spread(outputs[0])


@pytest.mark.parametrize(("variant", "message"), [
    ("cifg", r"CIFG \(no input gate"),
    ("peephole", r"peephole \(cell-to-gate weights"),
    ("projection", r"projection \(inputs 16-17\)"),
    ("layer_norm", r"layer normalization \(inputs 20-23\)"),
])
def test_variants_tflite_micro_refuses_are_refused_by_name(variant, message, tmp_path):
    model = build_lstm_model(LstmSpec(variant=variant))
    with pytest.raises(RuntimeError):  # TFLM's Prepare refuses them too
        make_interpreter(model)
    with pytest.raises(EdgeAIError, match=rf"op 0 \(UNIDIRECTIONAL_SEQUENCE_LSTM\): {message}"):
        compile_bytes(model, tmp_path)


@pytest.mark.skipif(not (shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")),
                    reason="needs arm-none-eabi-gcc and qemu-system-arm")
def test_lstm_sequence_on_cortex_m7_in_qemu(tmp_path):
    """30 calls in one QEMU run (the state carries over), equal to TFLM's sequence."""
    model = build_lstm_model(SPECS["wide"])
    compilation = compile_bytes(model, tmp_path, Options(target="qemu-m7"))
    inputs = _sequence(model, seed=13)
    with QemuNetwork(compilation) as target:
        on_target = target.run(inputs)
    reference = run_reference(compilation.model_path, inputs)
    np.testing.assert_array_equal(on_target[0].reshape(reference[0].shape), reference[0])
    _assert_spread(reference[0])


@pytest.mark.parametrize("name", ["lstm_stacked_int8", "lstm_seq20_int8"])
def test_converter_made_keras_lstm_sequence_is_bit_exact(name, tmp_path):
    """What TFLiteConverter emits (models/keras_lstm): checked at the last LSTM's own
    output, which does not saturate, and at the model's output."""
    model = (KERAS_LSTM / f"{name}.tflite").read_bytes()
    graph = import_model(model)
    last_lstm = [op for op in graph.ops if op.kind == "UNIDIRECTIONAL_SEQUENCE_LSTM"][-1]
    inputs = _sequence(model, seed=14)
    (tmp_path / "lstm").mkdir()
    states = assert_sequence_bit_exact(with_output_tensor(model, last_lstm.outputs[0]), inputs,
                                       tmp_path / "lstm")
    _assert_spread(states[0])
    assert_sequence_bit_exact(model, inputs, tmp_path)


def test_report_shows_the_lstm_as_one_layer(tmp_path):
    """The cell gate's TANH is inside the op: no separate nonlinearity in the report."""
    compilation = compile_bytes((KERAS_LSTM / "lstm_stacked_int8.tflite").read_bytes(), tmp_path)
    layer = "(UnidirectionalSequenceLstm, UNIDIRECTIONAL_SEQUENCE_LSTM)"
    assert compilation.report.count(layer) == 2
    assert "Nonlinearity" not in compilation.report
    assert "state (rw)         :   48 B" in compilation.report
