"""RESHAPE, SQUEEZE, EXPAND_DIMS: shape-only ops.

The alias pass removes nearly all of them (the output shares the input's buffer). What
reaches lowering is a reshape from a graph input straight to a graph output, which needs
its own buffer: a plain copy.
"""

from __future__ import annotations

from edgeai_tool.codegen.layers.base import Buffer, LayerCode
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.shape import SHAPE_ONLY_OPS


def lower_copy(graph: Graph, op: Op) -> LayerCode:
    return LayerCode(
        kernel="edgeai_copy_s8",
        header="edgeai_copy.h",
        params_type="edgeai_copy_params",
        params={"size": graph.tensor(op.outputs[0]).nbytes},
        data_type="",
        data={},
        args=[Buffer("input", op.inputs[0]), Buffer("output", op.outputs[0])],
        c_type="Reshape",
    )


LOWERINGS = dict.fromkeys(SHAPE_ONLY_OPS, lower_copy)
