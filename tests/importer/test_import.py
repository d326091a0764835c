"""Import stage: what the flatbuffer says arrives in the IR, and bad files are refused."""

import dataclasses

import numpy as np
import pytest
from support.models import MLPERF
from support.tflite_builder import ModelBuilder, quantize_weights

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.importer import load_model
from edgeai_tool.importer.tflite_import import import_model


def _dense_model(per_channel: bool) -> bytes:
    rng = np.random.default_rng(1)
    b = ModelBuilder()
    x = b.input("x", (1, 8), scale=0.05, zero_point=3)
    wq, ws = quantize_weights(rng.normal(size=(4, 8)), per_channel=per_channel, axis=0)
    w = b.const("w", wq, scale=ws, zero_point=0, axis=0)
    bias_scales = [0.05 * s for s in np.atleast_1d(ws)]
    bias = b.const("bias", np.arange(4, dtype=np.int32), scale=bias_scales)
    y = b.tensor("y", (1, 4), scale=0.1, zero_point=-2)
    b.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function="RELU")
    b.output(y)
    return b.build()


def test_tensors_ops_and_options_are_imported():
    graph = import_model(_dense_model(per_channel=True))
    (op,) = graph.ops
    assert op.kind == "FULLY_CONNECTED"
    assert op.options["fused_activation_function"] == "RELU"
    x, w, bias = (graph.tensor(t) for t in op.inputs)
    assert (x.shape, x.dtype, x.quant.zero_point) == ((1, 8), "int8", (3,))
    assert w.is_constant and w.data.dtype == np.int8 and w.quant.per_channel
    assert bias.data.tolist() == [0, 1, 2, 3]
    assert graph.inputs == [x.id] and graph.outputs == op.outputs


def test_per_tensor_weights_have_one_scale():
    graph = import_model(_dense_model(per_channel=False))
    assert not graph.tensor(graph.ops[0].inputs[1]).quant.per_channel


@pytest.mark.parametrize("model", sorted(MLPERF.glob("*.tflite")), ids=lambda p: p.stem)
def test_mlperf_models_import(model):
    graph = load_model(model)
    assert graph.ops and graph.inputs and graph.outputs
    assert all(graph.tensor(t).dtype == "int8" for t in graph.inputs + graph.outputs)


@pytest.mark.parametrize("data, message", [
    (b"", "not a TensorFlow Lite model"),
    (b"hello world, not a model", "not a TensorFlow Lite model"),
])
def test_non_tflite_bytes_are_refused(data, message):
    with pytest.raises(EdgeAIError, match=message):
        import_model(data)


def test_truncated_model_is_refused():
    data = _dense_model(per_channel=True)
    with pytest.raises(EdgeAIError, match="truncated or corrupt"):
        import_model(data[: len(data) // 2])


def test_missing_file_is_named(tmp_path):
    with pytest.raises(EdgeAIError, match=r"model file not found: .*absent\.tflite"):
        load_model(tmp_path / "absent.tflite")


def _relu_model(*, reads: int | None = None, writes: int | None = None,
                output: int | None = None) -> bytes:
    """x -> RELU -> y, with the op's input or output, or the subgraph output, rewired."""
    b = ModelBuilder()
    x = b.input("x", (1, 4), scale=0.05, zero_point=0)
    y = b.tensor("y", (1, 4), scale=0.05, zero_point=0)
    src = dataclasses.replace(x, index=reads) if reads is not None else x
    dst = dataclasses.replace(y, index=writes) if writes is not None else y
    b.op("RELU", [src], [dst])
    b.output(dataclasses.replace(y, index=output) if output is not None else y)
    return b.build()


@pytest.mark.parametrize("rewire, message", [
    (dict(reads=57), r"op 0 \(RELU\) reads tensor 57, but the model has 2 tensors"),
    (dict(writes=9), r"op 0 \(RELU\) writes tensor 9, but the model has 2 tensors"),
    (dict(output=3), r"subgraph output tensor 3 does not exist"),
    (dict(writes=1, output=0), None),  # the output is the input: nothing to refuse
    (dict(output=1, writes=0), r"tensor 0 is written by op 0"),
    (dict(writes=0), r"tensor 0 is written by op 0 \(RELU\) but is also a model input"),
    (dict(reads=1), r"op 0 \(RELU\) reads tensor 1 \('y'\), which is neither a model input, "
                    r"a constant nor a variable, nor written by an earlier op"),
])
def test_dangling_tensor_indices_are_refused(rewire, message):
    """Bytes flipped in a tensor index used to reach the passes and fail with a KeyError."""
    if message is None:
        import_model(_relu_model(**rewire), name="m")
        return
    with pytest.raises(EdgeAIError, match=message + ".*: the model is corrupt"):
        import_model(_relu_model(**rewire), name="m")


def test_output_written_by_no_op_is_refused():
    b = ModelBuilder()
    x = b.input("x", (1, 4), scale=0.05, zero_point=0)
    y = b.tensor("y", (1, 4), scale=0.05, zero_point=0)
    z = b.tensor("z", (1, 4), scale=0.05, zero_point=0)
    b.op("RELU", [x], [y])
    b.output(z)
    with pytest.raises(EdgeAIError, match=r"subgraph output tensor 2 \('z'\) is written by no "
                                          r"op: the model is corrupt"):
        import_model(b.build(), name="m")


@pytest.mark.parametrize("scale", [float("nan"), float("inf"), -0.5])
def test_non_finite_or_negative_scales_are_refused(scale):
    """A flipped byte in a scale used to reach quantize_multiplier: NaN to integer."""
    b = ModelBuilder()
    x = b.input("x", (1, 4), scale=0.05, zero_point=0)
    y = b.tensor("y", (1, 4), scale=scale, zero_point=0)
    b.op("RELU", [x], [y])
    b.output(y)
    with pytest.raises(EdgeAIError, match=r"tensor 1 \('y'\) has quantization scale .*: the "
                                          r"model is corrupt"):
        import_model(b.build(), name="m")
