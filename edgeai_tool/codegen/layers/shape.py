"""RESHAPE, SQUEEZE, EXPAND_DIMS: shape-only ops.

The alias pass removes nearly all of them (the output shares the input's buffer). What
reaches lowering is a reshape from a graph input straight to a graph output, which needs
its own buffer: a plain copy.
"""

from __future__ import annotations

from edgeai_tool.codegen.layers.base import Buffer, LayerCode, OpSupport
from edgeai_tool.ir import Graph, Op


def _check_shape_only(graph: Graph, op: Op) -> str | None:
    source, target = graph.tensor(op.inputs[0]), graph.tensor(op.outputs[0])
    if source.dtype != target.dtype:
        return f"input type {source.dtype} differs from output type {target.dtype}"
    if source.quant != target.quant:
        return "input and output quantization differ"
    if source.size != target.size:
        return f"{source.size} input elements cannot become {target.size} output elements"
    return None


_CONSTRAINTS = "any shape with the same element count and quantization; no copy (aliased)"
SUPPORT = [OpSupport(kind, _CONSTRAINTS, _check_shape_only)
           for kind in ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")]


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


LOWERINGS = {kind: lower_copy for kind in ("RESHAPE", "SQUEEZE", "EXPAND_DIMS")}
