"""examples/st-legacy: an application written the way ST documents its legacy API builds
unchanged against `edgeai generate` + `edgeai runtime` and is bit-exact with the native
API and TFLite Micro, with its I/O inside the activations or in its own buffers."""

from pathlib import Path

import numpy as np
import pytest
from support.legacy_app import (
    MODEL,
    build_host,
    build_qemu,
    example_sources,
    generate,
    hex_lines,
    missing_cross_tools,
    run,
    run_qemu,
    write_samples,
)

from edgeai_tool.compiler import Options, compile_model
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.reference import run_reference

DIGITS = np.load(MODEL.parent / "digits_test.npz")["inputs"]


def _float_digits(count: int) -> np.ndarray:
    """Test digits as the float data an application has before quantizing."""
    compilation = compile_model(MODEL, Options(c_api="edgeai"))
    io = compilation.network.inputs[0]
    q = DIGITS[:count].astype(np.float32)
    return (np.float32(io.scale) * (q - np.float32(io.zero_point))).astype(np.float32)


# (generate options, app defines): I/O in the activations, the app's own buffers over the
# same generated code, and a model generated without I/O in the activations.
CASES = {
    "io-in-activations": ((), ()),
    "own-buffers": ((), ("-DAPP_OWN_BUFFERS",)),
    "no-io-allocation": (("--no-inputs-allocation", "--no-outputs-allocation"), ()),
}


@pytest.mark.parametrize("case", CASES)
def test_example_is_bit_exact_with_the_native_api_and_tflite_micro(case, tmp_path):
    options, defines = CASES[case]
    generated, runtime = generate(tmp_path, *options)
    samples = _float_digits(24)
    write_samples(tmp_path / "app", samples)
    app = build_host(example_sources(generated, runtime), [tmp_path / "app", generated, runtime],
                     tmp_path / "app.exe", defines)
    output = run([str(app)])
    assert output.splitlines()[0].startswith("model: network, ")
    assert output.rstrip().endswith("done")
    inputs = hex_lines(output, "in", np.int8)
    outputs = hex_lines(output, "out", np.int8)
    assert len(outputs) == len(samples)
    # Quantizing with the scale and zero point from the buffer's meta info gives the digits back.
    assert np.array_equal(inputs, DIGITS[: len(samples)].reshape(len(samples), -1))

    images = inputs.reshape(-1, 28, 28, 1)
    allocation = Options(allocate_inputs=not options, allocate_outputs=not options)
    with HostNetwork(compile_model(MODEL, allocation), sanitize=False) as native:
        (native_outputs,) = native.run([images])
    (reference,) = run_reference(MODEL, [images], 1)
    assert np.array_equal(outputs, native_outputs.reshape(outputs.shape))
    assert np.array_equal(outputs, reference.reshape(outputs.shape))


def test_example_runs_bit_exact_in_qemu(tmp_path):
    missing = missing_cross_tools()
    if missing:
        pytest.skip(f"needs {' and '.join(missing)}")
    generated, runtime = generate(tmp_path, "--target", "qemu-m7", "--c-api", "legacy")
    write_samples(tmp_path / "app", _float_digits(4))
    includes = [tmp_path / "app", generated, runtime]
    sources = example_sources(generated, runtime)
    host = run([str(build_host(sources, includes, tmp_path / "app.exe"))])
    qemu = run_qemu(build_qemu(sources, includes, tmp_path / "app.elf"))
    assert qemu.rstrip().endswith("done")
    assert hex_lines(qemu, "out", np.int8).tolist() == hex_lines(host, "out", np.int8).tolist()


@pytest.mark.parametrize("case", ["io-in-activations", "no-io-allocation"])
def test_cubemx_template_structure_builds_strict_and_runs(case, tmp_path):
    generated, runtime = generate(tmp_path, *CASES[case][0])
    sources = [Path(__file__).with_name("template_style.c"), *sorted(generated.glob("*.c")),
               *sorted(runtime.glob("*.c"))]
    output = run([str(build_host(sources, [generated, runtime], tmp_path / "template"))])
    assert output.startswith("network (quantized_model): 359992 MACC, 5 node(s), tool 0.1.0, "
                             "weights 41544 B, activations ")
    assert "input 28x28x1\ntop score " in output
