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
    before: list[Op] = []
    after: list[Op] = []
    for k, tensor_id in enumerate(graph.inputs):
        kind = _conversion(graph.tensor(tensor_id), input_type, "input", k,
                           _INPUT_CONVERSIONS)
        if kind:
            edge = _float_twin(graph, tensor_id)
            before.append(Op(kind, [edge], [tensor_id], name=f"conversion_in_{k + 1}"))
            graph.inputs[k] = edge
    for k, tensor_id in enumerate(graph.outputs):
        kind = _conversion(graph.tensor(tensor_id), output_type, "output", k,
                           _OUTPUT_CONVERSIONS)
        if kind:
            edge = _float_twin(graph, tensor_id)
            after.append(Op(kind, [tensor_id], [edge], name=f"conversion_out_{k + 1}"))
            graph.outputs[k] = edge
    if before or after:
        graph.ops = [op.replace(origin=(index,)) for index, op in
                     enumerate((*before, *graph.ops, *after))]
    return graph


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
