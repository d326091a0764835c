"""SVDF: sequences of 30 calls of the generated C (ASan/UBSan) against one tflite-micro
interpreter, for int8 and int16 state, several ranks and memory sizes; the state must carry
over (a network reset before every call gives other outputs)."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from support.bitexact import compile_bytes
from support.sequences import assert_sequence_bit_exact
from support.svdf_models import add_svdf, svdf_model
from support.tflite_builder import ModelBuilder, add_fully_connected

from edgeai_tool.options import Options
from edgeai_tool.quant import (
    conv_multiplier,
    f32,
    multiply_by_quantized_multiplier,
    quantize_multiplier,
)
from edgeai_tool.validate.qemu import QemuNetwork
from edgeai_tool.validate.reference import run_reference

CASES = {
    "int8-rank1": dict(state_type="int8", rank=1, memory=4),
    "int8-rank2-zp": dict(state_type="int8", rank=2, memory=6, state_zero_point=-3),
    "int16-rank1": dict(state_type="int16", rank=1, memory=8, units=6),
    "int16-rank3-wide": dict(state_type="int16", rank=3, memory=10, input_size=40, units=5),
    "int16-memory1": dict(state_type="int16", rank=2, memory=1),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_svdf_sequence_is_bit_exact(case, tmp_path):
    model, x = svdf_model(np.random.default_rng(sorted(CASES).index(case)), **CASES[case])
    # with a memory of one call, the state holds only the current call's features
    assert_sequence_bit_exact(model, [x], tmp_path, state_matters=CASES[case]["memory"] > 1)


def test_svdf_scales_are_computed_as_tflite_micro_does(tmp_path):
    """Feature accumulators whose requantized value depends on the last bits of the
    multiplier: float32 products of the scales (as TFLM's sources write) give other state
    values than the double products the interpreter uses. Every unit's bias subtracts the
    expected state value, so the output shows the state's last bit."""
    input_scale, feature_scale = 0.0371, 0.00913
    state_scale = f32(input_scale * feature_scale / 2.0137)
    exact = quantize_multiplier(conv_multiplier(input_scale, feature_scale, state_scale))
    float32 = quantize_multiplier(f32(f32(input_scale * feature_scale) / state_scale))
    accs = [acc for acc in range(-16000, 16000)
            if multiply_by_quantized_multiplier(acc, *exact)
            != multiply_by_quantized_multiplier(acc, *float32)][:8]
    assert len(accs) == 8
    # input (x0, x1) with weights (1, 127) accumulates x0 + 127 x1
    high = [int(np.clip(round(acc / 127), -128, 127)) for acc in accs]
    x = np.zeros((len(accs), 4), np.int8)
    x[:, 0] = [acc - 127 * h for acc, h in zip(accs, high, strict=True)]
    x[:, 1] = high
    weights = np.zeros((len(accs), 4), np.int8)
    weights[:, :2] = (1, 127)
    expected = [multiply_by_quantized_multiplier(acc, *exact) for acc in accs]
    b = ModelBuilder()
    inp = b.input("x", (1, 4), scale=input_scale, zero_point=0)
    feature = b.const("feature", weights, scale=feature_scale, zero_point=0)
    time = b.const("time", np.ones((len(accs), 1), np.int16), scale=1.0, zero_point=0)
    bias = b.const("bias", -np.array(expected, np.int32), scale=state_scale, zero_point=0)
    state = b.variable("state", (1, len(accs)), scale=state_scale, dtype=np.int16)
    y = b.tensor("y", (1, len(accs)), scale=state_scale, zero_point=0)
    b.op("SVDF", [inp, feature, time, bias, state], [y], rank=1)
    b.output(y)
    outputs = assert_sequence_bit_exact(b.build(), [x], tmp_path, state_matters=False)
    assert not np.diag(outputs[0]).any()


@pytest.mark.skipif(not (shutil.which("arm-none-eabi-gcc") and shutil.which("qemu-system-arm")),
                    reason="arm-none-eabi-gcc or qemu-system-arm missing")
def test_svdf_sequence_on_cortex_m7_in_qemu(tmp_path):
    """30 calls on a Cortex-M7 (QEMU mps2-an500) equal one tflite-micro interpreter's."""
    model, x = svdf_model(np.random.default_rng(11), state_type="int16", rank=2, memory=6,
                          input_size=20, units=5)
    compilation = compile_bytes(model, tmp_path, Options(target="qemu-m7"))
    with QemuNetwork(compilation) as target:
        on_target = target.run([x])
    reference = run_reference(compilation.model_path, [x])
    np.testing.assert_array_equal(on_target[0].reshape(reference[0].shape), reference[0])


def test_stacked_svdf_layers_keep_separate_state(tmp_path):
    """Two SVDF layers (int16 and int8 state) and a dense layer, as a small keyword-spotting
    model: each state has its own bytes in the state region; 30 calls, reset, 30 again."""
    rng = np.random.default_rng(21)
    b = ModelBuilder()
    x = b.input("x", (1, 16), scale=0.05, zero_point=2)
    first = add_svdf(b, x, rng, units=8, rank=2, memory=6, state_type="int16", name="svdf1")
    second = add_svdf(b, first, rng, units=6, rank=1, memory=4, state_type="int8",
                      state_zero_point=-2, name="svdf2")
    calibration = rng.integers(-128, 128, size=(16, 1, 6), dtype=np.int8)
    y, _ = add_fully_connected(b, second, calibration, rng, 3, name="dense")
    b.output(y)
    model = b.build()
    compilation = compile_bytes(model, tmp_path)
    sizes = compilation.plan.state_sizes
    assert sorted(sizes.values()) == [24, 192]
    assert compilation.plan.state_bytes == 24 + 192
    x_seq = rng.integers(-128, 128, size=(30, 16), dtype=np.int8)
    assert_sequence_bit_exact(model, [x_seq], tmp_path)
