"""The legacy API's contract: misuse is an `ai_error` with ST's type and code, never a
crash (tests/legacy/misuse.c, under ASan/UBSan); run() counts batches; the report and
the buffers say what ST's documentation says."""

from pathlib import Path

import numpy as np
import pytest
from support.legacy_app import MODEL, build_host, generate, run
from support.tflite_builder import ModelBuilder

from edgeai_tool.compiler import Options, compile_model

EXPECTED = {
    # create_and_init: AI_ERROR_INIT_FAILED (0x30) with the part at fault
    "null_activations": "30/13",  # AI_ERROR_CODE_NETWORK_ACTIVATIONS
    "misaligned_activations": "30/13",
    "foreign_weights": "30/12",  # AI_ERROR_CODE_NETWORK_WEIGHTS
    "unknown_handle": "10/10",  # AI_ERROR_INVALID_HANDLE, AI_ERROR_CODE_NETWORK
    "inputs_get_unknown_handle": "1",
    "inputs_described_without_network": "784",  # AI_NETWORK_IN, ST's deprecated macro
    "run_before_init_returns": "0",
    "run_before_init": "11/30",  # AI_ERROR_INVALID_STATE, AI_ERROR_CODE_MISSED_INIT
    "error_read_twice": "00/00",  # get_error resets the error, as ST documents
    "second_instance": "33/40",  # AI_ERROR_CREATE_FAILED, AI_ERROR_CODE_IN_USE
    "destroy_unknown_returns_it": "1",
    "destroy": "1",
    # run: 0 batches, AI_ERROR_INVALID_INPUT (0x12) / _OUTPUT (0x13) with what is wrong
    "input_size_returns": "0",
    "input_size": "12/18",  # AI_ERROR_CODE_INVALID_SIZE
    "input_format_returns": "0",
    "input_format": "12/19",  # AI_ERROR_CODE_INVALID_FORMAT
    "input_batch_returns": "0",
    "input_batch": "12/21",  # AI_ERROR_CODE_INVALID_BATCH
    "output_null_returns": "0",
    "output_null": "13/17",  # AI_ERROR_CODE_INVALID_PTR
    "output_size_returns": "0",
    "output_size": "13/18",
    "two_batches_returns": "2",
    "two_batches_match": "1",
    "forward_returns": "1",
    "forward_match": "1",
    "after_success": "00/00",
    "report": "1",
    "report_model": "network",
    "report_io": "1/1",
    "report_input_size": "784",
    "report_input_in_activations": "1",
    "report_input_shape": "1,28,28,1",
    "report_maps_addresses": "1",
    "init_with_params": "1",
}


@pytest.fixture(scope="module")
def misuse_output(tmp_path_factory) -> dict[str, str]:
    directory = tmp_path_factory.mktemp("misuse")
    generated, runtime = generate(directory)
    sources = [Path(__file__).with_name("misuse.c"), *sorted(generated.glob("*.c")),
               *sorted(runtime.glob("*.c"))]
    output = run([str(build_host(sources, [generated, runtime], directory / "misuse"))])
    return dict(line.split("=", 1) for line in output.splitlines())


@pytest.mark.parametrize("check", EXPECTED)
def test_legacy_api_behaves_as_documented(misuse_output, check):
    assert misuse_output[check] == EXPECTED[check]


def test_report_holds_the_model_figures(misuse_output):
    compilation = compile_model(MODEL, Options())
    io = compilation.network.inputs[0]
    assert int(misuse_output["report_macc"]) == sum(layer.macc for layer in compilation.layers)
    assert np.float32(float.fromhex(misuse_output["report_input_scale"])) == np.float32(io.scale)
    assert int(misuse_output["report_input_zero_point"]) == io.zero_point
    assert int(misuse_output["report_activations"]) == compilation.network.pools[0].size


def test_legacy_api_is_the_default_for_stm32_targets_only():
    stm32 = compile_model(MODEL, Options(target="stm32h7")).files["network.h"]
    host = compile_model(MODEL, Options(target="host")).files["network.h"]
    native = compile_model(MODEL, Options(c_api="edgeai")).files["network.h"]
    assert "ai_network_create_and_init" in stm32
    assert "ai_network_" not in host and "ai_network_" not in native
    assert '#include "ai_platform.h"' not in native


def _two_in_two_out() -> bytes:
    """a + b and a requantized: two inputs, two outputs of different sizes."""
    b = ModelBuilder()
    x = b.input("a", (1, 4, 4, 3), 0.05, 3)
    y = b.input("b", (1, 4, 4, 3), 0.04, -7)
    total = b.tensor("sum", (1, 4, 4, 3), 0.08, 1)
    b.op("ADD", [x, y], [total])
    flat = b.tensor("flat", (1, 48), 0.05, 3)
    b.op("RESHAPE", [x, b.const("shape", np.array([1, 48], np.int32))], [flat])
    again = b.tensor("again", (1, 48), 0.1, -2)
    b.op("QUANTIZE", [flat], [again])
    b.output(total, again)
    return b.build()


@pytest.mark.parametrize("model", ["demo", "two-in-two-out"])
def test_legacy_run_with_own_buffers_equals_the_native_api(model, tmp_path):
    path = MODEL
    if model != "demo":
        path = tmp_path / "model.tflite"
        path.write_bytes(_two_in_two_out())
    generated, runtime = generate(tmp_path, model=path)
    sources = [Path(__file__).with_name("legacy_vs_native.c"), *sorted(generated.glob("*.c")),
               *sorted(runtime.glob("*.c"))]
    output = run([str(build_host(sources, [generated, runtime], tmp_path / "check"))])
    expected_counts = "1/1" if model == "demo" else "2/2"
    assert output.split() == [f"counts={expected_counts}", "run=1", "match=1"]
