"""`--input-data-type` / `--output-data-type`: conversion ops at the model's edges.

An int8 model asked for float32 inputs gets a QUANTIZE in front of each input, and for
float32 outputs a DEQUANTIZE behind each output, exactly as a model converted with float
edges carries them; the C then runs TFLite Micro's QUANTIZE/DEQUANTIZE kernels there, so
an application passing float arrays gets what TFLite Micro gives for such a model. The
conversions become ops of the imported graph (renumbered in execution order), so the
report shows them as ST shows its conversion layers.
"""

from __future__ import annotations

import dataclasses

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import Graph, Op, Tensor

# (model type, asked type) -> the op converting at an input / at an output
_INPUT_CONVERSIONS = {("int8", "float32"): "QUANTIZE"}
_OUTPUT_CONVERSIONS = {("int8", "float32"): "DEQUANTIZE"}


def with_io_types(graph: Graph, input_type: str = "", output_type: str = "") -> Graph:
    """The graph with the asked types at its inputs and outputs ("" keeps the model's)."""
    graph = graph.copy()
    before = _convert_edges(graph, graph.inputs, input_type, "input", _INPUT_CONVERSIONS)
    after = _convert_edges(graph, graph.outputs, output_type, "output", _OUTPUT_CONVERSIONS)
    if before or after:
        graph.ops = [op.replace(origin=(index,)) for index, op in
                     enumerate((*before, *graph.ops, *after))]
    return graph


def _convert_edges(graph: Graph, edges: list[int], asked: str, role: str,
                   conversions: dict[tuple[str, str], str]) -> list[Op]:
    """The conversion ops at the graph's inputs or outputs (`role`); each converted entry
    of `edges` is replaced by its float twin."""
    ops: list[Op] = []
    for k, tensor_id in enumerate(edges):
        kind = _conversion(graph.tensor(tensor_id), asked, role, k, conversions)
        if kind:
            edge = _float_twin(graph, tensor_id)
            # the conversion reads the outside (float) tensor at an input, writes it at an output
            if role == "input":
                op = Op(kind, [edge], [tensor_id], name=f"conversion_in_{k + 1}")
            else:
                op = Op(kind, [tensor_id], [edge], name=f"conversion_out_{k + 1}")
            ops.append(op)
            edges[k] = edge
    return ops


def _conversion(tensor: Tensor, asked: str, role: str, k: int,
                conversions: dict[tuple[str, str], str]) -> str | None:
    if not asked or asked == tensor.dtype:
        return None
    kind = conversions.get((tensor.dtype, asked))
    if kind is None or tensor.quant is None or tensor.quant.per_channel:
        supported = ", ".join(f"{have} -> {want}" for have, want in conversions)
        raise EdgeAIError(f"--{role}-data-type {asked}: {role} {k + 1} '{tensor.name}' is "
                          f"{tensor.dtype}; edgeai converts {supported} only")
    return kind


def _float_twin(graph: Graph, tensor_id: int) -> int:
    """A new float32 tensor taking over the name of `tensor_id` (which gets a suffix)."""
    tensor = graph.tensor(tensor_id)
    twin = Tensor(graph.new_tensor_id(), tensor.name, tensor.shape, "float32")
    graph.tensors[twin.id] = twin
    graph.tensors[tensor_id] = dataclasses.replace(tensor, name=f"{tensor.name}_int8")
    return twin.id
