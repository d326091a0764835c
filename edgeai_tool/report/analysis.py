"""What the report states, computed once from a `CompiledModel`; text.py and c_info.py only
lay it out.

- `ModelRow`s: the ORIGINAL graph as ST tabulates it, one row per imported op plus a row
  per graph input and per fused activation (`nl_<m>_nl`). Each row belongs to the group
  `m_id` of its op.
- `ArrayInfo`s: every C array, constant (weights, biases, requantization data) or in the
  activations (tensor buffers and scratch), named as ST names them (`<layer>_weights`,
  `<layer>_output`, `<layer>_scratch0`, `<input>_output`), sorted by name.
- `LayerInfo`s: the generated layers in execution order, each attached to one row of the
  model table: the first (non-input) row of the group of the last original op it covers.
  That row shows the layer's figures as a change from its own; every other row the layer
  covers shows -100%, so the table's sums go from the original graph to the C graph.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from edgeai_tool.codegen.cformat import c_identifier
from edgeai_tool.codegen.emit import layer_names
from edgeai_tool.codegen.layers.base import LayerCode
from edgeai_tool.compilation import CompiledModel
from edgeai_tool.ir import DTYPE_SIZES, Graph, Op, Tensor
from edgeai_tool.ops import op_macc
from edgeai_tool.ops.base import fused_activation, fused_activation_macc

# The report's layer types for TFLite ops (ST's vocabulary); others are title-cased.
LAYER_TYPES = {
    "CONV_2D": "Conv2D", "DEPTHWISE_CONV_2D": "Conv2D", "TRANSPOSE_CONV": "Conv2dTranspose",
    "FULLY_CONNECTED": "Gemm", "MAX_POOL_2D": "Pool", "AVERAGE_POOL_2D": "Pool",
    "L2_POOL_2D": "Pool", "SOFTMAX": "Nonlinearity", "LOG_SOFTMAX": "Nonlinearity",
    "LOGISTIC": "Nonlinearity", "TANH": "Nonlinearity", "RELU": "Nonlinearity",
    "RELU6": "Nonlinearity", "RELU_N1_TO_1": "Nonlinearity", "LEAKY_RELU": "Nonlinearity",
    "HARD_SWISH": "Nonlinearity", "PRELU": "Nonlinearity", "RESHAPE": "Reshape",
    "SQUEEZE": "Reshape", "EXPAND_DIMS": "Reshape", "ADD": "Eltwise", "SUB": "Eltwise",
    "MUL": "Eltwise", "MAXIMUM": "Eltwise", "MINIMUM": "Eltwise",
    "CONCATENATION": "Concat", "PAD": "Pad", "PADV2": "Pad", "MEAN": "Reduce",
    "TRANSPOSE": "Transpose", "STRIDED_SLICE": "Slice", "QUANTIZE": "Conversion",
    "DEQUANTIZE": "Conversion",
}
# Layers whose work is products of activations and weights (ST's `smul_*` operations).
MAC_KINDS = frozenset({"CONV_2D", "DEPTHWISE_CONV_2D", "TRANSPOSE_CONV", "FULLY_CONNECTED"})
SHORT_TYPES = {
    "int8": "s8", "uint8": "u8", "int16": "s16", "int32": "s32", "float32": "f32",
    "int8_t": "s8", "uint8_t": "u8", "int16_t": "s16", "int32_t": "s32", "float": "f32",
}
C_DTYPES = {"int8_t": "int8", "uint8_t": "uint8", "int16_t": "int16", "int32_t": "int32",
            "float": "float32"}


@dataclass(frozen=True)
class ModelRow:
    m_id: int
    name: str
    layer_type: str  # Conv2D, Nonlinearity, Input, ...
    original: str  # the TFLite op (CONV_2D), empty for graph inputs
    shape: tuple[int, ...]
    params: int = 0
    size: int = 0  # bytes of the parameters
    macc: int = 0
    connected: tuple[str, ...] = ()
    is_input: bool = False


@dataclass(frozen=True)
class ArrayInfo:
    name: str
    ctype: str  # C element type (int8_t)
    items: int
    size: int  # bytes
    domain: str  # weights | activations | user | state
    pool: str  # pool name; "weights" for constants, "external" for user buffers
    kind: str  # weights | bias | quant | tensor | scratch
    shape: tuple[int, ...] | None = None  # None for scratch
    offset: int | None = None  # within the pool, for activations
    comment: str = ""  # /input, /output

    @property
    def dtype(self) -> str:
        return C_DTYPES.get(self.ctype, self.ctype)

    @property
    def c_type_text(self) -> str:
        short = SHORT_TYPES.get(self.ctype, self.ctype)
        return f"const {short}" if self.domain == "weights" else short


@dataclass(frozen=True)
class LayerInfo:
    c_id: int
    name: str
    m_id: int  # the last original op the layer covers (-1: none)
    c_type: str
    kernel: str
    origin: tuple[int, ...]
    macc: int
    rom: int
    scratch_bytes: int
    operation: str  # smul_s8_s8, op_s8_s8, ...
    tensors: tuple[tuple[str, str], ...]  # (I|S|W|O, array name), in that order
    writes_output: bool

    @property
    def label(self) -> str:
        """The model table's c_type cell: `Conv2D_[0]`, `Nonlinearity_[o][4]`."""
        marker = "[o]" if self.writes_output else ""
        return f"{self.c_type}_{marker}[{self.c_id}]"


@dataclass(frozen=True)
class IoInfo:
    number: int
    name: str
    array: str
    dtype: str
    shape: tuple[int, ...]
    size_bytes: int
    scale: float
    zero_point: int
    pool: str | None  # None: outside the activations (supplied by the application)
    offset: int | None


@dataclass(frozen=True)
class PoolInfo:
    id: int
    name: str
    size: int
    address: int
    used: int
    buffers: int
    sized_to_fit: bool = False  # the default pool, as large as the plan needs


@dataclass(frozen=True)
class Report:
    """Everything both report files state, as plain figures."""

    name: str
    model_name: str
    model_file: str
    model_md5: str
    model_format: str
    rows: list[ModelRow]
    arrays: list[ArrayInfo]
    layers: list[LayerInfo]
    attach: dict[int, int]  # c_id -> index of the model-table row showing the layer
    inputs: list[IoInfo]
    outputs: list[IoInfo]
    pools: list[PoolInfo]
    activations_bytes: int
    state_bytes: int  # the state region (variable tensors, each 4-byte aligned)

    @property
    def state(self) -> list[ArrayInfo]:
        """The variable tensors, in the network's state region."""
        return [array for array in self.arrays if array.domain == "state"]

    @property
    def params(self) -> int:
        return sum(row.params for row in self.rows)

    @property
    def params_bytes(self) -> int:
        return sum(row.size for row in self.rows)

    @property
    def model_macc(self) -> int:
        return sum(row.macc for row in self.rows)

    @property
    def c_macc(self) -> int:
        return sum(layer.macc for layer in self.layers)

    @property
    def weight_arrays(self) -> list[ArrayInfo]:
        return [array for array in self.arrays if array.domain == "weights"]

    @property
    def weights_bytes(self) -> int:
        """ST's `weights (ro)`: the model's weights and biases (folded into our form)."""
        return sum(array.size for array in self.weight_arrays if array.kind != "quant")

    @property
    def requant_bytes(self) -> int:
        """Constant requantization data (per-channel multipliers and shifts, lookup tables).

        ST keeps these inside its network object; we report them on their own line."""
        return sum(array.size for array in self.weight_arrays if array.kind == "quant")

    @property
    def io_external_bytes(self) -> tuple[int, int]:
        """Bytes of (inputs, outputs) the application keeps outside the activations."""
        return (sum(io.size_bytes for io in self.inputs if io.pool is None),
                sum(io.size_bytes for io in self.outputs if io.pool is None))

    @property
    def ram_bytes(self) -> int:
        return self.activations_bytes + self.state_bytes + sum(self.io_external_bytes)

    @property
    def used_pools(self) -> list[PoolInfo]:
        return [pool for pool in self.pools if pool.used]

    def shown_on(self, layer: LayerInfo) -> str:
        """The name of the model-table row that shows `layer` (its own name if none)."""
        index = self.attach.get(layer.c_id)
        return layer.name if index is None else self.rows[index].name

    def array(self, name: str) -> tuple[int, ArrayInfo]:
        """(c_id, array) of the array called `name`."""
        for index, array in enumerate(self.arrays):
            if array.name == name:
                return index, array
        raise KeyError(name)

    def row_changes(self, index: int) -> tuple[int, int]:
        """(size, macc) the C graph changes on model-table row `index`."""
        row = self.rows[index]
        shown = [layer for layer in self.layers if self.attach.get(layer.c_id) == index]
        if shown:
            return (sum(layer.rom for layer in shown) - row.size,
                    sum(layer.macc for layer in shown) - row.macc)
        if row.is_input:
            return 0, 0
        return -row.size, -row.macc


def analyze(compilation: CompiledModel) -> Report:
    """Gather the report's figures from the imported graph, the lowered layers and the plan."""
    graph, plan = compilation.graph, compilation.plan
    names = layer_names(graph)
    buffers = buffer_names(graph, names)
    rows = model_rows(compilation.imported)
    layers = _layers(graph, compilation.layers, names, buffers)
    return Report(
        name=compilation.options.name,
        model_name=compilation.imported.name,
        model_file=compilation.model_path.name,
        model_md5=hashlib.md5(compilation.model_path.read_bytes()).hexdigest(),
        model_format=_model_format(compilation.imported),
        rows=rows,
        arrays=sorted([*_arrays(compilation, names, buffers),
                       *(_state_array(graph.tensor(t), at) for t, at in plan.state.items())],
                      key=lambda a: a.name),
        layers=layers,
        attach=_attachments(rows, layers),
        inputs=[_io(compilation, t, i + 1, buffers) for i, t in enumerate(graph.inputs)],
        outputs=[_io(compilation, t, i + 1, buffers) for i, t in enumerate(graph.outputs)],
        pools=[PoolInfo(i, pool.name, pool.size, pool.address, plan.used_bytes(i),
                        sum(1 for a in plan.allocations.values() if a.pool == i),
                        pool.sized_to_fit)
               for i, pool in enumerate(plan.pools)],
        activations_bytes=plan.activations_bytes,
        state_bytes=plan.state_bytes,
    )


def _state_array(tensor: Tensor, offset: int) -> ArrayInfo:
    return ArrayInfo(c_identifier(tensor.name), _ctype(tensor.dtype), tensor.size, tensor.nbytes,
                     "state", "state", "tensor", tensor.shape, offset)


# ---- the original graph ------------------------------------------------------------------

def model_rows(graph: Graph) -> list[ModelRow]:
    """The model table's rows: inputs, ops and fused activations, grouped by op index."""
    names = layer_names(graph)
    consumers = graph.consumers()
    seen_params: set[int] = set()
    # tensor id -> the row that produces it, for the "connected to" column
    producer = {t: c_identifier(graph.tensor(t).name) for t in graph.inputs}
    rows: list[ModelRow] = []
    for index, op in enumerate(graph.ops):
        rows += _input_rows(graph, index, consumers)
        op_rows = _op_rows(graph, index, op, names[index], producer, seen_params)
        rows += op_rows
        for tensor_id in op.outputs:
            producer[tensor_id] = op_rows[-1].name
    return rows


def _input_rows(graph: Graph, index: int, consumers: dict[int, list[int]]) -> list[ModelRow]:
    """Graph inputs, shown in the group of the first op that reads them (or op 0)."""
    rows = []
    for tensor_id in graph.inputs:
        readers = consumers.get(tensor_id, [0])
        if min(readers) == index:
            tensor = graph.tensor(tensor_id)
            rows.append(ModelRow(index, c_identifier(tensor.name), "Input", "", tensor.shape,
                                 is_input=True))
    return rows


def _op_rows(graph: Graph, index: int, op: Op, name: str, producer: dict[int, str],
             seen_params: set[int]) -> list[ModelRow]:
    shape = graph.tensor(op.outputs[0]).shape if op.outputs else ()
    parameters = parameter_tensors(graph, op, seen_params)
    connected = tuple(producer[t] for t in op.inputs if t in producer)
    rows = [ModelRow(
        m_id=index, name=name, layer_type=LAYER_TYPES.get(op.kind, _title(op.kind)),
        original=op.kind, shape=shape,
        params=sum(t.size for t in parameters), size=sum(t.nbytes for t in parameters),
        macc=op_macc(graph, op), connected=connected,
    )]
    if fused_activation(op):
        rows.append(ModelRow(m_id=index, name=f"nl_{index}_nl", layer_type="Nonlinearity",
                             original=op.kind, shape=shape,
                             macc=fused_activation_macc(graph, op), connected=(name,)))
    return rows


def parameter_tensors(graph: Graph, op: Op, seen: set[int]) -> list[Tensor]:
    """The op's trained parameters: quantized constant inputs not counted for an earlier op.

    Constants without quantization (a RESHAPE's shape, PAD's paddings, MEAN's axes) are
    arguments, not parameters, and are left out as ST leaves them out.
    """
    found = []
    for tensor_id in op.inputs:
        if tensor_id < 0 or tensor_id in seen:
            continue
        tensor = graph.tensor(tensor_id)
        if tensor.is_constant and tensor.quant is not None:
            seen.add(tensor_id)
            found.append(tensor)
    return found


def _title(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.split("_"))


def _model_format(graph: Graph) -> str:
    """`ss/sa per channel` when any parameter is quantized per channel, else per tensor."""
    per_channel = any(t.is_constant and t.quant is not None and t.quant.per_channel
                      for t in graph.tensors.values())
    return "ss/sa per channel" if per_channel else "ss/sa per tensor"


def _attachments(rows: list[ModelRow], layers: list[LayerInfo]) -> dict[int, int]:
    """c_id -> the row showing the layer (layers of no original op have none)."""
    first_row: dict[int, int] = {}
    for index, row in enumerate(rows):
        if not row.is_input:
            first_row.setdefault(row.m_id, index)
    return {layer.c_id: first_row[layer.m_id] for layer in layers if layer.m_id in first_row}


# ---- the C graph -------------------------------------------------------------------------

def buffer_names(graph: Graph, names: list[str]) -> dict[int, str]:
    """Buffer (base tensor id) -> its array name: `<input>_output` or `<layer>_output[k]`."""
    buffers: dict[int, str] = {}
    for tensor_id in graph.inputs:
        base = graph.buffer_of(tensor_id)
        buffers.setdefault(base, f"{c_identifier(graph.tensor(tensor_id).name)}_output")
    for op, name in zip(graph.ops, names, strict=True):
        for k, tensor_id in enumerate(op.outputs):
            suffix = str(k) if k else ""
            buffers.setdefault(graph.buffer_of(tensor_id), f"{name}_output{suffix}")
        for tensor_id in op.inputs:
            if tensor_id >= 0 and graph.tensor(tensor_id).is_variable:
                buffers.setdefault(tensor_id, c_identifier(graph.tensor(tensor_id).name))
    return buffers


def _scratch_ctype(code: LayerCode) -> str:
    return next((arg.ctype for arg in code.args if arg.role == "scratch"), "int8_t")


def _arrays(compilation: CompiledModel, names: list[str],
            buffers: dict[int, str]) -> Iterator[ArrayInfo]:
    graph, plan = compilation.graph, compilation.plan
    for name, code in zip(names, compilation.layers, strict=True):
        for array in code.arrays:
            yield ArrayInfo(f"{name}_{array.name}", array.ctype, int(array.values.size),
                            array.nbytes, "weights", "weights", array.kind,
                            shape=tuple(array.values.shape))
    comments = _io_comments(graph)
    for key, allocation in plan.allocations.items():
        pool = plan.pools[allocation.pool].name
        if key.startswith("s"):
            step = int(key[1:])
            ctype = _scratch_ctype(compilation.layers[step])
            size = allocation.request.size
            yield ArrayInfo(f"{names[step]}_scratch0", ctype, size // _c_size(ctype), size,
                            "activations", pool, "scratch", offset=allocation.offset)
        else:
            tensor = graph.tensor(int(key[1:]))
            yield ArrayInfo(buffers[tensor.id], _ctype(tensor.dtype), tensor.size,
                            tensor.nbytes, "activations", pool, "tensor", tensor.shape,
                            allocation.offset, comments.get(tensor.id, ""))
    for tensor_id in plan.external:
        tensor = graph.tensor(tensor_id)
        yield ArrayInfo(buffers[tensor_id], _ctype(tensor.dtype), tensor.size, tensor.nbytes,
                        "user", "external", "tensor", tensor.shape,
                        comment=comments.get(tensor_id, ""))


def _io_comments(graph: Graph) -> dict[int, str]:
    comments = {graph.buffer_of(t): "/output" for t in graph.outputs}
    comments.update({graph.buffer_of(t): "/input" for t in graph.inputs})
    return comments


def _ctype(dtype: str) -> str:
    return {v: k for k, v in C_DTYPES.items()}.get(dtype, dtype)


def _c_size(ctype: str) -> int:
    return DTYPE_SIZES.get(C_DTYPES.get(ctype, ""), 1)


def _layers(graph: Graph, codes: list[LayerCode], names: list[str],
            buffers: dict[int, str]) -> list[LayerInfo]:
    outputs = {graph.buffer_of(t) for t in graph.outputs}
    layers = []
    for c_id, (op, code, name) in enumerate(zip(graph.ops, codes, names, strict=True)):
        tensors = _layer_tensors(graph, code, name, buffers)
        layers.append(LayerInfo(
            c_id=c_id, name=name, m_id=max(op.origin, default=-1),
            c_type=code.c_type or _title(op.kind),
            kernel=code.kernel, origin=tuple(op.origin), macc=code.macc,
            rom=sum(array.nbytes for array in code.arrays), scratch_bytes=code.scratch_bytes,
            operation=_operation(graph, op, code),
            tensors=tensors,
            writes_output=any(graph.buffer_of(t) in outputs for t in op.outputs),
        ))
    return layers


def _layer_tensors(graph: Graph, code: LayerCode, name: str,
                   buffers: dict[int, str]) -> tuple[tuple[str, str], ...]:
    inputs = [("I", buffers[graph.buffer_of(a.tensor)]) for a in code.args
              if a.role in ("input", "state")]
    scratch = [("S", f"{name}_scratch0")] if code.scratch_bytes else []
    weights = [("W", f"{name}_{array.name}") for array in code.arrays]
    outputs = [("O", buffers[graph.buffer_of(a.tensor)]) for a in code.args
               if a.role == "output"]
    return (*inputs, *scratch, *weights, *outputs)


def _operation(graph: Graph, op: Op, code: LayerCode) -> str:
    """ST's operation type: `smul_<input>_<weights>` for products, else `op_<in>_<out>`."""
    data_inputs = [t for t in op.inputs if t >= 0 and not graph.tensor(t).is_constant]
    first = SHORT_TYPES.get(graph.tensor(data_inputs[0]).dtype, "?") if data_inputs else "?"
    if op.kind in MAC_KINDS and code.arrays:
        return f"smul_{first}_{SHORT_TYPES.get(code.arrays[0].ctype, '?')}"
    out = SHORT_TYPES.get(graph.tensor(op.outputs[0]).dtype, "?") if op.outputs else "?"
    return f"op_{first}_{out}"


def _io(compilation: CompiledModel, tensor_id: int, number: int,
        buffers: dict[int, str]) -> IoInfo:
    graph, plan = compilation.graph, compilation.plan
    tensor = graph.tensor(tensor_id)
    base = graph.buffer_of(tensor_id)
    allocation = plan.tensor(base)
    return IoInfo(
        number=number,
        name=c_identifier(tensor.name),
        array=buffers[base],
        dtype=tensor.dtype,
        shape=tensor.shape,
        size_bytes=tensor.nbytes,
        scale=tensor.quant.scale[0] if tensor.quant else 0.0,
        zero_point=tensor.quant.zero_point[0] if tensor.quant else 0,
        pool=plan.pools[allocation.pool].name if allocation else None,
        offset=allocation.offset if allocation else None,
    )
