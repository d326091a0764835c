"""Read a TensorFlow Lite flatbuffer into the graph IR.

Everything the later stages need is taken from the file here, once: shapes, dtypes,
quantization, constant data and every op's builtin options as plain Python values.
Nothing is interpreted yet; checking what we support is `edgeai_tool.ops`' job.
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import numpy as np
import tflite

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.ir import Graph, Op, Quantization, Tensor

_FLATBUFFER_IDENTIFIER = b"TFL3"

_DTYPES = {
    tflite.TensorType.FLOAT32: ("float32", np.float32),
    tflite.TensorType.FLOAT16: ("float16", np.float16),
    tflite.TensorType.INT32: ("int32", np.int32),
    tflite.TensorType.UINT8: ("uint8", np.uint8),
    tflite.TensorType.INT64: ("int64", np.int64),
    tflite.TensorType.BOOL: ("bool", np.bool_),
    tflite.TensorType.INT16: ("int16", np.int16),
    tflite.TensorType.INT8: ("int8", np.int8),
}


def _enum_names(enum_class: type) -> dict[int, str]:
    return {v: k for k, v in vars(enum_class).items() if not k.startswith("_")}


_OPERATOR_NAMES = _enum_names(tflite.BuiltinOperator)
_OPTIONS_NAMES = _enum_names(tflite.BuiltinOptions)
_TENSOR_TYPE_NAMES = _enum_names(tflite.TensorType)
_ACTIVATION_NAMES = _enum_names(tflite.ActivationFunctionType)
_PADDING_NAMES = _enum_names(tflite.Padding)


def load_model(path: str | Path) -> Graph:
    """Read and import a .tflite file; any problem is an `EdgeAIError` naming the file."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise EdgeAIError(f"model file not found: {path}") from None
    except OSError as exc:
        raise EdgeAIError(f"cannot read model file {path}: {exc.strerror}") from None
    return import_model(data, name=path.stem, source=str(path))


def import_model(data: bytes, name: str = "model", source: str = "<bytes>") -> Graph:
    """Import a TFLite flatbuffer held in memory."""
    if len(data) < 8 or data[4:8] != _FLATBUFFER_IDENTIFIER:
        raise EdgeAIError(f"{source} is not a TensorFlow Lite model (no TFL3 identifier)")
    try:
        model = tflite.Model.GetRootAs(data, 0)
        return _import(model, data, name)
    except EdgeAIError:
        raise
    except Exception as exc:  # the flatbuffer runtime raises anything on bad offsets
        raise EdgeAIError(
            f"{source} is truncated or corrupt: the flatbuffer cannot be read "
            f"({type(exc).__name__})"
        ) from None


def _import(model: tflite.Model, data: bytes, name: str) -> Graph:
    # The first subgraph is the model; others are only reached through control-flow ops
    # (CALL_ONCE, WHILE, IF), which the op check names as unsupported.
    if model.SubgraphsLength() == 0:
        raise EdgeAIError(f"{name}: the model has no subgraph: the model is corrupt")
    subgraph = model.Subgraphs(0)
    tensors = {i: _import_tensor(model, data, subgraph.Tensors(i), i)
               for i in range(subgraph.TensorsLength())}
    ops = [_import_op(model, subgraph.Operators(i), i) for i in range(subgraph.OperatorsLength())]
    graph = Graph(
        name=name,
        tensors=tensors,
        ops=ops,
        inputs=[int(i) for i in subgraph.InputsAsNumpy()] if subgraph.InputsLength() else [],
        outputs=[int(i) for i in subgraph.OutputsAsNumpy()] if subgraph.OutputsLength() else [],
    )
    _check_references(graph)
    return graph


def _check_references(graph: Graph) -> None:
    """Every tensor index an op or the subgraph names exists, and each tensor has one writer:
    a corrupt file fails here with a message rather than in a later stage."""
    count = len(graph.tensors)

    def corrupt(what: str) -> EdgeAIError:
        return EdgeAIError(f"{graph.name}: {what}: the model is corrupt")

    for index, op in enumerate(graph.ops):
        for t in op.inputs:
            if not -1 <= t < count:
                raise corrupt(f"op {index} ({op.kind}) reads tensor {t}, but the model has "
                              f"{count} tensors")
        for t in op.outputs:
            if not 0 <= t < count:
                raise corrupt(f"op {index} ({op.kind}) writes tensor {t}, but the model has "
                              f"{count} tensors")
    for role, ids in (("input", graph.inputs), ("output", graph.outputs)):
        if not ids:
            raise corrupt(f"the subgraph has no {role}s")
        for t in ids:
            if not 0 <= t < count:
                raise corrupt(f"subgraph {role} tensor {t} does not exist ({count} tensors)")
    writers: dict[int, int] = {}
    for index, op in enumerate(graph.ops):
        for t in op.outputs:
            tensor = graph.tensors[t]
            if t in writers or t in graph.inputs or tensor.is_constant or tensor.is_variable:
                raise corrupt(f"tensor {t} is written by op {index} ({op.kind}) but is "
                              "also a model input, a constant, a variable (an op's state) or "
                              "another op's output")
            writers[t] = index
    for t in graph.outputs:
        if t not in writers and t not in graph.inputs:
            raise corrupt(f"subgraph output tensor {t} ('{graph.tensors[t].name}') is "
                          "written by no op")
    for index, op in enumerate(graph.ops):
        if not op.outputs:
            raise corrupt(f"op {index} ({op.kind}) has no output")
        for t in op.inputs:
            if (t >= 0 and t not in graph.inputs and not graph.tensors[t].is_constant
                    and not graph.tensors[t].is_variable and writers.get(t, index) >= index):
                raise corrupt(f"op {index} ({op.kind}) reads tensor {t} "
                              f"('{graph.tensors[t].name}'), which is neither a model input, "
                              "a constant nor a variable, nor written by an earlier op")
    for tensor in graph.tensors.values():
        if any(d < 0 for d in tensor.shape):
            raise corrupt(f"tensor {tensor.id} ('{tensor.name}') has shape "
                          f"{list(tensor.shape)}")


def _import_tensor(model: tflite.Model, data: bytes, tensor: tflite.Tensor, index: int) -> Tensor:
    type_code = tensor.Type()
    # A type no kernel handles is kept by name: the op reading it is what gets refused.
    dtype, np_dtype = _DTYPES.get(type_code, (_TENSOR_TYPE_NAMES.get(type_code, str(type_code))
                                              .lower(), None))
    shape = tuple(int(d) for d in tensor.ShapeAsNumpy()) if tensor.ShapeLength() else ()
    if any(d < 0 for d in (tuple(tensor.ShapeSignatureAsNumpy()) if tensor.ShapeSignatureLength()
                           else ())[1:]):
        raise EdgeAIError(
            f"tensor {index} ('{_decode(tensor.Name())}') has a dynamic shape; "
            "only static shapes are supported"
        )
    quant = _import_quantization(tensor.Quantization())
    if quant is not None and not all(np.isfinite(s) and s >= 0 for s in quant.scale):
        raise EdgeAIError(
            f"tensor {index} ('{_decode(tensor.Name())}') has quantization scale "
            f"{next(s for s in quant.scale if not (np.isfinite(s) and s >= 0))}: the model is "
            "corrupt"
        )
    # TFLite Micro ignores any buffer a variable tensor names: its state starts at zero
    is_variable = bool(tensor.IsVariable())
    return Tensor(
        id=index,
        name=_decode(tensor.Name()) or f"tensor_{index}",
        shape=shape,
        dtype=dtype,
        quant=quant,
        data=None if is_variable or np_dtype is None else _buffer_data(
            model, data, tensor.Buffer(), np_dtype, shape),
        is_variable=is_variable,
    )


def _import_quantization(params: tflite.QuantizationParameters | None) -> Quantization | None:
    if params is None or params.ScaleLength() == 0:
        return None
    scales = tuple(float(s) for s in params.ScaleAsNumpy())
    zero_points = (tuple(int(z) for z in params.ZeroPointAsNumpy())
                   if params.ZeroPointLength() else (0,) * len(scales))
    return Quantization(scale=scales, zero_point=zero_points, axis=params.QuantizedDimension())


def _buffer_data(model: tflite.Model, data: bytes, buffer_index: int, np_dtype: type,
                 shape: tuple[int, ...]) -> np.ndarray | None:
    if buffer_index == 0 or buffer_index >= model.BuffersLength():
        return None
    buffer = model.Buffers(buffer_index)
    expected = int(np.prod(shape)) if shape else 1
    if buffer.Offset() > 1:  # large models keep buffers after the flatbuffer
        raw = data[buffer.Offset(): buffer.Offset() + buffer.Size()]
    elif buffer.DataLength():
        raw = buffer.DataAsNumpy().tobytes()
    elif expected == 0:  # a constant with no elements (e.g. an empty axis list)
        raw = b""
    else:
        return None
    values = np.frombuffer(raw, dtype=np_dtype)
    if values.size != expected:
        raise EdgeAIError(
            f"buffer {buffer_index} holds {values.size} values but its tensor has shape "
            f"{list(shape)} ({expected} values): the model is corrupt"
        )
    return values.reshape(shape).copy()


def _import_op(model: tflite.Model, operator: tflite.Operator, index: int) -> Op:
    code = model.OperatorCodes(operator.OpcodeIndex())
    builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
    kind = _OPERATOR_NAMES.get(builtin, f"BUILTIN_{builtin}")
    if kind == "CUSTOM":
        kind = f"CUSTOM({_decode(code.CustomCode())})"
    return Op(
        kind=kind,
        inputs=[int(i) for i in operator.InputsAsNumpy()] if operator.InputsLength() else [],
        outputs=[int(i) for i in operator.OutputsAsNumpy()] if operator.OutputsLength() else [],
        options=_import_options(operator),
        origin=(index,),
    )


def _import_options(operator: tflite.Operator) -> dict[str, Any]:
    """Every field of the op's builtin options table, snake_case, enums as names."""
    options_name = _OPTIONS_NAMES.get(operator.BuiltinOptionsType(), "NONE")
    table = operator.BuiltinOptions()
    if options_name == "NONE" or table is None:
        return {}
    options_class = getattr(tflite, options_name)
    options = options_class()
    options.Init(table.Bytes, table.Pos)
    return {_snake_case(field): _option_value(field, getter(options))
            for field, getter in _option_getters(options_class)}


def _option_getters(options_class: type) -> list[tuple[str, Any]]:
    getters = []
    for field, method in inspect.getmembers(options_class, inspect.isfunction):
        if field.startswith(("Init", "GetRoot")) or "BufferHasIdentifier" in field:
            continue
        if field.endswith(("Length", "IsNone")):
            continue
        parameters = inspect.signature(method).parameters
        if len(parameters) != 1:  # vector element accessors take an index
            continue
        getters.append((field.removesuffix("AsNumpy"), method))
    # A vector field has both X(j) and XAsNumpy(); keep one getter per field.
    return sorted(dict(getters).items())


def _option_value(field: str, value: Any) -> Any:
    if field == "FusedActivationFunction":
        return _ACTIVATION_NAMES.get(value, str(value))
    if field == "Padding":
        return _PADDING_NAMES.get(value, str(value))
    if isinstance(value, np.ndarray):
        return [v.item() for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        return value.item()
    return value


def _snake_case(name: str) -> str:
    """DilationHFactor -> dilation_h_factor, as the schema spells the field."""
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()


def _decode(value: bytes | None) -> str:
    return value.decode("utf-8", "replace") if value else ""
