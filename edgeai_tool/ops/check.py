"""Refuse, with a precise message, every model the later stages cannot compile exactly.

Two moments, each rule checked once:

- `check_model`, on the imported graph before any pass: the model-wide rules (int8, or
  16x8 int16, quantized activations, known op kinds, ranks and batch-1 inputs and outputs). They are
  facts of the model file as a whole, which the passes rely on (they dispatch on op kinds
  and compare int8 quantization) and may hide (aliasing drops a reshape with its tensor),
  and a float or uint8 model is best told so whole, before any op is looked at.
- `check_op`, on each op of the optimised graph just before it is lowered: the op's own
  constraints, on exactly what the kernel will compute (a fused convolution and pool is
  checked as one). The passes transform only ops that pass it (`is_supported`), so an op the
  user wrote that is refused reaches this check unchanged and is named by its index in the
  model file.
"""

from __future__ import annotations

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import DTYPE_SIZES, Graph, Op
from edgeai_tool.ops import supported_ops

# The highest rank any supported op accepts (CONCATENATION, MEAN, PAD, TRANSPOSE); each
# op's own check narrows it (convolutions and pools: 1 x H x W x C).
MAX_RANK = 5
_CONVERSIONS = ("QUANTIZE", "DEQUANTIZE")


def check_model(graph: Graph) -> None:
    """Check the imported model's activation types, op kinds and tensor shapes."""
    _check_io_types(graph)
    table = supported_ops()
    for index, op in enumerate(graph.ops):
        if op.kind not in table:
            raise EdgeAIError(_refusal(graph, op, index))
    _check_tensor_types(graph)
    _check_shapes(graph)


def check_op(graph: Graph, op: Op) -> None:
    """Raise `EdgeAIError` naming the op (by its index in the model file) and why, when it
    is outside its support entry."""
    message = _refusal(graph, op, op.origin[0])
    if message:
        raise EdgeAIError(message)


def is_supported(graph: Graph, op: Op) -> bool:
    """Whether `check_op` accepts the op: what a pass asks before it transforms one."""
    return _refusal(graph, op, 0) is None


def _refusal(graph: Graph, op: Op, index: int) -> str | None:
    """The error message refusing op `index`, or None when it is supported."""
    table = supported_ops()
    entry = table.get(op.kind)
    if entry is None:
        return (f"{graph.name}: op {index} ({op.kind}) is not supported; "
                f"supported ops: {', '.join(table)} (see 'edgeai supported-ops')")
    try:
        reason = entry.check(graph, op)
    except (IndexError, KeyError, TypeError, ValueError):
        # a check reads inputs and options the schema guarantees; a file without them
        # (inputs left out as -1, missing options) is not one TFLite writes
        return (f"{graph.name}: op {index} ({op.kind}) cannot be read: inputs "
                f"{op.inputs}, outputs {op.outputs}, options {op.options or 'none'} do not "
                f"match what {op.kind} takes; the model is corrupt")
    if reason:
        return f"{graph.name}: op {index} ({op.kind}): {reason}; {op.kind} supports: " \
               f"{entry.constraints}"
    return None


def _check_io_types(graph: Graph) -> None:
    activations = {t for op in graph.ops for t in (*op.inputs, *op.outputs)
                   if t >= 0 and not graph.tensor(t).is_constant}
    dtypes = {graph.tensor(t).dtype for t in activations}
    float_ops = [(i, op.kind) for i, op in enumerate(graph.ops)
                 if op.kind not in _CONVERSIONS and _touches_float(graph, op)]
    if "float32" in dtypes and float_ops:
        quantized = any(graph.tensor(t).dtype in ("int8", "int16") for t in activations)
        what = (f"op {float_ops[0][0]} ({float_ops[0][1]}) computes in float32 in an "
                "otherwise int8 model" if quantized else "float32 model")
        raise EdgeAIError(
            f"{graph.name}: {what}; edgeai compiles full-integer int8 models "
            "(quantize it with TFLiteConverter, optimizations=[DEFAULT] and an int8 "
            "representative dataset, or 16x8 quantization)"
        )
    if "uint8" in dtypes:
        raise EdgeAIError(
            f"{graph.name}: uint8-quantized model (legacy TF1 quantization); "
            "only int8 quantization is supported"
        )
    for tensor_id in activations:
        tensor = graph.tensor(tensor_id)
        if tensor.dtype in ("int8", "int16") and tensor.quant is None:
            raise EdgeAIError(
                f"{graph.name}: tensor {tensor_id} ('{tensor.name}') is {tensor.dtype} "
                "without quantization parameters"
            )


def _check_tensor_types(graph: Graph) -> None:
    """Every tensor the ops touch has a type the kernels know (checked after the op kinds,
    so that a model with an unknown op on, say, string tensors is told about the op)."""
    for tensor_id in sorted({t for op in graph.ops for t in (*op.inputs, *op.outputs)
                             if t >= 0}):
        tensor = graph.tensor(tensor_id)
        if tensor.dtype not in DTYPE_SIZES:
            raise EdgeAIError(
                f"{graph.name}: tensor {tensor_id} ('{tensor.name}') has type "
                f"{tensor.dtype.upper()}, which is not supported (supported: "
                f"{', '.join(t.upper() for t in DTYPE_SIZES)})")


def _check_shapes(graph: Graph) -> None:
    """Ranks the kernels handle, and batch-1 model inputs and outputs (one sample per run).

    Checked after the op kinds, so that a model with an unknown op is told about the op."""
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


def _touches_float(graph: Graph, op: Op) -> bool:
    return any(t >= 0 and graph.tensor(t).dtype == "float32" for t in (*op.inputs, *op.outputs))
