"""The test-model builder writes files tflite-micro loads and that compute what they should."""

from __future__ import annotations

import numpy as np
import pytest
import tflite
from support.reference import (
    conv2d_nhwc,
    depthwise_conv2d_nhwc,
    fully_connected,
    random_int8_inputs,
    run_tflm,
)
from support.tflite_builder import (
    DEFAULT_OP_VERSIONS,
    ModelBuilder,
    TensorRef,
    add_conv2d,
    add_depthwise_conv2d,
    add_fully_connected,
    bias_for,
    dequantize,
    qparams_from_values,
    quantize,
    quantize_weights,
)

N_SAMPLES = 4


def _weighted_layer(
    kind: str, rng: np.random.Generator, per_channel: bool = True, activation: str = "NONE"
) -> tuple[bytes, np.ndarray, np.ndarray, TensorRef]:
    """A CONV_2D / DEPTHWISE_CONV_2D / FULLY_CONNECTED model plus inputs and float reference."""
    b = ModelBuilder()
    if kind == "FULLY_CONNECTED":
        in_shape, w_shape, axis = (1, 16), (5, 16), 0
    elif kind == "CONV_2D":
        in_shape, w_shape, axis = (1, 9, 9, 3), (4, 3, 3, 3), 0
    else:
        in_shape, w_shape, axis = (1, 9, 9, 3), (1, 3, 3, 6), 3
    x = b.input("x", in_shape, scale=0.02, zero_point=-5)
    w_float = rng.normal(size=w_shape) * np.linspace(0.2, 2.0, w_shape[axis]).reshape(
        [-1 if i == axis else 1 for i in range(len(w_shape))]
    )
    wq, ws = quantize_weights(w_float, per_channel=per_channel, axis=axis)
    w = b.const("w", wq, scale=ws, zero_point=0, axis=axis)
    bq, bs = bias_for(rng.normal(size=w_shape[axis]) * 0.2, x.scale, ws)
    bias = b.const("bias", bq, scale=bs)

    xs = random_int8_inputs(in_shape, N_SAMPLES, rng)
    xf = dequantize(xs[:, 0], x.scale, x.zero_point)
    shape = [-1 if i == axis else 1 for i in range(len(w_shape))]
    wf = dequantize(wq, ws.reshape(shape))
    bf = dequantize(bq, bs)
    if kind == "FULLY_CONNECTED":
        yf = fully_connected(xf, wf, bf)
        options = {}
    elif kind == "CONV_2D":
        yf = conv2d_nhwc(xf, wf, bf, stride=(2, 1), padding="SAME")
        options = {"stride_h": 2, "stride_w": 1, "padding": "SAME"}
    else:
        yf = depthwise_conv2d_nhwc(xf, wf, bf, stride=(1, 2), padding="VALID")
        options = {"stride_h": 1, "stride_w": 2, "padding": "VALID", "depth_multiplier": 2}
    if activation == "RELU":
        yf = np.maximum(yf, 0)
    scale, zp = qparams_from_values(yf)
    y = b.tensor("y", (1, *yf.shape[1:]), scale=scale, zero_point=zp)
    b.op(kind, [x, w, bias], [y], fused_activation_function=activation, **options)
    b.output(y)
    return b.build(), xs, yf[:, None], y


@pytest.mark.parametrize("kind", ["CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"])
@pytest.mark.parametrize("per_channel", [True, False])
def test_weighted_layers_match_float_within_one_step(kind: str, per_channel: bool) -> None:
    rng = np.random.default_rng(1)
    model, xs, yf, y = _weighted_layer(kind, rng, per_channel=per_channel)
    (out,) = run_tflm(model, [xs])
    assert out.shape == yf.shape
    expected = quantize(yf, y.scale, y.zero_point)
    diff = np.abs(out.astype(np.int32) - expected.astype(np.int32))
    assert diff.max() <= 1
    # Realistic quantization: the outputs use most of the int8 range without saturating.
    assert out.min() <= -100 and out.max() >= 100
    saturated = np.count_nonzero((out == -128) | (out == 127))
    assert saturated <= max(2, 0.05 * out.size)


def test_fused_relu_clamps_at_zero_point() -> None:
    rng = np.random.default_rng(2)
    model, xs, yf, y = _weighted_layer("CONV_2D", rng, activation="RELU")
    (out,) = run_tflm(model, [xs])
    assert out.min() >= y.zero_point
    assert np.abs(out.astype(int) - quantize(yf, y.scale, y.zero_point)).max() <= 1


def test_per_channel_scales_are_honoured() -> None:
    """Channels whose weights differ by 100x only come out right if each scale is used."""
    rng = np.random.default_rng(3)
    b = ModelBuilder()
    x = b.input("x", (1, 4), scale=0.05, zero_point=0)
    w_float = rng.normal(size=(3, 4)) * np.array([[0.01], [0.1], [1.0]])
    wq, ws = quantize_weights(w_float, per_channel=True, axis=0)
    assert ws.shape == (3,) and np.all(np.abs(wq).max(axis=1) == 127)
    w = b.const("w", wq, scale=ws, axis=0)
    bias = b.const("b", *bias_for(np.zeros(3), x.scale, ws)[:1], scale=x.scale * ws)
    xs = random_int8_inputs((1, 4), N_SAMPLES, rng)
    yf = fully_connected(dequantize(xs, x.scale), dequantize(wq, ws[:, None]))
    y = b.tensor("y", (1, 3), scale=np.abs(yf).max() / 127, zero_point=0)
    b.op("FULLY_CONNECTED", [x, w, bias], [y])
    b.output(y)
    (out,) = run_tflm(b.build(), [xs])
    assert np.abs(out.astype(int) - quantize(yf, y.scale, 0)).max() <= 1
    # The small channels would be ~0 if only the first (or largest) scale were applied.
    assert np.abs(out[..., 0]).max() > 0


def test_quantize_weights_per_tensor_and_bias() -> None:
    w = np.array([[1.0, -2.0], [0.5, 0.25]])
    q, s = quantize_weights(w, per_channel=False)
    assert s.shape == (1,) and s[0] == np.float32(2.0 / 127)
    assert q.dtype == np.int8 and q[0, 1] == -127
    qb, sb = bias_for(np.array([0.1, -0.2]), 0.5, s)
    assert qb.dtype == np.int32 and np.allclose(sb, 0.5 * s[0])
    assert np.allclose(qb * sb, [0.1, -0.2], atol=sb[0])


def test_options_and_quantization_read_back() -> None:
    model, _, _, _ = _weighted_layer("DEPTHWISE_CONV_2D", np.random.default_rng(4))
    m = tflite.Model.GetRootAs(model, 0)
    assert m.Version() == 3
    assert tflite.Model.ModelBufferHasIdentifier(model, 0)
    assert m.Buffers(0).DataLength() == 0
    code = m.OperatorCodes(0)
    assert code.BuiltinCode() == tflite.BuiltinOperator.DEPTHWISE_CONV_2D
    assert code.DeprecatedBuiltinCode() == tflite.BuiltinOperator.DEPTHWISE_CONV_2D
    sg = m.Subgraphs(0)
    op = sg.Operators(0)
    assert op.BuiltinOptionsType() == tflite.BuiltinOptions.DepthwiseConv2DOptions
    opts = tflite.DepthwiseConv2DOptions()
    table = op.BuiltinOptions()
    opts.Init(table.Bytes, table.Pos)
    assert (opts.StrideH(), opts.StrideW(), opts.DepthMultiplier()) == (1, 2, 2)
    assert opts.Padding() == tflite.Padding.VALID
    assert opts.FusedActivationFunction() == tflite.ActivationFunctionType.NONE
    w = sg.Tensors(op.Inputs(1))
    assert w.Type() == tflite.TensorType.INT8
    q = w.Quantization()
    assert q.QuantizedDimension() == 3 and q.ScaleLength() == 6
    assert list(q.ZeroPointAsNumpy()) == [0] * 6
    assert sg.Tensors(op.Inputs(2)).Type() == tflite.TensorType.INT32


# -- every supported op builds, loads in tflite-micro and computes the right thing -------------

X_SHAPE = (1, 6, 6, 4)
X_Q = (0.05, -3)


def _softmax(v: np.ndarray) -> np.ndarray:
    e = np.exp(v - v.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _single_input_case(
    op: str,
    fn,
    in_shape=X_SHAPE,
    out_q: tuple[float, int] | str = "calibrate",
    consts: tuple = (),
    tol: int = 1,
    **options,
):
    """Model ``x -> op(x, *consts) -> y`` and the float function it should compute."""

    def build(rng: np.random.Generator):
        b = ModelBuilder()
        x = b.input("x", in_shape, scale=X_Q[0], zero_point=X_Q[1])
        const_refs = [b.const(f"c{i}", c) for i, c in enumerate(consts)]
        xs = random_int8_inputs(in_shape, N_SAMPLES, rng)
        yf = np.stack([fn(dequantize(s, x.scale, x.zero_point)) for s in xs])
        if out_q == "same":
            scale, zp = x.scale, x.zero_point
        elif out_q == "calibrate":
            scale, zp = qparams_from_values(yf)
        else:
            scale, zp = out_q
        y = b.tensor("y", yf.shape[1:], scale=scale, zero_point=zp)
        b.op(op, [x, *const_refs], [y], **options)
        b.output(y)
        return b.build(), [xs], quantize(yf, y.scale, y.zero_point), tol

    return build


def _binary_case(op: str, fn, same_q: bool = False, tol: int = 1, **options):
    """Model ``(x1, x2) -> op -> y`` with differently quantized inputs unless ``same_q``."""

    def build(rng: np.random.Generator):
        b = ModelBuilder()
        x1 = b.input("x1", X_SHAPE, scale=X_Q[0], zero_point=X_Q[1])
        x2 = b.input("x2", X_SHAPE, *((X_Q[0], X_Q[1]) if same_q else (0.03, 7)))
        xs1 = random_int8_inputs(X_SHAPE, N_SAMPLES, rng)
        xs2 = random_int8_inputs(X_SHAPE, N_SAMPLES, rng)
        f1 = dequantize(xs1, x1.scale, x1.zero_point)
        f2 = dequantize(xs2, x2.scale, x2.zero_point)
        yf = fn(f1, f2)
        scale, zp = (x1.scale, x1.zero_point) if same_q else qparams_from_values(yf)
        y = b.tensor("y", X_SHAPE, scale=scale, zero_point=zp)
        b.op(op, [x1, x2], [y], **options)
        b.output(y)
        return b.build(), [xs1, xs2], quantize(yf, y.scale, y.zero_point), tol

    return build


def _concat_case(rng: np.random.Generator):
    b = ModelBuilder()
    x1 = b.input("x1", X_SHAPE, *X_Q)
    x2 = b.input("x2", (1, 6, 6, 2), *X_Q)
    y = b.tensor("y", (1, 6, 6, 6), *X_Q)
    b.op("CONCATENATION", [x1, x2], [y], axis=3, fused_activation_function="NONE")
    b.output(y)
    xs1 = random_int8_inputs(X_SHAPE, N_SAMPLES, rng)
    xs2 = random_int8_inputs((1, 6, 6, 2), N_SAMPLES, rng)
    return b.build(), [xs1, xs2], np.concatenate([xs1, xs2], axis=-1), 0


def _padv2_case(rng: np.random.Generator):
    b = ModelBuilder()
    x = b.input("x", X_SHAPE, *X_Q)
    paddings = b.const("paddings", [[0, 0], [1, 2], [0, 1], [0, 0]])
    value = b.const("value", np.array([17], np.int8), *X_Q)
    y = b.tensor("y", (1, 9, 7, 4), *X_Q)
    b.op("PADV2", [x, paddings, value], [y])
    b.output(y)
    xs = random_int8_inputs(X_SHAPE, N_SAMPLES, rng)
    expected = np.pad(xs, ((0, 0), (0, 0), (1, 2), (0, 1), (0, 0)), constant_values=17)
    return b.build(), [xs], expected, 0


def _quantize_case(rng: np.random.Generator):
    b = ModelBuilder()
    x = b.input("x", (1, 10), dtype=np.float32)
    y = b.tensor("y", (1, 10), scale=0.02, zero_point=4)
    b.op("QUANTIZE", [x], [y])
    b.output(y)
    xs = rng.uniform(-2.5, 2.5, size=(N_SAMPLES, 1, 10)).astype(np.float32)
    return b.build(), [xs], quantize(xs, y.scale, y.zero_point), 1


def _requantize_case(rng: np.random.Generator):
    b = ModelBuilder()
    x = b.input("x", (1, 10), *X_Q)
    y = b.tensor("y", (1, 10), scale=0.07, zero_point=-20)
    b.op("QUANTIZE", [x], [y])
    b.output(y)
    xs = random_int8_inputs((1, 10), N_SAMPLES, rng)
    return b.build(), [xs], quantize(dequantize(xs, x.scale, x.zero_point), 0.07, -20), 1


def _dequantize_case(rng: np.random.Generator):
    b = ModelBuilder()
    x = b.input("x", (1, 10), *X_Q)
    y = b.tensor("y", (1, 10), dtype=np.float32)
    b.op("DEQUANTIZE", [x], [y])
    b.output(y)
    xs = random_int8_inputs((1, 10), N_SAMPLES, rng)
    expected = ((xs.astype(np.int32) - x.zero_point) * np.float32(x.scale)).astype(np.float32)
    return b.build(), [xs], expected, 0


def _max_pool(v: np.ndarray) -> np.ndarray:
    return v.reshape(1, 3, 2, 3, 2, 4).max(axis=(2, 4))


def _avg_pool(v: np.ndarray) -> np.ndarray:
    return v.reshape(1, 3, 2, 3, 2, 4).mean(axis=(2, 4))


OP_CASES = {
    "MAX_POOL_2D": _single_input_case(
        "MAX_POOL_2D",
        _max_pool,
        out_q="same",
        tol=0,
        padding="VALID",
        stride_w=2,
        stride_h=2,
        filter_width=2,
        filter_height=2,
    ),
    "AVERAGE_POOL_2D": _single_input_case(
        "AVERAGE_POOL_2D",
        _avg_pool,
        out_q="same",
        padding="VALID",
        stride_w=2,
        stride_h=2,
        filter_width=2,
        filter_height=2,
    ),
    "MEAN": _single_input_case(
        "MEAN",
        lambda v: v.mean(axis=(1, 2), keepdims=True),
        consts=(np.array([1, 2], np.int32),),
        keep_dims=True,
    ),
    "ADD": _binary_case("ADD", np.add, fused_activation_function="NONE"),
    "SUB": _binary_case("SUB", np.subtract, fused_activation_function="NONE"),
    "MUL": _binary_case("MUL", np.multiply, fused_activation_function="NONE"),
    "MAXIMUM": _binary_case("MAXIMUM", np.maximum, same_q=True, tol=0),
    "MINIMUM": _binary_case("MINIMUM", np.minimum, same_q=True, tol=0),
    "CONCATENATION": _concat_case,
    "PAD": _single_input_case(
        "PAD",
        lambda v: np.pad(v, ((0, 0), (1, 1), (2, 0), (0, 0))),
        out_q="same",
        tol=0,
        consts=(np.array([[0, 0], [1, 1], [2, 0], [0, 0]], np.int32),),
    ),
    "PADV2": _padv2_case,
    "RESHAPE": _single_input_case(
        "RESHAPE",
        lambda v: v.reshape(1, 144),
        out_q="same",
        tol=0,
        consts=(np.array([1, 144], np.int32),),
        new_shape=[1, 144],
    ),
    "SQUEEZE": _single_input_case(
        "SQUEEZE",
        lambda v: v.reshape(1, 6),
        in_shape=(1, 1, 1, 6),
        out_q="same",
        tol=0,
        squeeze_dims=[1, 2],
    ),
    "EXPAND_DIMS": _single_input_case(
        "EXPAND_DIMS",
        lambda v: v[:, None],
        in_shape=(1, 6),
        out_q="same",
        tol=0,
        consts=(np.array([1], np.int32),),
    ),
    "SOFTMAX": _single_input_case(
        "SOFTMAX", _softmax, in_shape=(1, 10), out_q=(1 / 256, -128), beta=1.0
    ),
    "LOGISTIC": _single_input_case(
        "LOGISTIC", lambda v: 1 / (1 + np.exp(-v)), out_q=(1 / 256, -128)
    ),
    "TANH": _single_input_case("TANH", np.tanh, out_q=(1 / 128, 0)),
    "RELU": _single_input_case("RELU", lambda v: np.maximum(v, 0), out_q=(0.02, -128)),
    "RELU6": _single_input_case("RELU6", lambda v: np.clip(v, 0, 6), out_q="same", tol=0),
    "LEAKY_RELU": _single_input_case(
        "LEAKY_RELU", lambda v: np.where(v > 0, v, 0.2 * v), alpha=0.2
    ),
    "HARD_SWISH": _single_input_case("HARD_SWISH", lambda v: v * np.clip(v + 3, 0, 6) / 6),
    "QUANTIZE": _quantize_case,
    "QUANTIZE_INT8_TO_INT8": _requantize_case,
    "DEQUANTIZE": _dequantize_case,
    "TRANSPOSE": _single_input_case(
        "TRANSPOSE",
        lambda v: v.transpose(0, 3, 1, 2),
        out_q="same",
        tol=0,
        consts=(np.array([0, 3, 1, 2], np.int32),),
    ),
    "STRIDED_SLICE": _single_input_case(
        "STRIDED_SLICE",
        lambda v: v[:, 1:5:2, 0:6:2, 1:3],
        out_q="same",
        tol=0,
        consts=(
            np.array([0, 1, 0, 1], np.int32),
            np.array([1, 5, 6, 3], np.int32),
            np.array([1, 2, 2, 1], np.int32),
        ),
    ),
}


@pytest.mark.parametrize("case", sorted(OP_CASES))
def test_op_runs_in_tflm(case: str) -> None:
    model, inputs, expected, tol = OP_CASES[case](np.random.default_rng(10))
    outputs = run_tflm(model, inputs)
    assert len(outputs) == 1
    out = outputs[0]
    assert out.shape == expected.shape
    assert out.dtype == expected.dtype
    diff = np.abs(out.astype(np.float64) - expected.astype(np.float64))
    assert diff.max() <= tol, f"max diff {diff.max()}"


def test_tflm_relu6_ignores_output_quantization() -> None:
    """Pinned TFLM quirk: int8 RELU6 clamps in the input's domain and copies raw values.

    The output tensor's scale/zero point are never read, so a model whose RELU6 output is
    quantized differently from its input is not requantized by tflite-micro.
    """
    b = ModelBuilder()
    x = b.input("x", (1, 16), scale=0.05, zero_point=-3)
    y = b.tensor("y", (1, 16), scale=0.03, zero_point=-128)
    b.op("RELU6", [x], [y])
    b.output(y)
    xs = random_int8_inputs((1, 16), N_SAMPLES, np.random.default_rng(5))
    (out,) = run_tflm(b.build(), [xs])
    six = round(6.0 / x.scale) + x.zero_point
    assert np.array_equal(out, np.clip(xs, x.zero_point, six))


def test_calibrated_layer_helpers_build_a_small_network() -> None:
    rng = np.random.default_rng(6)
    b = ModelBuilder()
    x = b.input("x", (1, 10, 10, 2), scale=0.02, zero_point=3)
    xs = random_int8_inputs(x.shape, 8, rng)
    h, hf = add_conv2d(b, x, xs, rng, filters=6, stride=(2, 2), activation="RELU", name="c1")
    h, hf = add_depthwise_conv2d(b, h, hf, rng, depth_multiplier=2, padding="VALID", name="dw")
    flat = b.tensor("flat", (1, int(np.prod(h.shape))), h.scale, h.zero_point)
    b.op("RESHAPE", [h, b.const("shape", list(flat.shape))], [flat], new_shape=list(flat.shape))
    y, yf = add_fully_connected(b, flat, hf.reshape(len(hf), *flat.shape), rng, units=10)
    b.output(y)
    model = b.build()

    m = tflite.Model.GetRootAs(model, 0)
    assert m.Subgraphs(0).OperatorsLength() == 4
    (out,) = run_tflm(model, [xs])
    assert out.shape == (8, 1, 10)
    expected = quantize(yf, y.scale, y.zero_point).astype(int)
    # Rounding of the two hidden layers propagates: allow a few output steps.
    assert np.abs(out.astype(int) - expected).max() <= 3
    assert out.min() <= -100 and out.max() >= 100


def _options_of(model: bytes, op_index: int, cls: type) -> object:
    op = tflite.Model.GetRootAs(model, 0).Subgraphs(0).Operators(op_index)
    table = op.BuiltinOptions()
    opts = cls()
    opts.Init(table.Bytes, table.Pos)
    return opts


def test_vector_enum_float_and_bool_options_read_back() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 1, 4, 6), scale=0.1, zero_point=0)
    p = b.tensor("p", (1, 1, 2, 6), scale=0.1, zero_point=0)
    b.op(
        "AVERAGE_POOL_2D",
        [x],
        [p],
        padding="SAME",
        stride_w=2,
        stride_h=1,
        filter_width=2,
        filter_height=1,
        fused_activation_function="RELU6",
    )
    s = b.tensor("s", (2, 6), scale=0.1, zero_point=0)
    b.op("SQUEEZE", [p], [s], squeeze_dims=[0, 1])
    r = b.tensor("r", (12,), scale=0.1, zero_point=0)
    b.op("RESHAPE", [s, b.const("shape", [12])], [r], new_shape=[12])
    m = b.tensor("m", (1,), scale=0.1, zero_point=0)
    b.op("MEAN", [r, b.const("axis", [0])], [m], keep_dims=True)
    q = b.tensor("q", (12,), scale=1 / 256, zero_point=-128)
    b.op("SOFTMAX", [r], [q], beta=0.5)
    b.output(m, q)
    model = b.build()

    pool = _options_of(model, 0, tflite.Pool2DOptions)
    assert pool.Padding() == tflite.Padding.SAME
    assert (pool.StrideW(), pool.StrideH(), pool.FilterWidth(), pool.FilterHeight()) == (
        2,
        1,
        2,
        1,
    )
    assert pool.FusedActivationFunction() == tflite.ActivationFunctionType.RELU6
    assert list(_options_of(model, 1, tflite.SqueezeOptions).SqueezeDimsAsNumpy()) == [0, 1]
    assert list(_options_of(model, 2, tflite.ReshapeOptions).NewShapeAsNumpy()) == [12]
    assert _options_of(model, 3, tflite.ReducerOptions).KeepDims() is True
    assert _options_of(model, 4, tflite.SoftmaxOptions).Beta() == 0.5

    outs = run_tflm(model, [random_int8_inputs(x.shape, 2, np.random.default_rng(7))])
    assert [o.shape for o in outs] == [(2, 1), (2, 12)]


def test_operator_codes_and_buffers() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 4), scale=0.1, zero_point=0)
    y = b.tensor("y", (1, 4), scale=0.1, zero_point=0)
    z = b.tensor("z", (1, 4), scale=0.1, zero_point=0)
    g = b.tensor("g", (1, 4), scale=0.1, zero_point=0)
    b.op("RELU", [x], [y])
    b.op("RELU", [y], [z])
    b.op("GELU", [z], [g], approximate=True)  # builtin code 150 > 127
    b.output(g)
    model = tflite.Model.GetRootAs(b.build(), 0)
    assert model.OperatorCodesLength() == 2  # deduplicated
    gelu = model.OperatorCodes(1)
    assert gelu.BuiltinCode() == tflite.BuiltinOperator.GELU == 150
    assert gelu.DeprecatedBuiltinCode() == 127
    relu = model.OperatorCodes(0)
    assert relu.BuiltinCode() == relu.DeprecatedBuiltinCode() == tflite.BuiltinOperator.RELU
    assert relu.Version() == DEFAULT_OP_VERSIONS["RELU"]
    assert model.BuffersLength() == 1 and model.Buffers(0).DataLength() == 0
    assert all(model.Subgraphs(0).Tensors(i).Buffer() == 0 for i in range(4))


def test_const_buffers_are_aligned_and_exact() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 3), scale=0.1, zero_point=0)
    c = b.const("c", np.array([[1, -2, 3]], np.int8), scale=0.1, zero_point=0)
    w = b.const("w", np.arange(5, dtype=np.int32))
    y = b.tensor("y", (1, 3), scale=0.2, zero_point=0)
    b.op("ADD", [x, c], [y])
    b.output(y)
    data = b.build()
    model = tflite.Model.GetRootAs(data, 0)
    sg = model.Subgraphs(0)
    for ref, expected in [(c, c.data), (w, w.data)]:
        buf = model.Buffers(sg.Tensors(ref.index).Buffer())
        assert buf.DataAsNumpy().tobytes() == expected.tobytes()
        vec_start = buf._tab.Vector(buf._tab.Offset(4))
        assert vec_start % 16 == 0


def test_builder_rejects_bad_options() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 4), scale=0.1, zero_point=0)
    with pytest.raises(ValueError, match="no option 'strides'"):
        b.op("CONV_2D", [x], [x], strides=2)
    with pytest.raises(ValueError, match="takes no options"):
        b.op("LOGISTIC", [x], [x], beta=1.0)
    with pytest.raises(ValueError, match="unknown builtin operator"):
        b.op("CONV_9D", [x], [x])
    with pytest.raises(ValueError, match="scales but dimension"):
        b.const("w", np.zeros((2, 3), np.int8), scale=[0.1, 0.2, 0.3], axis=0)
    with pytest.raises(ValueError, match="unknown value 'BOGUS'"):
        b.op("CONV_2D", [x], [x], padding="BOGUS")


def test_tflm_refuses_pool_with_requantizing_output() -> None:
    b = ModelBuilder()
    x = b.input("x", (1, 4, 4, 1), scale=0.05, zero_point=0)
    y = b.tensor("y", (1, 2, 2, 1), scale=0.1, zero_point=3)
    b.op(
        "MAX_POOL_2D",
        [x],
        [y],
        padding="VALID",
        stride_w=2,
        stride_h=2,
        filter_width=2,
        filter_height=2,
    )
    b.output(y)
    with pytest.raises(RuntimeError):
        run_tflm(b.build(), [np.zeros(x.shape, np.int8)])
