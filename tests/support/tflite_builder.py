"""Build small int8 TFLite flatbuffers at test time, without TensorFlow.

Example::

    b = ModelBuilder()
    x = b.input("x", (1, 8, 8, 1), scale=0.03, zero_point=-9)
    wq, ws = quantize_weights(w_float, per_channel=True, axis=0)
    w = b.const("w", wq, scale=ws, zero_point=0, axis=0)
    bias = b.const("bias", bias_q, scale=x.scale * ws)
    y = b.tensor("y", (1, 6, 6, 4), scale=0.05, zero_point=-3)
    b.op("CONV_2D", [x, w, bias], [y], stride_h=1, stride_w=1, padding="VALID")
    b.output(y)
    data = b.build()

Operator options are given by their schema field names in snake_case and are written into the
op's builtin options table, found by reflection on the ``tflite`` package (``Conv2DOptions``,
``Pool2DOptions``, ...). Enum options accept names (``padding="SAME"``,
``fused_activation_function="RELU6"``); vector options accept sequences (``new_shape=[1, 10]``).
Ops whose parameters are tensors (PAD paddings, MEAN axis, TRANSPOSE perm, STRIDED_SLICE
begin/end/strides, RESHAPE shape) take int32 const tensors made with :meth:`ModelBuilder.const`.

``add_conv2d`` / ``add_depthwise_conv2d`` / ``add_fully_connected`` add a layer with random
weights and an output scale/zero point calibrated on sample inputs, so outputs span int8.

tflite-micro int8 constraints worth knowing when choosing output quantization:
SOFTMAX and LOGISTIC need (1/256, -128), TANH (1/128, 0); pools, CONCATENATION and the PADV2
pad value must share the input's scale/zero point (refused otherwise); RELU6, MAXIMUM,
MINIMUM, TRANSPOSE, STRIDED_SLICE, RESHAPE, SQUEEZE, EXPAND_DIMS and PAD never read the output
quantization and copy raw values, so give them the input's.
"""

from __future__ import annotations

import dataclasses
import functools
import importlib
import inspect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import flatbuffers
import numpy as np
import tflite

from .reference import conv2d_nhwc, depthwise_conv2d_nhwc, fully_connected

__all__ = [
    "DEFAULT_OP_VERSIONS",
    "ModelBuilder",
    "TensorRef",
    "add_conv2d",
    "add_depthwise_conv2d",
    "add_fully_connected",
    "bias_for",
    "choose_qparams",
    "dequantize",
    "qparams_from_values",
    "quantize",
    "quantize_weights",
    "symmetric_qparams",
]

SCHEMA_VERSION = 3
FILE_IDENTIFIER = b"TFL3"
_BUFFER_ALIGNMENT = 16

_NP_TO_TFLITE = {
    np.dtype(np.float32): tflite.TensorType.FLOAT32,
    np.dtype(np.float16): tflite.TensorType.FLOAT16,
    np.dtype(np.int8): tflite.TensorType.INT8,
    np.dtype(np.uint8): tflite.TensorType.UINT8,
    np.dtype(np.int16): tflite.TensorType.INT16,
    np.dtype(np.int32): tflite.TensorType.INT32,
    np.dtype(np.int64): tflite.TensorType.INT64,
    np.dtype(np.bool_): tflite.TensorType.BOOL,
}

# Operator versions as the TFLite converter would write them for int8 models. TFLM resolves
# builtins by code only, but a plausible version keeps the files faithful to real ones.
DEFAULT_OP_VERSIONS: dict[str, int] = {
    "CONV_2D": 3,
    "DEPTHWISE_CONV_2D": 3,
    "FULLY_CONNECTED": 4,
    "MAX_POOL_2D": 2,
    "AVERAGE_POOL_2D": 2,
    "MEAN": 2,
    "ADD": 2,
    "SUB": 2,
    "MUL": 2,
    "CONCATENATION": 2,
    "PAD": 2,
    "PADV2": 2,
    "RESHAPE": 1,
    "SQUEEZE": 1,
    "EXPAND_DIMS": 1,
    "SOFTMAX": 2,
    "LOGISTIC": 2,
    "TANH": 2,
    "RELU": 2,
    "RELU6": 2,
    "LEAKY_RELU": 2,
    "HARD_SWISH": 1,
    "QUANTIZE": 2,
    "DEQUANTIZE": 2,
    "MAXIMUM": 2,
    "MINIMUM": 2,
    "TRANSPOSE": 2,
    "STRIDED_SLICE": 2,
}

# Ops whose options table name is not simply CamelCase(op name) + "Options".
_OPTIONS_TABLE_OVERRIDES = {
    "MAX_POOL_2D": "Pool2DOptions",
    "AVERAGE_POOL_2D": "Pool2DOptions",
    "L2_POOL_2D": "Pool2DOptions",
    "MEAN": "ReducerOptions",
    "SUM": "ReducerOptions",
    "REDUCE_MAX": "ReducerOptions",
    "REDUCE_MIN": "ReducerOptions",
    "REDUCE_PROD": "ReducerOptions",
    "REDUCE_ANY": "ReducerOptions",
    "MAXIMUM": "MaximumMinimumOptions",
    "MINIMUM": "MaximumMinimumOptions",
    "PADV2": "PadV2Options",
    "LOGISTIC": None,
    "TANH": None,
    "RELU": None,
    "RELU6": None,
    "RELU_N1_TO_1": None,
}

# Enum-typed option fields (CamelCase field name -> enum class).
_ENUM_FIELDS: dict[str, type] = {
    "Padding": tflite.Padding,
    "FusedActivationFunction": tflite.ActivationFunctionType,
    "QuantizedBiasType": tflite.TensorType,
    "WeightsFormat": tflite.FullyConnectedOptionsWeightsFormat,
}

_FLAGS_TO_NP = {
    "Bool": np.bool_,
    "Int8": np.int8,
    "Uint8": np.uint8,
    "Int16": np.int16,
    "Uint16": np.uint16,
    "Int32": np.int32,
    "Uint32": np.uint32,
    "Int64": np.int64,
    "Uint64": np.uint64,
    "Float32": np.float32,
    "Float64": np.float64,
}


@dataclass(frozen=True, eq=False)
class TensorRef:
    """Handle to a tensor added to a :class:`ModelBuilder`."""

    index: int
    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    scales: tuple[float, ...] | None = None
    zero_points: tuple[int, ...] | None = None
    axis: int = 0
    data: np.ndarray | None = None
    is_variable: bool = False

    @property
    def is_const(self) -> bool:
        """True if the tensor has a constant buffer."""
        return self.data is not None

    @property
    def scale(self) -> float:
        """The per-tensor scale (float32-rounded, as stored in the file)."""
        if not self.scales or len(self.scales) != 1:
            raise ValueError(f"tensor {self.name!r} is not per-tensor quantized")
        return self.scales[0]

    @property
    def zero_point(self) -> int:
        """The per-tensor zero point."""
        if not self.zero_points or len(self.zero_points) != 1:
            raise ValueError(f"tensor {self.name!r} is not per-tensor quantized")
        return self.zero_points[0]


@dataclass
class _Op:
    name: str
    inputs: list[int]
    outputs: list[int]
    options: dict[str, Any]
    version: int
    custom_code: str = ""


_OPTIONS_TABLES_BY_LOWER = {
    name.lower(): name for name in vars(tflite.BuiltinOptions) if name.endswith("Options")
}


def _field_camel(snake: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in snake.split("_"))


@functools.cache
def _options_table(op_name: str) -> tuple[str, ModuleType] | None:
    """Return (options table name, generated module) for an op, or None if it has none."""
    if op_name in _OPTIONS_TABLE_OVERRIDES:
        table = _OPTIONS_TABLE_OVERRIDES[op_name]
    else:
        table = _OPTIONS_TABLES_BY_LOWER.get(op_name.replace("_", "").lower() + "options")
    if table is None:
        return None
    return table, importlib.import_module(f"tflite.{table}")


def _option_fields(module: ModuleType) -> list[str]:
    return sorted(
        name[3:]
        for name in vars(module)
        if name.startswith("Add") and callable(getattr(module, name))
    )


@functools.cache
def _vector_element_dtype(table: str, field: str) -> np.dtype:
    cls = getattr(importlib.import_module(f"tflite.{table}"), table)
    source = inspect.getsource(getattr(cls, field))
    match = re.search(r"number_types\.(\w+)Flags, a \+", source)
    if not match:
        raise TypeError(f"{table}.{field} is not a scalar vector field")
    return np.dtype(_FLAGS_TO_NP[match.group(1)])


def _enum_value(field: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    enum_cls = _ENUM_FIELDS.get(field) or getattr(tflite, field, None)
    if enum_cls is None or not hasattr(enum_cls, value.upper()):
        raise ValueError(f"unknown value {value!r} for option {field}")
    return getattr(enum_cls, value.upper())


def _as_scales(scale: float | Sequence[float] | np.ndarray) -> tuple[float, ...]:
    arr = np.atleast_1d(np.asarray(scale, dtype=np.float64)).astype(np.float32)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError("scale must be a scalar or a 1-D sequence")
    return tuple(float(s) for s in arr)


class ModelBuilder:
    """Accumulates tensors and operators of one subgraph and serializes a TFLite model."""

    def __init__(self, description: str = "edgeai test model") -> None:
        self.description = description
        self.tensors: list[TensorRef] = []
        self.ops: list[_Op] = []
        self.inputs: list[int] = []
        self.outputs: list[int] = []

    # -- tensors -------------------------------------------------------------------------------

    def tensor(
        self,
        name: str,
        shape: Sequence[int],
        scale: float | Sequence[float] | np.ndarray | None = None,
        zero_point: int | Sequence[int] | np.ndarray | None = None,
        dtype: Any = np.int8,
        axis: int = 0,
        data: np.ndarray | None = None,
    ) -> TensorRef:
        """Add an activation tensor (or, with ``data``, a constant one)."""
        dtype = np.dtype(dtype)
        if dtype not in _NP_TO_TFLITE:
            raise TypeError(f"unsupported tensor dtype {dtype}")
        scales: tuple[float, ...] | None = None
        zero_points: tuple[int, ...] | None = None
        if scale is not None:
            scales = _as_scales(scale)
            zp = np.atleast_1d(np.asarray(0 if zero_point is None else zero_point, np.int64))
            if zp.size == 1:
                zp = np.repeat(zp, len(scales))
            if zp.size != len(scales):
                raise ValueError(f"{name}: {zp.size} zero points for {len(scales)} scales")
            zero_points = tuple(int(z) for z in zp)
            if len(scales) > 1 and shape[axis] != len(scales):
                raise ValueError(
                    f"{name}: {len(scales)} scales but dimension {axis} has {shape[axis]}"
                )
        elif zero_point is not None:
            raise ValueError(f"{name}: zero_point given without scale")
        ref = TensorRef(
            index=len(self.tensors),
            name=name,
            shape=tuple(int(d) for d in shape),
            dtype=dtype,
            scales=scales,
            zero_points=zero_points,
            axis=axis,
            data=data,
        )
        self.tensors.append(ref)
        return ref

    def _activation(self, name: str, shape: Sequence[int], scale: float | None,
                    zero_point: int, dtype: Any) -> TensorRef:
        """A computed tensor, quantized when a scale is given."""
        return self.tensor(name, shape, scale, zero_point if scale is not None else None, dtype)

    def input(
        self,
        name: str,
        shape: Sequence[int],
        scale: float | None = None,
        zero_point: int = 0,
        dtype: Any = np.int8,
    ) -> TensorRef:
        """Add a subgraph input tensor (int8 by default)."""
        ref = self._activation(name, shape, scale, zero_point, dtype)
        self.inputs.append(ref.index)
        return ref

    def const(
        self,
        name: str,
        data: np.ndarray | Sequence[Any],
        scale: float | Sequence[float] | np.ndarray | None = None,
        zero_point: int | Sequence[int] | np.ndarray | None = None,
        axis: int = 0,
        dtype: Any = None,
    ) -> TensorRef:
        """Add a constant tensor; the dtype is the array's (lists default to int32)."""
        if dtype is None and not isinstance(data, np.ndarray):
            dtype = np.int32
        arr = np.ascontiguousarray(np.asarray(data, dtype=dtype))
        return self.tensor(name, arr.shape, scale, zero_point, arr.dtype, axis, data=arr)

    def variable(
        self,
        name: str,
        shape: Sequence[int],
        scale: float | None = None,
        zero_point: int = 0,
        dtype: Any = np.int8,
    ) -> TensorRef:
        """Add a variable tensor (`is_variable`): an op's state, kept between invocations."""
        ref = self._activation(name, shape, scale, zero_point, dtype)
        ref = dataclasses.replace(ref, is_variable=True)
        self.tensors[ref.index] = ref
        return ref

    def output(self, *refs: TensorRef) -> None:
        """Mark tensors as subgraph outputs (in call order)."""
        self.outputs.extend(r.index for r in refs)

    # -- operators -----------------------------------------------------------------------------

    def op(
        self,
        name: str,
        inputs: Sequence[TensorRef | None],
        outputs: Sequence[TensorRef],
        version: int | None = None,
        **options: Any,
    ) -> None:
        """Add a builtin operator; ``None`` inputs are written as -1 (omitted optional)."""
        name = name.upper()
        if not hasattr(tflite.BuiltinOperator, name):
            raise ValueError(f"unknown builtin operator {name}")
        table = _options_table(name)
        if options:
            if table is None:
                raise ValueError(f"{name} takes no options, got {sorted(options)}")
            known = _option_fields(table[1])
            for key, value in options.items():
                field = _field_camel(key)
                if field not in known:
                    raise ValueError(f"{name} ({table[0]}) has no option {key!r}; known: {known}")
                if not hasattr(table[1], f"Start{field}Vector"):
                    _enum_value(field, value)  # fail early on unknown enum names
        self.ops.append(
            _Op(
                name=name,
                inputs=[-1 if t is None else t.index for t in inputs],
                outputs=[t.index for t in outputs],
                options=dict(options),
                version=version if version is not None else DEFAULT_OP_VERSIONS.get(name, 1),
            )
        )

    def custom_op(self, code: str, inputs: Sequence[TensorRef], outputs: Sequence[TensorRef]
                  ) -> None:
        """Add a custom operator named `code` (no options)."""
        self.ops.append(_Op(name="CUSTOM", inputs=[t.index for t in inputs],
                            outputs=[t.index for t in outputs], options={}, version=1,
                            custom_code=code))

    # -- serialization -------------------------------------------------------------------------

    def build(self) -> bytes:
        """Serialize the model into a TFLite flatbuffer."""
        if not self.inputs or not self.outputs:
            raise ValueError("model needs at least one input and one output")
        fb = flatbuffers.Builder(4096)

        # Buffers: 0 is the empty sentinel; each constant gets its own.
        buffer_data: list[bytes] = [b""]
        buffer_of: dict[int, int] = {}
        for ref in self.tensors:
            if ref.data is not None:
                buffer_of[ref.index] = len(buffer_data)
                buffer_data.append(ref.data.astype(ref.data.dtype.newbyteorder("<")).tobytes())
        buffers = [self._buffer(fb, data) for data in buffer_data]

        tensors = [self._tensor(fb, ref, buffer_of.get(ref.index, 0)) for ref in self.tensors]

        codes: list[tuple[str, int]] = []
        for op in self.ops:
            if (op.name, op.version, op.custom_code) not in codes:
                codes.append((op.name, op.version, op.custom_code))
        operators = [self._operator(fb, op, codes.index((op.name, op.version, op.custom_code)))
                     for op in self.ops]
        opcodes = [self._opcode(fb, *code) for code in codes]

        name = fb.CreateString("main")
        tensors_vec = self._offsets(fb, tflite.SubGraphStartTensorsVector, tensors)
        inputs_vec = fb.CreateNumpyVector(np.asarray(self.inputs, np.int32))
        outputs_vec = fb.CreateNumpyVector(np.asarray(self.outputs, np.int32))
        ops_vec = self._offsets(fb, tflite.SubGraphStartOperatorsVector, operators)
        tflite.SubGraphStart(fb)
        tflite.SubGraphAddTensors(fb, tensors_vec)
        tflite.SubGraphAddInputs(fb, inputs_vec)
        tflite.SubGraphAddOutputs(fb, outputs_vec)
        tflite.SubGraphAddOperators(fb, ops_vec)
        tflite.SubGraphAddName(fb, name)
        subgraph = tflite.SubGraphEnd(fb)

        codes_vec = self._offsets(fb, tflite.ModelStartOperatorCodesVector, opcodes)
        subgraphs_vec = self._offsets(fb, tflite.ModelStartSubgraphsVector, [subgraph])
        description = fb.CreateString(self.description)
        buffers_vec = self._offsets(fb, tflite.ModelStartBuffersVector, buffers)
        tflite.ModelStart(fb)
        tflite.ModelAddVersion(fb, SCHEMA_VERSION)
        tflite.ModelAddOperatorCodes(fb, codes_vec)
        tflite.ModelAddSubgraphs(fb, subgraphs_vec)
        tflite.ModelAddDescription(fb, description)
        tflite.ModelAddBuffers(fb, buffers_vec)
        model = tflite.ModelEnd(fb)
        fb.Finish(model, file_identifier=FILE_IDENTIFIER)
        return bytes(fb.Output())

    @staticmethod
    def _offsets(fb: flatbuffers.Builder, start: Any, offsets: list[int]) -> int:
        start(fb, len(offsets))
        for off in reversed(offsets):
            fb.PrependUOffsetTRelative(off)
        return fb.EndVector()

    @staticmethod
    def _buffer(fb: flatbuffers.Builder, data: bytes) -> int:
        vec = None
        if data:
            fb.StartVector(1, len(data), _BUFFER_ALIGNMENT)
            fb.head -= len(data)
            fb.Bytes[fb.head : fb.head + len(data)] = data
            vec = fb.EndVector()
        tflite.BufferStart(fb)
        if vec is not None:
            tflite.BufferAddData(fb, vec)
        return tflite.BufferEnd(fb)

    @staticmethod
    def _tensor(fb: flatbuffers.Builder, ref: TensorRef, buffer: int) -> int:
        quant = None
        if ref.scales is not None:
            assert ref.zero_points is not None
            scale_vec = fb.CreateNumpyVector(np.asarray(ref.scales, np.float32))
            zp_vec = fb.CreateNumpyVector(np.asarray(ref.zero_points, np.int64))
            tflite.QuantizationParametersStart(fb)
            tflite.QuantizationParametersAddScale(fb, scale_vec)
            tflite.QuantizationParametersAddZeroPoint(fb, zp_vec)
            tflite.QuantizationParametersAddQuantizedDimension(fb, ref.axis)
            quant = tflite.QuantizationParametersEnd(fb)
        name = fb.CreateString(ref.name)
        shape = fb.CreateNumpyVector(np.asarray(ref.shape, np.int32))
        tflite.TensorStart(fb)
        tflite.TensorAddShape(fb, shape)
        tflite.TensorAddType(fb, _NP_TO_TFLITE[ref.dtype])
        tflite.TensorAddBuffer(fb, buffer)
        tflite.TensorAddName(fb, name)
        if ref.is_variable:
            tflite.TensorAddIsVariable(fb, True)
        if quant is not None:
            tflite.TensorAddQuantization(fb, quant)
        return tflite.TensorEnd(fb)

    @staticmethod
    def _opcode(fb: flatbuffers.Builder, name: str, version: int, custom_code: str) -> int:
        code = getattr(tflite.BuiltinOperator, name)
        custom = fb.CreateString(custom_code) if custom_code else None
        tflite.OperatorCodeStart(fb)
        if custom is not None:
            tflite.OperatorCodeAddCustomCode(fb, custom)
        tflite.OperatorCodeAddDeprecatedBuiltinCode(fb, min(code, 127))
        tflite.OperatorCodeAddBuiltinCode(fb, code)
        tflite.OperatorCodeAddVersion(fb, version)
        return tflite.OperatorCodeEnd(fb)

    @staticmethod
    def _options(fb: flatbuffers.Builder, op: _Op) -> tuple[int, int | None]:
        found = _options_table(op.name)
        if found is None:
            return tflite.BuiltinOptions.NONE, None
        table, module = found
        scalars: list[tuple[str, Any]] = []
        vectors: list[tuple[str, int]] = []
        for key, value in op.options.items():
            field = _field_camel(key)
            if hasattr(module, f"Start{field}Vector"):
                dtype = _vector_element_dtype(table, field)
                vectors.append((field, fb.CreateNumpyVector(np.asarray(value, dtype))))
            else:
                scalars.append((field, _enum_value(field, value)))
        module.Start(fb)
        for field, value in scalars:
            getattr(module, f"Add{field}")(fb, value)
        for field, vec in vectors:
            getattr(module, f"Add{field}")(fb, vec)
        return getattr(tflite.BuiltinOptions, table), module.End(fb)

    def _operator(self, fb: flatbuffers.Builder, op: _Op, opcode_index: int) -> int:
        options_type, options = self._options(fb, op)
        inputs = fb.CreateNumpyVector(np.asarray(op.inputs, np.int32))
        outputs = fb.CreateNumpyVector(np.asarray(op.outputs, np.int32))
        tflite.OperatorStart(fb)
        tflite.OperatorAddOpcodeIndex(fb, opcode_index)
        tflite.OperatorAddInputs(fb, inputs)
        tflite.OperatorAddOutputs(fb, outputs)
        if options is not None:
            tflite.OperatorAddBuiltinOptionsType(fb, options_type)
            tflite.OperatorAddBuiltinOptions(fb, options)
        return tflite.OperatorEnd(fb)


# -- quantization helpers ----------------------------------------------------------------------


def quantize_weights(
    w: np.ndarray, per_channel: bool = True, axis: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Symmetric int8 weights as TFLite does: scale = max|w| / 127, zero point 0.

    Returns (int8 weights, float32 scales); scales has one entry per slice along ``axis``
    when ``per_channel`` else a single entry.
    """
    w = np.asarray(w, np.float64)
    if per_channel:
        reduce_axes = tuple(i for i in range(w.ndim) if i != axis % w.ndim)
        max_abs = np.max(np.abs(w), axis=reduce_axes)
    else:
        max_abs = np.atleast_1d(np.max(np.abs(w)))
    scales = np.where(max_abs > 0, max_abs / 127.0, 1.0).astype(np.float32)
    shape = [1] * w.ndim
    if per_channel:
        shape[axis % w.ndim] = -1
    q = np.clip(np.round(w / scales.astype(np.float64).reshape(shape)), -127, 127)
    return q.astype(np.int8), scales


def bias_for(
    float_bias: np.ndarray, input_scale: float, filter_scales: np.ndarray | float,
    dtype: Any = np.int32,
) -> tuple[np.ndarray, np.ndarray]:
    """Bias with scale input_scale * filter_scale (per channel); returns (bias, scales).

    int32 for int8 models; 16x8 models (int16 activations) take ``dtype=np.int64``."""
    scales = (np.float32(input_scale) * np.asarray(filter_scales, np.float32)).astype(np.float32)
    scales = np.broadcast_to(scales, np.shape(float_bias)).astype(np.float32)
    q = np.round(np.asarray(float_bias, np.float64) / scales.astype(np.float64))
    info = np.iinfo(dtype)
    return np.clip(q, info.min, info.max).astype(dtype), scales


def choose_qparams(fmin: float, fmax: float, dtype: Any = np.int8) -> tuple[float, int]:
    """Asymmetric (scale, zero_point) covering [fmin, fmax] (widened to include 0), TFLite style."""
    info = np.iinfo(dtype)
    qmin, qmax = int(info.min), int(info.max)
    fmin, fmax = min(float(fmin), 0.0), max(float(fmax), 0.0)
    if fmax == fmin:
        return 1.0, 0 if qmin < 0 else qmin
    scale = float(np.float32((fmax - fmin) / (qmax - qmin)))
    zp = int(np.clip(round(qmin - fmin / scale), qmin, qmax))
    return scale, zp


def qparams_from_values(
    values: np.ndarray, dtype: Any = np.int8, margin: float = 0.0
) -> tuple[float, int]:
    """Pick (scale, zero_point) so the given float values span the integer range.

    ``margin`` widens the observed range by that fraction on each side.
    """
    values = np.asarray(values, np.float64)
    lo, hi = float(values.min()), float(values.max())
    pad = (hi - lo) * margin
    return choose_qparams(lo - pad, hi + pad, dtype)


def symmetric_qparams(values: np.ndarray, dtype: Any = np.int16) -> tuple[float, int]:
    """(scale, 0) mapping max |values| to the dtype's largest value: TFLite's 16x8 activations."""
    peak = float(np.max(np.abs(np.asarray(values, np.float64))))
    return float(np.float32(peak / np.iinfo(dtype).max)) if peak else 1.0, 0


def activation_qparams(values: np.ndarray, dtype: Any = np.int8) -> tuple[float, int]:
    """Calibrated activation quantization: asymmetric for int8, symmetric for int16 (16x8)."""
    if np.dtype(dtype) == np.int16:
        return symmetric_qparams(values)
    return qparams_from_values(values)


def quantize(x: np.ndarray, scale: float, zero_point: int, dtype: Any = np.int8) -> np.ndarray:
    """Round-to-nearest affine quantization with clamping to the dtype's range."""
    info = np.iinfo(dtype)
    q = np.round(np.asarray(x, np.float64) / np.float32(scale)) + zero_point
    return np.clip(q, info.min, info.max).astype(dtype)


def dequantize(
    q: np.ndarray, scale: float | np.ndarray, zero_point: int | np.ndarray = 0
) -> np.ndarray:
    """Affine dequantization to float64."""
    return (np.asarray(q, np.float64) - zero_point) * np.asarray(scale, np.float64)


# -- calibrated layers -------------------------------------------------------------------------


def _bias_and_output(
    b: ModelBuilder,
    name: str,
    x: TensorRef,
    wq: np.ndarray,
    ws: np.ndarray,
    w_axis: int,
    float_bias: np.ndarray,
    y_float_fn: Any,
    activation: str,
) -> tuple[TensorRef, TensorRef, TensorRef, np.ndarray]:
    """Weights, bias (int32, or int64 with int16 activations) and the calibrated output."""
    w = b.const(f"{name}/weights", wq, scale=ws, zero_point=0, axis=w_axis)
    wide = x.dtype == np.int16
    bq, bs = bias_for(float_bias, x.scale, ws, np.int64 if wide else np.int32)
    bias = b.const(f"{name}/bias", bq, scale=bs, zero_point=0)
    shape = [-1 if i == w_axis else 1 for i in range(wq.ndim)]
    y_float = y_float_fn(dequantize(wq, ws.reshape(shape)), dequantize(bq, bs))
    y_float = _apply_activation(y_float, activation)
    scale, zp = activation_qparams(y_float, x.dtype)
    y = b.tensor(f"{name}/out", (x.shape[0], *y_float.shape[2:]), scale=scale, zero_point=zp,
                 dtype=x.dtype)
    return w, bias, y, y_float


def _apply_activation(v: np.ndarray, activation: str) -> np.ndarray:
    act = activation.upper()
    if act == "RELU":
        return np.maximum(v, 0)
    if act == "RELU6":
        return np.clip(v, 0, 6)
    if act == "RELU_N1_TO_1":
        return np.clip(v, -1, 1)
    if act == "NONE":
        return v
    raise ValueError(f"unsupported fused activation {activation}")


def _calibration_floats(x: TensorRef, x_samples: np.ndarray) -> np.ndarray:
    """Float view of [n, *x.shape] samples: integer samples are dequantized, floats kept."""
    s = np.asarray(x_samples)
    if s.shape[1:] != x.shape:
        raise ValueError(f"samples {s.shape} do not match tensor {x.name} {x.shape}")
    if np.issubdtype(s.dtype, np.integer):
        return dequantize(s, x.scale, x.zero_point)
    return s.astype(np.float64)


def add_conv2d(
    b: ModelBuilder,
    x: TensorRef,
    x_samples: np.ndarray,
    rng: np.random.Generator,
    filters: int,
    kernel: tuple[int, int] = (3, 3),
    stride: tuple[int, int] = (1, 1),
    padding: str = "SAME",
    dilation: tuple[int, int] = (1, 1),
    activation: str = "NONE",
    per_channel: bool = True,
    name: str = "conv",
) -> tuple[TensorRef, np.ndarray]:
    """Add a CONV_2D with random He-scaled weights and an output calibrated on ``x_samples``.

    The output has the input's type: int8, or int16 for 16x8 (symmetric, int64 bias).

    ``x_samples`` is [n, *x.shape] (int8, or float already dequantized). Returns the output
    tensor and its float values on the samples ([n, *y.shape]) for calibrating the next layer.
    """
    xf = _calibration_floats(x, x_samples)
    in_c = x.shape[3]
    w_float = rng.normal(size=(filters, *kernel, in_c)) * np.sqrt(
        2.0 / (kernel[0] * kernel[1] * in_c)
    )
    wq, ws = quantize_weights(w_float, per_channel=per_channel, axis=0)

    def fwd(wf: np.ndarray, bf: np.ndarray) -> np.ndarray:
        flat = xf.reshape(-1, *x.shape[1:])
        y = conv2d_nhwc(flat, wf, bf, stride, padding, dilation)
        return y.reshape(xf.shape[0], x.shape[0], *y.shape[1:])

    w, bias, y, yf = _bias_and_output(
        b, name, x, wq, ws, 0, rng.normal(size=filters) * 0.1, fwd, activation
    )
    b.op(
        "CONV_2D",
        [x, w, bias],
        [y],
        padding=padding,
        stride_h=stride[0],
        stride_w=stride[1],
        dilation_h_factor=dilation[0],
        dilation_w_factor=dilation[1],
        fused_activation_function=activation,
    )
    return y, yf


def add_depthwise_conv2d(
    b: ModelBuilder,
    x: TensorRef,
    x_samples: np.ndarray,
    rng: np.random.Generator,
    kernel: tuple[int, int] = (3, 3),
    depth_multiplier: int = 1,
    stride: tuple[int, int] = (1, 1),
    padding: str = "SAME",
    dilation: tuple[int, int] = (1, 1),
    activation: str = "NONE",
    per_channel: bool = True,
    name: str = "dwconv",
) -> tuple[TensorRef, np.ndarray]:
    """Add a calibrated DEPTHWISE_CONV_2D (weights [1, KH, KW, C*M], per-channel on axis 3)."""
    xf = _calibration_floats(x, x_samples)
    out_c = x.shape[3] * depth_multiplier
    w_float = rng.normal(size=(1, *kernel, out_c)) * np.sqrt(2.0 / (kernel[0] * kernel[1]))
    wq, ws = quantize_weights(w_float, per_channel=per_channel, axis=3)

    def fwd(wf: np.ndarray, bf: np.ndarray) -> np.ndarray:
        flat = xf.reshape(-1, *x.shape[1:])
        y = depthwise_conv2d_nhwc(flat, wf, bf, stride, padding, dilation)
        return y.reshape(xf.shape[0], x.shape[0], *y.shape[1:])

    w, bias, y, yf = _bias_and_output(
        b, name, x, wq, ws, 3, rng.normal(size=out_c) * 0.1, fwd, activation
    )
    b.op(
        "DEPTHWISE_CONV_2D",
        [x, w, bias],
        [y],
        padding=padding,
        stride_h=stride[0],
        stride_w=stride[1],
        depth_multiplier=depth_multiplier,
        dilation_h_factor=dilation[0],
        dilation_w_factor=dilation[1],
        fused_activation_function=activation,
    )
    return y, yf


def add_fully_connected(
    b: ModelBuilder,
    x: TensorRef,
    x_samples: np.ndarray,
    rng: np.random.Generator,
    units: int,
    activation: str = "NONE",
    per_channel: bool = False,
    name: str = "fc",
) -> tuple[TensorRef, np.ndarray]:
    """Add a calibrated FULLY_CONNECTED on a [batch, in] input (weights [units, in])."""
    xf = _calibration_floats(x, x_samples)
    w_float = rng.normal(size=(units, x.shape[-1])) * np.sqrt(2.0 / x.shape[-1])
    wq, ws = quantize_weights(w_float, per_channel=per_channel, axis=0)
    w, bias, y, yf = _bias_and_output(
        b,
        name,
        x,
        wq,
        ws,
        0,
        rng.normal(size=units) * 0.1,
        lambda wf, bf: fully_connected(xf, wf, bf),
        activation,
    )
    b.op("FULLY_CONNECTED", [x, w, bias], [y], fused_activation_function=activation)
    return y, yf
