"""The four MLPerf Tiny models, which nobody here wrote, end to end against TFLite Micro.

Each runs on 200 uniform random int8 inputs on the host. Softmax outputs saturate and
would hide an off-by-one in an earlier layer, so the classifiers are also checked with
their output moved to the logits feeding the softmax. A few inputs also run on a
Cortex-M7 in QEMU, where the DSP code paths execute."""


import numpy as np
import pytest
from support.bitexact import assert_bit_exact
from support.models import MLPERF
from support.surgery import with_output_tensor

from edgeai_tool.compiler import compile_model
from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.options import Options
from edgeai_tool.validate.host import HostNetwork
from edgeai_tool.validate.qemu import QemuNetwork
from edgeai_tool.validate.reference import run_reference

MODELS = ["kws_ref_model", "vww_96_int8", "pretrainedResnet_quant", "ad01_int8"]
CLASSIFIERS = MODELS[:3]


def _random_inputs(model: bytes, count: int, seed: int) -> list[np.ndarray]:
    graph = import_model(model)
    rng = np.random.default_rng(seed)
    return [rng.integers(-128, 128, size=(count, *graph.tensor(t).shape[1:]), dtype=np.int8)
            for t in graph.inputs]


@pytest.mark.parametrize("name", MODELS)
def test_model_is_bit_exact_on_200_inputs(name, tmp_path):
    model = (MLPERF / f"{name}.tflite").read_bytes()
    assert_bit_exact(model, _random_inputs(model, 200, seed=1), tmp_path, sanitize=False)


def _logits_model(model: bytes) -> bytes:
    """The classifier with its output moved to the logits feeding its final SOFTMAX."""
    softmax = import_model(model).ops[-1]
    assert softmax.kind == "SOFTMAX"
    return with_output_tensor(model, softmax.inputs[0])


@pytest.mark.parametrize("name", CLASSIFIERS)
def test_logits_before_softmax_are_bit_exact(name, tmp_path):
    model = (MLPERF / f"{name}.tflite").read_bytes()
    outputs = assert_bit_exact(_logits_model(model), _random_inputs(model, 100, seed=2),
                               tmp_path, sanitize=False)
    assert len(np.unique(outputs[0])) > 20  # spread out, not saturated


@pytest.mark.parametrize("name", MODELS)
def test_cortex_m7_in_qemu_matches_host_and_tflite_micro(name, tmp_path):
    """The classifiers run up to their logits, which do not saturate like their softmax."""
    path = MLPERF / f"{name}.tflite"
    if name in CLASSIFIERS:
        path = tmp_path / f"{name}_logits.tflite"
        path.write_bytes(_logits_model((MLPERF / f"{name}.tflite").read_bytes()))
    compilation = compile_model(path, Options(target="qemu-m7"))
    inputs = _random_inputs(path.read_bytes(), 8, seed=3)
    with QemuNetwork(compilation) as target:
        on_target = target.run(inputs)
    with HostNetwork(compilation) as host:
        on_host = host.run(inputs)
    reference = run_reference(path, inputs)
    np.testing.assert_array_equal(on_target[0], on_host[0])
    np.testing.assert_array_equal(on_target[0].reshape(reference[0].shape), reference[0])
    assert np.mean((on_target[0] > -128) & (on_target[0] < 127)) > 0.5  # mostly in range
