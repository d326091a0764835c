"""The demo model end to end: generated C against TFLite Micro on 1,360 inputs."""

import subprocess
import sys
from pathlib import Path

import numpy as np

from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options
from edgeai_tool.validate.command import load_inputs
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.reference import run_reference

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "quantized_model.tflite"
DIGITS = REPO / "models" / "digits_test.npz"


def test_validate_command_reports_every_output_bit_exact():
    result = subprocess.run(
        [sys.executable, "-m", "edgeai_tool", "validate", "-m", str(MODEL), "--mode", "host",
         "-vi", str(DIGITS), "--random", "1000"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1360 samples" in result.stdout
    assert "13600/13600 output values identical to TFLite Micro: bit-exact" in result.stdout
    accuracy = float(result.stdout.split("out_1")[1].split("%")[0])
    assert accuracy > 95.0  # the digits test set's labels, as models/README.md states


def test_demo_model_is_bit_exact_under_sanitizers():
    compilation = compile_model(MODEL, Options(memory_pool=str(REPO / "models" /
                                                               "mempools-board.json")))
    inputs, _ = load_inputs(compilation, str(DIGITS), None, 1000, seed=7)
    with HostNetwork(compilation, sanitize=True) as network:
        outputs = network.run(inputs)
    reference = run_reference(MODEL, inputs)
    np.testing.assert_array_equal(outputs[0].reshape(reference[0].shape), reference[0])
    # outputs do not saturate: the softmax spreads over many values, so off-by-one errors
    # upstream would show
    assert len(np.unique(outputs[0])) > 100


def test_demo_model_meets_the_seed_figures():
    compilation = compile_model(MODEL, Options(memory_pool=str(REPO / "models" /
                                                               "mempools-board.json")))
    report = compilation.report
    assert "params #           :   37,610 items" in report
    # -O balanced stores the two convolutions' weights as int16 (edgeai_conv_pool_wide_s8:
    # 224 + 3,200 B more, within the .tflite file's 46,136 B)
    assert "weights (ro)       :   41,544 B" in report
    # ST: 38,096 B; -O ram keeps int8 weights, conv2d_0's eight 25-tap rows stored padded to
    # 28 (edgeai_conv.h)
    ram = compile_model(MODEL, Options(optimization="ram"))
    assert "weights (ro)       :   38,120 B" in ram.report
    c_macc = sum(layer.macc for layer in compilation.layers)
    assert c_macc == 359_992  # ST's c-model MACC, exactly
    # ST Edge AI needs 7,616 B for the same architecture, inputs and outputs included
    assert compilation.plan.activations_bytes <= 7_616
    assert not compilation.plan.external
