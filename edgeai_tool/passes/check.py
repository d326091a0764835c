"""Refuse, with a precise message, every model the later stages cannot compile exactly."""

from __future__ import annotations

from edgeai_tool.codegen.layers import supported_ops
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import Graph, Op

# The highest rank any supported op accepts (CONCATENATION, MEAN, PAD, TRANSPOSE); each
# op's own check narrows it (convolutions and pools: 1 x H x W x C).
MAX_RANK = 5


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
        try:
            reason = entry.check(graph, op)
        except (IndexError, KeyError, TypeError, ValueError):
            # a check reads inputs and options the schema guarantees; a file without them
            # (inputs left out as -1, missing options) is not one TFLite writes
            raise EdgeAIError(
                f"{graph.name}: op {index} ({op.kind}) cannot be read: inputs "
                f"{op.inputs}, outputs {op.outputs}, options {op.options or 'none'} do not "
                f"match what {op.kind} takes; the model is corrupt"
            ) from None
        if reason:
            raise EdgeAIError(
                f"{graph.name}: op {index} ({op.kind}): {reason}; "
                f"{op.kind} supports: {entry.constraints}"
            )
    _check_shapes(graph)
    return graph


def _check_io_types(graph: Graph) -> None:
    activations = {t for op in graph.ops for t in (*op.inputs, *op.outputs)
                   if t >= 0 and not graph.tensor(t).is_constant}
    dtypes = {graph.tensor(t).dtype for t in activations}
    if "float32" in dtypes and _is_float_model(graph):
        float_ops = [(i, op.kind) for i, op in enumerate(graph.ops)
                     if op.kind not in ("QUANTIZE", "DEQUANTIZE") and _touches_float(graph, op)]
        quantized = any(graph.tensor(t).dtype == "int8" for t in activations)
        what = (f"op {float_ops[0][0]} ({float_ops[0][1]}) computes in float32 in an "
                "otherwise int8 model" if quantized else "float32 model")
        raise EdgeAIError(
            f"{graph.name}: {what}; edgeai compiles full-integer int8 models "
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


def _check_shapes(graph: Graph) -> None:
    """Ranks the kernels handle, and batch-1 model inputs and outputs (one sample per run).

    Checked after the ops, so that a model with an unsupported op is told about the op."""
    for tensor_id in sorted({t for op in graph.ops for t in (*op.inputs, *op.outputs)
                             if t >= 0 and not graph.tensor(t).is_constant}):
        tensor = graph.tensor(tensor_id)
        if tensor.size == 0:
            raise EdgeAIError(
                f"{graph.name}: tensor {tensor_id} ('{tensor.name}') has shape "
                f"{list(tensor.shape)}: empty activations are not supported"
            )
        if len(tensor.shape) > MAX_RANK:
            raise EdgeAIError(
                f"{graph.name}: tensor {tensor_id} ('{tensor.name}') has shape "
                f"{list(tensor.shape)}; activations have at most {MAX_RANK} dimensions"
            )
    for tensor_id in (*graph.inputs, *graph.outputs):
        tensor = graph.tensor(tensor_id)
        if not tensor.shape or tensor.shape[0] != 1:
            raise EdgeAIError(
                f"{graph.name}: {'input' if tensor_id in graph.inputs else 'output'} tensor "
                f"{tensor_id} ('{tensor.name}') has shape {list(tensor.shape)}; model inputs "
                "and outputs must have batch 1"
            )


def _is_float_model(graph: Graph) -> bool:
    """A float model computes in float32; an int8 model may only convert at its edges."""
    return any(op.kind not in ("QUANTIZE", "DEQUANTIZE") and _touches_float(graph, op)
               for op in graph.ops)


def _touches_float(graph: Graph, op: Op) -> bool:
    return any(t >= 0 and graph.tensor(t).dtype == "float32" for t in (*op.inputs, *op.outputs))
