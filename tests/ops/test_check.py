"""The support check, through `compile_model`: what the op table promises (rank-1 and 5-D
tensors, batches inside the graph) compiles; what it refuses is refused in one message
naming the op by its index in the model file, whatever the passes did around it."""

import numpy as np
import pytest
from support.bitexact import assert_bit_exact, compile_bytes
from support.tflite_builder import ModelBuilder, quantize_weights

from edgeai_tool.errors import EdgeAIError

Q = {"scale": 0.03, "zero_point": -7}
SOFT = {"scale": 1 / 256, "zero_point": -128}


def _reshape(b: ModelBuilder, x, name: str, shape, quant=None):
    y = b.tensor(name, shape, **(quant or {"scale": x.scale, "zero_point": x.zero_point}))
    b.op("RESHAPE", [x, b.const(f"{name}/shape", list(shape))], [y], new_shape=list(shape))
    return y


def _assert_refused(model: bytes, tmp_path, pattern: str) -> None:
    """Compiling `model` fails with one EdgeAIError matching `pattern`."""
    with pytest.raises(EdgeAIError, match=pattern):
        compile_bytes(model, tmp_path)


def _relu_model(shape) -> bytes:
    b = ModelBuilder()
    x = b.input("x", shape, **Q)
    y = b.tensor("y", shape, **Q)
    b.op("RELU", [x], [y])
    b.output(y)
    return b.build()


def _inner_shapes_model() -> bytes:
    """Rank-1 ADD/MUL, a batch-2 SOFTMAX and FULLY_CONNECTED, 5-D TRANSPOSE and MEAN."""
    b = ModelBuilder()
    x = b.input("x", (1, 12), **Q)
    flat = _reshape(b, x, "flat", (12,))
    added = b.tensor("added", (12,), scale=0.05, zero_point=3)
    b.op("ADD", [flat, b.const("c", np.arange(-6, 6, dtype=np.int8), **Q)], [added])
    rows = _reshape(b, added, "rows", (2, 6))
    soft = b.tensor("soft", (2, 6), **SOFT)
    b.op("SOFTMAX", [rows], [soft], beta=1.0)
    weights = np.random.default_rng(1).integers(-127, 128, size=(3, 6), dtype=np.int8)
    fc = b.tensor("fc", (2, 3), scale=0.02, zero_point=-5)
    b.op("FULLY_CONNECTED", [rows, b.const("w", weights, scale=0.004, zero_point=0), None],
         [fc])
    out1 = _reshape(b, soft, "out1", (1, 12))
    out2 = _reshape(b, fc, "out2", (1, 6))
    x5 = b.input("x5", (1, 2, 3, 4, 5), **Q)
    t = b.tensor("t", (1, 4, 2, 5, 3), **Q)
    b.op("TRANSPOSE", [x5, b.const("perm", [0, 3, 1, 4, 2])], [t])
    mean = b.tensor("mean", (1, 4, 3), scale=0.02, zero_point=1)
    b.op("MEAN", [t, b.const("axis", [2, 3])], [mean], keep_dims=False)
    b.output(out1, out2, t, mean)
    return b.build()


def test_rank1_batched_and_5d_tensors_inside_the_graph_are_bit_exact(tmp_path):
    rng = np.random.default_rng(0)
    inputs = [rng.integers(-128, 128, size=(40, 12), dtype=np.int8),
              rng.integers(-128, 128, size=(40, 2, 3, 4, 5), dtype=np.int8)]
    assert_bit_exact(_inner_shapes_model(), inputs, tmp_path)


def test_unsupported_op_on_a_5d_tensor_is_named(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 2, 3, 4), **Q)
    r = _reshape(b, x, "r", (1, 2, 1, 3, 4))
    t = b.tensor("t", (1, 2, 2, 3, 4), **Q)
    b.op("TILE", [r, b.const("m", [1, 1, 2, 1, 1])], [t])
    y = _reshape(b, t, "y", (1, 48))
    b.output(y)
    _assert_refused(b.build(), tmp_path, r"op 1 \(TILE\) is not supported")


def test_six_dimensions_and_batched_inputs_are_refused(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 24), **Q)
    r = _reshape(b, x, "r", (1, 2, 1, 2, 3, 2))
    b.output(_reshape(b, r, "y", (1, 24)))
    _assert_refused(b.build(), tmp_path, r"tensor 1 \('r'\) has shape \[1, 2, 1, 2, 3, 2\]; "
                    r"activations have at most 5 dimensions")
    _assert_refused(_relu_model((2, 4)), tmp_path,
                    r"input tensor 0 \('x'\) has shape \[2, 4\]; model inputs and outputs "
                    r"must have batch 1")


def test_a_float_op_in_an_int8_model_is_named(tmp_path):
    """The converter leaves e.g. a trailing PAD in float: say which op, not 'float model'."""
    b = ModelBuilder()
    x = b.input("x", (1, 4, 4, 2), **Q)
    r = b.tensor("r", (1, 4, 4, 2), **Q)
    b.op("RELU", [x], [r])
    f = b.tensor("f", (1, 4, 4, 2), dtype=np.float32)
    b.op("DEQUANTIZE", [r], [f])
    y = b.tensor("y", (1, 5, 4, 2), dtype=np.float32)
    b.op("PAD", [f, b.const("p", np.array([[0, 0], [1, 0], [0, 0], [0, 0]], np.int32))], [y])
    b.output(y)
    _assert_refused(b.build(), tmp_path, r"op 2 \(PAD\) computes in float32 in an otherwise "
                    r"int8 model")


@pytest.mark.parametrize("kind, inputs", [("LEAKY_RELU", [None]), ("RESHAPE", []),
                                          ("TANH", [None]), ("HARD_SWISH", [None])])
def test_an_op_missing_its_inputs_is_refused_not_a_traceback(tmp_path, kind, inputs):
    b = ModelBuilder()
    x = b.input("x", (1, 4), **Q)
    r = b.tensor("r", (1, 4), **Q)
    b.op("RELU", [x], [r])
    y = b.tensor("y", (1, 4), **Q)
    b.op(kind, inputs, [y])
    b.output(y)
    _assert_refused(b.build(), tmp_path, rf"op 1 \({kind}\) cannot be read: inputs ")


def test_empty_activations_are_refused(tmp_path):
    """A zero-sized tensor used to generate C whose network_run() returned -1."""
    _assert_refused(_relu_model((1, 0, 4)), tmp_path,
                    r"tensor 0 \('x'\) has shape \[1, 0, 4\]: empty activations are not "
                    r"supported")


def test_unsupported_op_is_named_with_its_index(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 4), **Q)
    y = b.tensor("y", (1, 4), **Q)
    b.op("RESHAPE", [x, b.const("shape", np.array([1, 4], np.int32))], [y], new_shape=[1, 4])
    z = b.tensor("z", (1, 4), dtype=np.int32, scale=1.0, zero_point=0)
    b.op("ARG_MAX", [y, b.const("axis", np.array([1], np.int32))], [z])
    b.output(z)
    expected = r"op 1 \(ARG_MAX\) is not supported; supported ops: .*FULLY_CONNECTED"
    with pytest.raises(EdgeAIError, match=expected):
        compile_bytes(b.build(), tmp_path)


def test_float_model_is_refused(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 4), scale=None, zero_point=None, dtype=np.float32)
    y = b.tensor("y", (1, 4), scale=None, zero_point=None, dtype=np.float32)
    b.op("RELU", [x], [y])
    b.output(y)
    with pytest.raises(EdgeAIError, match="float32 model"):
        compile_bytes(b.build(), tmp_path)


def _conv_then(b: ModelBuilder, kind: str, out_quant: dict, **options):
    """x -> CONV_2D (3x3 VALID, no activation) -> `kind`: a pair the passes would fuse."""
    x = b.input("x", (1, 6, 6, 2), **Q)
    wq, ws = quantize_weights(np.random.default_rng(0).normal(size=(4, 3, 3, 2)), True, axis=0)
    conv = b.tensor("conv", (1, 4, 4, 4), **Q)
    b.op("CONV_2D", [x, b.const("w", wq, scale=ws, zero_point=0, axis=0), None], [conv],
         padding="VALID", stride_h=1, stride_w=1, fused_activation_function="NONE")
    out_shape = (1, 2, 2, 4) if "filter_height" in options else (1, 4, 4, 4)
    y = b.tensor("y", out_shape, **out_quant)
    b.op(kind, [conv], [y], **options)
    b.output(y)
    return b.build()


def test_a_refused_activation_is_named_not_fused_away(tmp_path):
    """The RELU after the convolution would fold into its activation slot; refused (int16
    output), it must stay, and be the op the error names."""
    model = _conv_then(ModelBuilder(), "RELU", {**Q, "dtype": np.int16})
    _assert_refused(model, tmp_path, r"op 1 \(RELU\): output type int16 is not supported")


def test_a_refused_pool_is_named_not_fused_away(tmp_path):
    """A MAX_POOL_2D with a fused TANH (no kernel has it) would fuse into the convolution."""
    model = _conv_then(ModelBuilder(), "MAX_POOL_2D", Q, padding="VALID", stride_h=2,
                       stride_w=2, filter_height=2, filter_width=2,
                       fused_activation_function="TANH")
    _assert_refused(model, tmp_path, r"op 1 \(MAX_POOL_2D\): fused activation TANH is ")


def test_a_reshape_changing_the_size_is_refused_not_aliased(tmp_path):
    b = ModelBuilder()
    x = b.input("x", (1, 8), **Q)
    r = b.tensor("r", (1, 6), **Q)
    b.op("RESHAPE", [x, b.const("shape", np.array([1, 6], np.int32))], [r], new_shape=[1, 6])
    y = b.tensor("y", (1, 6), **Q)
    b.op("RELU", [r], [y])
    b.output(y)
    _assert_refused(b.build(), tmp_path, r"op 0 \(RESHAPE\): 8 input elements cannot "
                    r"become 6 output elements")


def test_a_refused_pad_is_named_not_folded_away(tmp_path):
    """A PADV2 whose constant is quantized unlike its output (TFLite Micro refuses it) would
    fold into the VALID convolution reading it: it pads with the zero point's raw value."""
    b = ModelBuilder()
    x = b.input("x", (1, 4, 4, 2), **Q)
    padded = b.tensor("padded", (1, 6, 6, 2), **Q)
    paddings = b.const("paddings", np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))
    value = b.const("value", np.array([Q["zero_point"]], np.int8), scale=0.5,
                    zero_point=Q["zero_point"])
    b.op("PADV2", [x, paddings, value], [padded])
    wq, ws = quantize_weights(np.random.default_rng(0).normal(size=(4, 3, 3, 2)), True, axis=0)
    y = b.tensor("y", (1, 4, 4, 4), **Q)
    b.op("CONV_2D", [padded, b.const("w", wq, scale=ws, zero_point=0, axis=0), None], [y],
         padding="VALID", stride_h=1, stride_w=1, fused_activation_function="NONE")
    b.output(y)
    _assert_refused(b.build(), tmp_path, r"op 0 \(PADV2\): pad value quantized differently")
