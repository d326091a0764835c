"""fold_pad: a PAD/PADV2 padding with the zero point disappears into the VALID convolution
after it (as SAME, or with explicit padding), and the generated C stays bit-exact with
tflite-micro running the original model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from support.bitexact import assert_bit_exact, compile_bytes
from support.tflite_builder import ModelBuilder, add_conv2d, add_depthwise_conv2d

from edgeai_tool.importer.tflite_import import import_model
from edgeai_tool.passes.fold_pad import fold_pad

SAMPLES = 60
IN_SHAPE = (1, 12, 10, 6)
X_QUANT = {"scale": 0.04, "zero_point": -11}


def _pad(b: ModelBuilder, x, xs: np.ndarray, pads: list[tuple[int, int]], name: str,
         value: int | None = None, out_quant: dict | None = None):
    """A PAD (or PADV2 with `value`) of x and its padded int8 samples."""
    quant = out_quant or X_QUANT
    shape = tuple(n + p + q for n, (p, q) in zip(x.shape, pads, strict=True))
    y = b.tensor(f"{name}/out", shape, **quant)
    paddings = b.const(f"{name}/paddings", np.array(pads, np.int32))
    fill = quant["zero_point"] if value is None else value
    if value is None:
        b.op("PAD", [x, paddings], [y])
    else:
        constant = b.const(f"{name}/value", np.array([value], np.int8), **quant)
        b.op("PADV2", [x, paddings, constant], [y])
    padded = np.pad(xs, [(0, 0), *pads], constant_values=fill)
    return y, padded


def _folding_model(rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """Six PAD -> convolution branches that all fold."""
    b = ModelBuilder()
    x = b.input("x", IN_SHAPE, **X_QUANT)
    xs = rng.integers(-128, 127, size=(SAMPLES, *IN_SHAPE), endpoint=True, dtype=np.int8)
    outputs = []
    # ZeroPadding2D(1) + 3x3 VALID: SAME-equivalent.
    p, ps = _pad(b, x, xs, [(0, 0), (1, 1), (1, 1), (0, 0)], "same")
    outputs.append(add_conv2d(b, p, ps, rng, 5, padding="VALID", activation="RELU",
                              name="c_same")[0])
    # MobileNet's stride-2 block: pad bottom/right only, depthwise 3x3 stride 2.
    p, ps = _pad(b, x, xs, [(0, 0), (0, 1), (0, 1), (0, 0)], "mbv1")
    outputs.append(add_depthwise_conv2d(b, p, ps, rng, stride=(2, 2), padding="VALID",
                                        name="dw_mbv1")[0])
    # Asymmetric padding that SAME cannot express: explicit padding.
    p, ps = _pad(b, x, xs, [(0, 0), (2, 0), (1, 3), (0, 0)], "explicit")
    outputs.append(add_conv2d(b, p, ps, rng, 4, kernel=(3, 2), stride=(2, 1),
                              padding="VALID", name="c_explicit")[0])
    # Explicit padding with dilation on a depthwise convolution (PADV2 with the zero point).
    p, ps = _pad(b, x, xs, [(0, 0), (3, 1), (0, 2), (0, 0)], "dilated",
                 value=X_QUANT["zero_point"])
    outputs.append(add_depthwise_conv2d(b, p, ps, rng, depth_multiplier=2, dilation=(2, 2),
                                        padding="VALID", activation="RELU6",
                                        name="dw_dilated")[0])
    # Large padding (wider than the filter's reach on one side), 5x5 filter.
    p, ps = _pad(b, x, xs, [(0, 0), (4, 2), (2, 2), (0, 0)], "wide")
    outputs.append(add_conv2d(b, p, ps, rng, 3, kernel=(5, 5), padding="VALID",
                              name="c_wide")[0])
    # A no-op pad before a 1x1 stride-2 convolution (SAME-equivalent).
    p, ps = _pad(b, x, xs, [(0, 0), (0, 0), (0, 0), (0, 0)], "pointwise")
    outputs.append(add_conv2d(b, p, ps, rng, 4, kernel=(1, 1), stride=(2, 2),
                              padding="VALID", name="c_pointwise")[0])
    b.output(*outputs)
    return b.build(), xs[:, 0]


def _kept_model(rng: np.random.Generator) -> tuple[bytes, np.ndarray]:
    """Pads that must stay: another pad value, channel padding, a SAME conv, a changed
    quantization, a 1x1 conv needing explicit padding, a pad also read elsewhere."""
    b = ModelBuilder()
    x = b.input("x", IN_SHAPE, **X_QUANT)
    xs = rng.integers(-128, 127, size=(SAMPLES, *IN_SHAPE), endpoint=True, dtype=np.int8)
    outputs = []
    p, ps = _pad(b, x, xs, [(0, 0), (1, 1), (1, 1), (0, 0)], "value", value=7)
    outputs.append(add_conv2d(b, p, ps, rng, 3, padding="VALID", name="c_value")[0])
    p, ps = _pad(b, x, xs, [(0, 0), (1, 1), (1, 1), (1, 1)], "channels")
    outputs.append(add_conv2d(b, p, ps, rng, 3, padding="VALID", name="c_channels")[0])
    p, ps = _pad(b, x, xs, [(0, 0), (1, 1), (1, 1), (0, 0)], "conv_same")
    outputs.append(add_conv2d(b, p, ps, rng, 3, padding="SAME", name="c_conv_same")[0])
    p, ps = _pad(b, x, xs, [(0, 0), (1, 1), (1, 1), (0, 0)], "requant",
                 out_quant={"scale": 0.04, "zero_point": 3})
    outputs.append(add_conv2d(b, p, ps, rng, 3, padding="VALID", name="c_requant")[0])
    p, ps = _pad(b, x, xs, [(0, 0), (1, 0), (0, 2), (0, 0)], "one_by_one")
    outputs.append(add_conv2d(b, p, ps, rng, 3, kernel=(1, 1), padding="VALID",
                              name="c_1x1")[0])
    p, ps = _pad(b, x, xs, [(0, 0), (1, 1), (1, 1), (0, 0)], "shared")
    outputs.append(add_conv2d(b, p, ps, rng, 3, padding="VALID", name="c_shared")[0])
    outputs.append(p)
    b.output(*outputs)
    return b.build(), xs[:, 0]


def test_pads_fold_and_outputs_stay_bit_exact(tmp_path: Path) -> None:
    model, xs = _folding_model(np.random.default_rng(11))
    imported = import_model(model)
    assert sum(op.kind == "PAD" for op in imported.ops) == 5
    folded = fold_pad(imported)
    assert [op.kind for op in folded.ops if op.kind in ("PAD", "PADV2")] == []
    convs = [op for op in folded.ops if op.kind in ("CONV_2D", "DEPTHWISE_CONV_2D")]
    assert [op.options["padding"] for op in convs] == ["SAME", "SAME", "VALID", "VALID",
                                                       "VALID", "SAME"]
    assert [op.options.get("explicit_padding") for op in convs] == [
        None, None, (2, 0, 1, 3), (3, 1, 0, 2), (4, 2, 2, 2), None]
    assert all(op.inputs[0] == imported.inputs[0] for op in convs)
    assert len(convs[0].origin) == 2  # the report still accounts for the PAD

    compilation = compile_bytes(model, tmp_path)
    assert not any(op.kind in ("PAD", "PADV2") for op in compilation.graph.ops)
    assert_bit_exact(model, [xs], tmp_path)


def test_pads_that_cannot_fold_stay_and_stay_bit_exact(tmp_path: Path) -> None:
    model, xs = _kept_model(np.random.default_rng(12))
    imported = import_model(model)
    folded = fold_pad(imported)
    assert [op.kind for op in folded.ops] == [op.kind for op in imported.ops]
    assert all("explicit_padding" not in op.options for op in folded.ops)
    assert_bit_exact(model, [xs], tmp_path)
