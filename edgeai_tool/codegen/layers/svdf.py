"""SVDF: int8 input and output, int8 or int16 time weights and state (a variable tensor).

Bit-exact with TFLite Micro's integer reference kernel. Its two requantization scales are
a * b / c of the float32 scales; the tflite-micro interpreter computes them in double (the
sources write float32 products; tests/runtime/test_svdf.py holds inputs that tell the two
apart).
"""

from __future__ import annotations

import numpy as np

from edgeai_tool.codegen.layers.base import ArrayRef, Buffer, CArray, LayerCode
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.svdf import svdf_macc, svdf_tensors
from edgeai_tool.quant import conv_multiplier, quantize_multiplier
from edgeai_tool.runtime.buffer_sizes import buffer_size

_KERNELS = {"int8": ("edgeai_svdf_s8", "edgeai_svdf_data_s8", "int8_t"),
            "int16": ("edgeai_svdf_s8_s16", "edgeai_svdf_data_s16", "int16_t")}


def lower_svdf(graph: Graph, op: Op) -> LayerCode:
    """SVDF -> edgeai_svdf_s8 (int8 state) or edgeai_svdf_s8_s16 (int16 state)."""
    x, feature, time, bias, state, y = svdf_tensors(graph, op)
    kernel, data_type, state_ctype = _KERNELS[state.dtype]
    feature_multiplier, feature_shift = quantize_multiplier(
        conv_multiplier(x.scale, feature.quant.scale[0], state.quant.scale[0]))
    output_multiplier, output_shift = quantize_multiplier(
        conv_multiplier(state.quant.scale[0], time.quant.scale[0], y.scale))
    filters, memory = time.shape
    return LayerCode(
        kernel=kernel,
        header="edgeai_svdf.h",
        params_type="edgeai_svdf_params",
        params={"batches": x.shape[0], "input_size": x.shape[1], "num_filters": filters,
                "rank": int(op.options["rank"]), "memory_size": memory},
        data_type=data_type,
        data={"weights_feature": ArrayRef("weights_feature"),
              "weights_time": ArrayRef("weights_time"), "bias": ArrayRef("bias"),
              "input_zero_point": x.zero_point, "state_zero_point": state.quant.zero_point[0],
              "feature_multiplier": feature_multiplier, "feature_shift": feature_shift,
              "output_multiplier": output_multiplier, "output_shift": output_shift,
              "output_offset": y.zero_point},
        args=[Buffer("input", op.inputs[0]), Buffer("state", op.inputs[4], state_ctype),
              Buffer("output", op.outputs[0])],
        arrays=[
            CArray("weights_feature", "int8_t", np.asarray(feature.data, dtype=np.int8)),
            CArray("weights_time", state_ctype, np.asarray(time.data)),
            CArray("bias", "int32_t", np.asarray(bias.data, dtype=np.int32).reshape(-1),
                   kind="bias"),
        ],
        scratch_bytes=buffer_size("EDGEAI_SVDF_BUFFER_SIZE"),
        macc=svdf_macc(graph, op),
        c_type="SVDF",
    )


LOWERINGS = {"SVDF": lower_svdf}
