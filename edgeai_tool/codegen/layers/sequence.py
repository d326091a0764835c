"""PACK, UNPACK, SPLIT and SPLIT_V, int8: raw copies, bit-exact with TFLite Micro (whose
kernels never read a scale). PACK is a CONCATENATION whose inputs lack the axis, so it runs
the concatenation kernels; the splits run their inverse, edgeai_split<N>_s8. What each op
accepts is in `edgeai_tool.ops.sequence`.
"""

from __future__ import annotations

import math

from edgeai_tool.codegen.layers.base import Buffer, LayerCode
from edgeai_tool.codegen.layers.transform import concat_layer
from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.sequence import SPLIT_MAX_OUTPUTS, pack_axis, split_axis, split_input


def lower_pack(graph: Graph, op: Op) -> LayerCode:
    """PACK -> edgeai_concat<N>_s8, N the number of computed inputs."""
    return concat_layer(graph, op, pack_axis(graph, op), "Pack")


def lower_split(graph: Graph, op: Op) -> LayerCode:
    """SPLIT, SPLIT_V, UNPACK -> edgeai_split<N>_s8, N the number of outputs."""
    x = split_input(graph, op)
    outer = math.prod(x.shape[:split_axis(graph, op)])
    blocks = [graph.tensor(t).size // outer for t in op.outputs]
    return LayerCode(
        kernel=f"edgeai_split{len(blocks)}_s8", header="edgeai_transform.h",
        params_type="edgeai_split_params",
        params={"num_outputs": len(blocks), "outer": outer,
                "block": tuple(blocks + [0] * (SPLIT_MAX_OUTPUTS - len(blocks)))},
        data_type="", data={},
        args=[Buffer("input", x.id), *(Buffer("output", t) for t in op.outputs)],
        macc=0, c_type="Split",
    )


LOWERINGS = {"PACK": lower_pack, "SPLIT": lower_split, "SPLIT_V": lower_split,
             "UNPACK": lower_split}
