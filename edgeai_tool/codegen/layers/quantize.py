"""QUANTIZE (float32 -> int8 or int16 at a model input, requantization between int8 and
int16) and DEQUANTIZE (int8 or int16 -> float32 at a model output).

Bit-exact with TFLite Micro's reference kernels: AffineQuantize divides in float32 and
rounds half away from zero; Requantize uses QuantizeMultiplier(input_scale / output_scale)
in double and MultiplyByQuantizedMultiplier; Dequantize multiplies the (exact) double
product and rounds it to float32 once, which one float32 multiplication reproduces.
ST counts one operation per converted element (macc = elements). What each accepts is
checked in `edgeai_tool.ops.quantize`.
"""

from __future__ import annotations

from edgeai_tool.codegen.emit import C_TYPES
from edgeai_tool.codegen.layers.base import Buffer, CValue, LayerCode
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.base import output_size_macc
from edgeai_tool.quant import quantize_multiplier

_HEADER = "edgeai_quantize.h"
_SUFFIXES = {"int8": "s8", "int16": "s16", "float32": "f32"}


def _layer(kernel: str, graph: Graph, op: Op, data_type: str,
           data: dict[str, CValue]) -> LayerCode:
    return LayerCode(
        kernel=kernel, header=_HEADER, params_type="edgeai_quantize_params",
        params={"size": graph.tensor(op.outputs[0]).size}, data_type=data_type, data=data,
        args=[Buffer("input", op.inputs[0], C_TYPES[graph.tensor(op.inputs[0]).dtype]),
              Buffer("output", op.outputs[0], C_TYPES[graph.tensor(op.outputs[0]).dtype])],
        macc=output_size_macc(graph, op), c_type="Conversion",
    )


def lower_quantize(graph: Graph, op: Op) -> LayerCode:
    """QUANTIZE -> edgeai_quantize_f32_<s8|s16>, or edgeai_requantize_s8 / _s16 (same
    type) / _s16_s8 / _s8_s16."""
    x, y = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    source, target = _SUFFIXES[x.dtype], _SUFFIXES[y.dtype]
    if x.dtype == "float32":
        return _layer(f"edgeai_quantize_f32_{target}", graph, op, "edgeai_affine_data",
                      {"scale": float(y.scale), "zero_point": y.zero_point})
    multiplier, shift = quantize_multiplier(float(x.scale) / float(y.scale))
    types = target if source == target else f"{source}_{target}"
    return _layer(f"edgeai_requantize_{types}", graph, op, "edgeai_requantize_data",
                  {"multiplier": multiplier, "shift": shift, "input_offset": -x.zero_point,
                   "output_offset": y.zero_point})


def lower_dequantize(graph: Graph, op: Op) -> LayerCode:
    """DEQUANTIZE -> edgeai_dequantize_s8_f32 or edgeai_dequantize_s16_f32."""
    x = graph.tensor(op.inputs[0])
    return _layer(f"edgeai_dequantize_{_SUFFIXES[x.dtype]}_f32", graph, op, "edgeai_affine_data",
                  {"scale": float(x.scale), "zero_point": x.zero_point})


LOWERINGS = {"DEQUANTIZE": lower_dequantize, "QUANTIZE": lower_quantize}
