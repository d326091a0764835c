"""--input-data-type/--output-data-type float32: an int8 model generated with float edges
is bit-exact with TFLite Micro running the same model converted with QUANTIZE/DEQUANTIZE
edges, through the native API and through the legacy example application (which passes
float arrays, as ST's examples do)."""

import numpy as np
import pytest
from support.legacy_app import (
    build_host,
    example_sources,
    generate,
    hex_lines,
    run,
    write_samples,
)
from support.tflite_builder import ModelBuilder, add_conv2d, add_fully_connected

from edgeai_tool.compiler import Options, compile_model
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.validate.edges import reference_outputs
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.reference import run_reference

SHAPE = (1, 6, 6, 2)
IN_SCALE, IN_ZERO = 0.05, 3


def _model(float_edges: bool) -> bytes:
    """conv -> fully connected, int8 inside; with float edges, QUANTIZE in front and
    DEQUANTIZE behind (what a converter writes for float I/O). Same weights either way."""
    rng = np.random.default_rng(7)
    samples = rng.integers(-128, 128, size=(16, *SHAPE), dtype=np.int8)
    b = ModelBuilder()
    if float_edges:
        x_float = b.input("x", SHAPE, dtype=np.float32)
        x = b.tensor("x_int8", SHAPE, IN_SCALE, IN_ZERO)
        b.op("QUANTIZE", [x_float], [x])
    else:
        x = b.input("x", SHAPE, IN_SCALE, IN_ZERO)
    y, y_samples = add_conv2d(b, x, samples, rng, 4, padding="VALID", activation="RELU")
    flat = b.tensor("flat", (1, 64), y.scale, y.zero_point)
    b.op("RESHAPE", [y, b.const("shape", np.array([1, 64], np.int32))], [flat])
    z, _ = add_fully_connected(b, flat, y_samples.reshape(-1, 1, 64), rng, 5, name="fc")
    if float_edges:
        z_float = b.tensor("z", (1, 5), dtype=np.float32)
        b.op("DEQUANTIZE", [z], [z_float])
        b.output(z_float)
    else:
        b.output(z)
    return b.build()


def _float_inputs(count: int) -> np.ndarray:
    """Values across the input range and beyond it (saturating), plus exact halves of the
    scale where QUANTIZE's rounding decides."""
    rng = np.random.default_rng(3)
    values = rng.normal(scale=4.0, size=(count, *SHAPE[1:])).astype(np.float32)
    values[0] = np.float32(IN_SCALE) * (np.arange(72).reshape(SHAPE[1:]) - 36.5)
    values[1] = np.float32(1e6)
    return values


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    directory = tmp_path_factory.mktemp("float_io")
    int8, float_edges = directory / "int8.tflite", directory / "float_edges.tflite"
    int8.write_bytes(_model(False))
    float_edges.write_bytes(_model(True))
    return int8, float_edges


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.float32).view(np.uint32)


def test_native_api_with_float_edges_is_bit_exact_with_tflite_micro(models):
    int8, float_edges = models
    inputs = _float_inputs(64)
    options = Options(input_data_type="float32", output_data_type="float32")
    with HostNetwork(compile_model(int8, options), sanitize=True) as network:
        (outputs,) = network.run([inputs])
    (reference,) = run_reference(float_edges, [inputs], 1)
    assert np.array_equal(_bits(outputs).reshape(-1), _bits(reference).reshape(-1))


def test_legacy_example_passing_floats_is_bit_exact_with_tflite_micro(models, tmp_path):
    int8, float_edges = models
    inputs = _float_inputs(8)
    generated, runtime = generate(tmp_path, "--input-data-type", "float32",
                                  "--output-data-type", "float32", model=int8)
    write_samples(tmp_path / "app", inputs)
    app = build_host(example_sources(generated, runtime), [tmp_path / "app", generated, runtime],
                     tmp_path / "app.exe")
    output = run([str(app)])
    (reference,) = run_reference(float_edges, [inputs], 1)
    assert np.array_equal(hex_lines(output, "in", np.float32).view(np.uint32),
                          _bits(inputs).reshape(len(inputs), -1))
    assert np.array_equal(hex_lines(output, "out", np.float32).view(np.uint32),
                          _bits(reference).reshape(len(inputs), -1))


def test_one_edge_only_and_unsupported_types(models):
    int8, _ = models
    files = compile_model(int8, Options(input_data_type="float32")).files
    assert "#define AI_NETWORK_IN_1_FORMAT AI_BUFFER_FORMAT_FLOAT" in files["network.h"]
    assert "#define AI_NETWORK_OUT_1_FORMAT AI_BUFFER_FORMAT_S8" in files["network.h"]
    with pytest.raises(EdgeAIError, match="--output-data-type uint8: output 1 'fc/out' is int8"):
        compile_model(int8, Options(output_data_type="uint8"))


def test_validate_reference_for_float_edges_is_tflite_micro_on_the_float_edged_model(models):
    int8, float_edges = models
    inputs = _float_inputs(64)
    compilation = compile_model(int8, Options(input_data_type="float32",
                                              output_data_type="float32"))
    (ours,) = reference_outputs(compilation, [inputs])
    (theirs,) = run_reference(float_edges, [inputs], 1)
    assert np.array_equal(_bits(ours).reshape(-1), _bits(theirs).reshape(-1))
