"""Patch-based execution (MCUNetV2) of a network's first layers, in row bands.

A stage is the network's first layers, from its input to a cut tensor: layers whose
lowering says they run on bands (`LayerCode.banding`: int8 convolutions, depthwise
convolutions and pools by rows, and ADDs element for element, here on same-shape tensors:
a residual block), each reading the input or the stage's own outputs, which nothing after
the stage reads but the cut. It runs band by band: each band computes some output rows of
the cut, and every earlier layer computes the rows the band needs (the receptive-field
halo is recomputed, not kept). Each call is an unchanged kernel with its own structure:
`input.h` the rows it reads, `pad_top` only where the band reaches the top padding (the
kernels read rows at or past `input.h` as padding, which is exact at the bottom and never
reached elsewhere), `output.h` the band's rows (an element-wise op: the band's elements).
Only band-sized buffers of the intermediate tensors exist, placed first-fit by their
lifetimes within a band in the stage's scratch, followed by the largest scratch of the
layers.

The stage is one step for the memory planner: it reads the input, writes the cut, and may
write the cut over the input, as far as the input rows later bands read stay unwritten."""

from __future__ import annotations

from dataclasses import dataclass

from edgeai_tool.codegen.emit import layer_names
from edgeai_tool.codegen.layers.base import (
    BandCall,
    Banding,
    Buffer,
    BufferAt,
    CArray,
    CValue,
    LayerCode,
)
from edgeai_tool.codegen.layers.elementwise import loop_params
from edgeai_tool.ir import Graph, Op

STAGE_KIND = "PATCH_STAGE"
ALIGNMENT = 4  # kernels read int8 data as 32-bit words: every band pointer stays aligned


@dataclass(frozen=True)
class PatchChoice:
    """What -O ram chose, for the report: the stage, its bands and what they cost."""

    layers: tuple[str, ...]  # the stage's layer names, in execution order
    cut: str  # the tensor the stage writes whole: its last layer's output
    cut_shape: tuple[int, ...]
    bands: tuple[tuple[int, int], ...]  # [first, end) rows of the cut, per band
    peak_before: int  # planned activations bytes without patches
    peak_after: int
    stage_macc: int  # the stage's layers run once, whole
    extra_macc: int  # recomputed by the bands' halos
    network_macc: int  # the whole network, un-patched

    @property
    def extra_percent(self) -> float:
        return 100.0 * self.extra_macc / self.network_macc if self.network_macc else 0.0


Rows = tuple[int, int]  # [first, end)


@dataclass(frozen=True)
class _Rows:
    """A layer's geometry along the rows."""

    in_rows: int
    out_rows: int
    stride: int
    pad_top: int
    extent: int  # rows one output row reads: (kernel - 1) * dilation + 1

    @staticmethod
    def of(graph: Graph, op: Op, code: LayerCode) -> _Rows:
        params = code.params
        if code.banding == Banding.ELEMENTWISE:  # row for row
            rows = graph.tensor(op.outputs[0]).shape[1]
            return _Rows(rows, rows, 1, 0, 1)
        if "kernel_h" in params:
            extent = (int(params["kernel_h"]) - 1) * int(params["dilation_h"]) + 1
        else:
            extent = int(params["filter_h"])
        return _Rows(params["input"][0], params["output"][0], int(params["stride_h"]),
                     int(params["pad_top"]), extent)

    def needs(self, first: int, end: int) -> Rows:
        """The input rows that output rows [first, end) read, clipped to the input."""
        return (max(first * self.stride - self.pad_top, 0),
                min((end - 1) * self.stride - self.pad_top + self.extent, self.in_rows))


def stage_lengths(graph: Graph, layers: list[LayerCode]) -> list[int]:
    """Every stage length (>= 2 layers) that may be patched: bandable layers from the
    network's single input, each reading only that input and the stage's own outputs, all
    of which but the last (the cut) are read inside the stage only."""
    if len(graph.inputs) != 1 or not graph.ops:
        return []
    source = graph.inputs[0]
    readers = graph.consumers()
    kept = {graph.buffer_of(t) for t in graph.outputs}
    kept |= {t.alias_of for t in graph.tensors.values() if t.alias_of is not None}
    produced: list[int] = []
    lengths = []
    for step, (op, code) in enumerate(zip(graph.ops, layers, strict=True)):
        if not (_bandable(graph, op, code)
                and all(t == source or t in produced for t in _data_inputs(graph, op))):
            break
        if step >= 1 and all(t not in kept and max(readers.get(t, [step + 1])) <= step
                             for t in produced):
            lengths.append(step + 1)
        produced.append(op.outputs[0])
    return lengths


def _data_inputs(graph: Graph, op: Op) -> list[int]:
    return [t for t in op.inputs if t >= 0 and not graph.tensor(t).is_constant]


def _bandable(graph: Graph, op: Op, code: LayerCode) -> bool:
    inputs = _data_inputs(graph, op)
    tensors = [graph.tensor(t) for t in (*inputs, *op.outputs)]
    if len(op.outputs) != 1 or not all(t.dtype == "int8" and len(t.shape) == 4
                                       and t.alias_of is None for t in tensors):
        return False
    if code.banding == Banding.ELEMENTWISE:
        return code.params["broadcast"] == 0 and all(t.shape == tensors[-1].shape
                                                     for t in tensors)
    return code.banding == Banding.ROWS


def band_bounds(rows: int, count: int) -> list[Rows]:
    """`rows` split into `count` bands as even as possible."""
    return [(k * rows // count, (k + 1) * rows // count) for k in range(count)]


def patch_stage(graph: Graph, layers: list[LayerCode], length: int,
                bands: list[Rows]) -> tuple[Graph, list[LayerCode]] | None:
    """The graph and layers with their first `length` layers as one stage run in `bands`
    (rows of the cut); None when a band pointer would not be 4-byte aligned, or a call
    would read no row (all padding)."""
    ops, codes = graph.ops[:length], layers[:length]
    rows = [_Rows.of(graph, op, code) for op, code in zip(ops, codes, strict=True)]
    stage = _Stage(graph, ops, codes, rows)
    needs = [stage.needs(band) for band in bands]
    sizes = {t: _align(max((need[t][1] - need[t][0]) * stage.row_bytes(t) for need in needs))
             for t in stage.buffered}
    at = stage.arena(sizes)
    scratch_at = max((at[t] + sizes[t] for t in stage.buffered), default=0)
    calls = [_band_call(stage, j, need, at, scratch_at) for need in needs
             for j in range(length)]
    if any(place.offset % ALIGNMENT for call in calls for place in call.args) or any(
            call.params.get("input", (1,))[0] < 1 for call in calls):
        return None
    computed = [sum(need[op.outputs[0]][1] - need[op.outputs[0]][0] for need in needs)
                for op in ops]
    extra_macc = sum((done - layer.out_rows) * (code.macc // layer.out_rows)
                     for done, layer, code in zip(computed, rows, codes, strict=True))
    layer = _stage_layer(stage, layer_names(graph)[:length], calls,
                         scratch_at + max(code.scratch_bytes for code in codes), extra_macc,
                         stage.overwrite_limit(needs))
    stage_op = Op(STAGE_KIND, [stage.source], [stage.cut],
                  origin=tuple(i for op in ops for i in op.origin), name="patch")
    patched = graph.copy()
    patched.ops = [stage_op, *patched.ops[length:]]
    return patched, [layer, *layers[length:]]


def _align(value: int) -> int:
    return (value + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


@dataclass(frozen=True)
class _Stage:
    """The layers of a stage with their row geometry and the tensors between them."""

    graph: Graph
    ops: list[Op]
    codes: list[LayerCode]
    rows: list[_Rows]

    @property
    def source(self) -> int:
        return self.graph.inputs[0]

    @property
    def cut(self) -> int:
        return self.ops[-1].outputs[0]

    @property
    def buffered(self) -> list[int]:
        """The tensors that exist only a band at a time, in the stage's scratch."""
        return [op.outputs[0] for op in self.ops[:-1]]

    def row_bytes(self, tensor_id: int) -> int:
        tensor = self.graph.tensor(tensor_id)
        return tensor.nbytes // tensor.shape[1]

    def needs(self, band: Rows) -> dict[int, Rows]:
        """The rows of every tensor of the stage one band reads or computes: from the cut
        back, each layer's output rows are the union of what its readers need."""
        need = {self.cut: band}
        for op, layer in zip(reversed(self.ops), reversed(self.rows), strict=True):
            first, end = layer.needs(*need[op.outputs[0]])
            for tensor_id in _data_inputs(self.graph, op):
                old = need.get(tensor_id, (first, end))
                need[tensor_id] = (min(old[0], first), max(old[1], end))
        return need

    def arena(self, sizes: dict[int, int]) -> dict[int, int]:
        """Offsets of the band buffers: first fit, largest first, each alive from the layer
        writing it to the last reading it."""
        life = {t: (first, max(j for j, op in enumerate(self.ops)
                               if t in _data_inputs(self.graph, op)))
                for first, t in enumerate(self.buffered)}
        at: dict[int, int] = {}
        for tensor_id in sorted(self.buffered, key=lambda t: (-sizes[t], life[t])):
            first, last = life[tensor_id]
            busy = sorted((at[u], at[u] + sizes[u]) for u in at
                          if life[u][0] <= last and first <= life[u][1])
            offset = 0
            for start, end in busy:
                if offset + sizes[tensor_id] <= start:
                    break
                offset = max(offset, end)
            at[tensor_id] = offset
        return at

    def overwrite_limit(self, needs: list[dict[int, Rows]]) -> int:
        """How far the cut may start past the input: a band writes its cut rows in its last
        layer, after its other layers read their input rows, so the cut rows written by
        bands up to k must end at or before the first input row band k + 1 reads (band k's
        own, when the last layer reads the input too)."""
        firsts = [need[self.source][0] * self.row_bytes(self.source) for need in needs]
        ends = [need[self.cut][1] * self.row_bytes(self.cut) for need in needs]
        late = self.source in _data_inputs(self.graph, self.ops[-1])
        return min((first - end for end, first in
                    zip(ends, firsts if late else firsts[1:], strict=False)),
                   default=self.graph.tensor(self.source).nbytes)


def _band_call(stage: _Stage, layer: int, need: dict[int, Rows], at: dict[int, int],
               scratch_at: int) -> BandCall:
    """Layer `layer` on one band: its structure on the band's rows, and where it reads
    (the input or a band buffer, from the rows it needs) and writes."""
    op, code, rows = stage.ops[layer], stage.codes[layer], stage.rows[layer]
    out_first, out_end = need[op.outputs[0]]
    in_first, in_end = rows.needs(out_first, out_end)

    def place(arg: Buffer) -> BufferAt:
        if arg.role == "scratch":
            return BufferAt("scratch", scratch_at)
        row_bytes = stage.row_bytes(arg.tensor)
        if arg.tensor == stage.cut:
            return BufferAt("output", out_first * row_bytes)
        if arg.tensor == stage.source:
            return BufferAt("input", in_first * row_bytes)
        first = out_first if arg.role == "output" else in_first
        return BufferAt("scratch", at[arg.tensor] + (first - need[arg.tensor][0]) * row_bytes)

    return BandCall(layer, _band_params(stage.graph, op, code, rows, (out_first, out_end),
                                        (in_first, in_end)),
                    [place(arg) for arg in code.args])


def _band_params(graph: Graph, op: Op, code: LayerCode, rows: _Rows, out: Rows,
                 read: Rows) -> dict[str, CValue]:
    """The layer's structure on output rows `out`, reading input rows `read`."""
    params = dict(code.params)
    if code.banding == Banding.ELEMENTWISE:
        shape = (1, out[1] - out[0], *graph.tensor(op.outputs[0]).shape[2:])
        return {**params, **loop_params(shape, shape, shape)}
    params["input"] = (read[1] - read[0], *params["input"][1:])
    params["output"] = (out[1] - out[0], *params["output"][1:])
    params["pad_top"] = max(rows.pad_top - out[0] * rows.stride, 0)
    return params


def _stage_layer(stage: _Stage, names: list[str], calls: list[BandCall], scratch: int,
                 extra_macc: int, limit: int) -> LayerCode:
    codes = stage.codes
    return LayerCode(
        kernel="+".join(code.kernel for code in codes),
        header=codes[0].header,
        params_type="",
        params={},
        data_type="",
        data={},
        args=[Buffer("input", stage.source), Buffer("output", stage.cut),
              *([Buffer("scratch")] if scratch else [])],
        arrays=[CArray(f"{name}_{a.name}", a.ctype, a.values, a.kind)
                for name, code in zip(names, codes, strict=True) for a in code.arrays],
        scratch_bytes=scratch,
        macc=sum(code.macc for code in codes) + extra_macc,
        c_type="Patches",
        overwrites={stage.source: limit},
        stage=list(zip(names, codes, strict=True)),
        bands=calls,
    )
