"""The reference for a network generated with float edges (`--input-data-type float32`,
`--output-data-type float32`) from an int8 model: TFLite Micro runs the int8 model on the
inputs quantized as its QUANTIZE kernel does, and its outputs are dequantized as its
DEQUANTIZE kernel does, which is what TFLite Micro gives for the model with such edges."""

from __future__ import annotations

import numpy as np

from edgeai_tool.compiler import Compilation
from edgeai_tool.importer import load_model
from edgeai_tool.ir import Tensor
from edgeai_tool.validate.reference import run_reference


def reference_outputs(compilation: Compilation, inputs: list[np.ndarray]) -> list[np.ndarray]:
    """TFLite Micro's outputs for the C network's inputs, in the C network's types."""
    model = load_model(compilation.model_path)
    network = compilation.network
    model_inputs = [_quantize(x, model.tensor(t)) if io.ctype == "float" else x
                    for x, t, io in zip(inputs, model.inputs, network.inputs, strict=True)]
    outputs = run_reference(compilation.model_path, model_inputs, len(network.outputs))
    return [_dequantize(y, model.tensor(t)) if io.ctype == "float" and y.dtype != np.float32
            else y for y, t, io in zip(outputs, model.outputs, network.outputs, strict=True)]


def _quantize(values: np.ndarray, tensor: Tensor) -> np.ndarray:
    """TFLite Micro's AffineQuantize: float32 division, rounding half away from zero."""
    if tensor.quant is None:
        return values
    scaled = (values.astype(np.float32) / np.float32(tensor.scale)).astype(np.float64)
    rounded = np.trunc(scaled + np.copysign(0.5, scaled))
    return np.clip(rounded + tensor.zero_point, -128, 127).astype(np.int8)


def _dequantize(values: np.ndarray, tensor: Tensor) -> np.ndarray:
    """TFLite Micro's Dequantize: the exact product rounded once to float32."""
    return (np.float32(tensor.scale)
            * (values.astype(np.float32) - np.float32(tensor.zero_point))).astype(np.float32)
