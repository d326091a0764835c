"""Refuse, with a precise message, every model the later stages cannot compile exactly."""

from __future__ import annotations

from edgeai_tool.codegen.layers import supported_ops
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import Graph, Op


def check_supported(graph: Graph) -> Graph:
    """Check the model's I/O types and every op against the support table."""
    _check_io_types(graph)
    table = supported_ops()
    for index, op in enumerate(graph.ops):
        entry = table.get(op.kind)
        if entry is None:
            raise EdgeAIError(
                f"{graph.name}: op {index} ({op.kind}) is not supported; "
                f"supported ops: {', '.join(table)} (see 'edgeai supported-ops')"
            )
        reason = entry.check(graph, op)
        if reason:
            raise EdgeAIError(
                f"{graph.name}: op {index} ({op.kind}): {reason}; "
                f"{op.kind} supports: {entry.constraints}"
            )
    return graph


def _check_io_types(graph: Graph) -> None:
    activations = {t for op in graph.ops for t in (*op.inputs, *op.outputs)
                   if t >= 0 and not graph.tensor(t).is_constant}
    dtypes = {graph.tensor(t).dtype for t in activations}
    if "float32" in dtypes and _is_float_model(graph):
        raise EdgeAIError(
            f"{graph.name}: float32 model; edgeai compiles full-integer int8 models "
            "(quantize it with TFLiteConverter, optimizations=[DEFAULT] and an int8 "
            "representative dataset)"
        )
    if "uint8" in dtypes:
        raise EdgeAIError(
            f"{graph.name}: uint8-quantized model (legacy TF1 quantization); "
            "only int8 quantization is supported"
        )
    for tensor_id in activations:
        tensor = graph.tensor(tensor_id)
        if tensor.dtype == "int8" and tensor.quant is None:
            raise EdgeAIError(
                f"{graph.name}: tensor {tensor_id} ('{tensor.name}') is int8 without "
                "quantization parameters"
            )
        if len(tensor.shape) > 4 or (tensor.shape and tensor.shape[0] != 1):
            raise EdgeAIError(
                f"{graph.name}: tensor {tensor_id} ('{tensor.name}') has shape "
                f"{list(tensor.shape)}; activations must have batch 1 and at most 4 dimensions"
            )


def _is_float_model(graph: Graph) -> bool:
    """A float model computes in float32; an int8 model may only convert at its edges."""
    return any(op.kind not in ("QUANTIZE", "DEQUANTIZE") and _touches_float(graph, op)
               for op in graph.ops)


def _touches_float(graph: Graph, op: Op) -> bool:
    return any(t >= 0 and graph.tensor(t).dtype == "float32" for t in (*op.inputs, *op.outputs))
