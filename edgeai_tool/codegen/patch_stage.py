"""Patch-based execution (MCUNetV2) of a network's first layers, in row bands.

A stage is a chain of spatial int8 layers from the network input to a cut tensor, each
reading only the previous one's output. It runs band by band: each band computes some
output rows of the cut, and every earlier layer of the stage computes the rows that band
needs (the receptive-field halo is recomputed, not kept). Each call is an unchanged kernel
with its own structure: `input.h` the rows it reads, `pad_top` only where the band reaches
the top padding (the kernels read rows at or past `input.h` as padding, which is exact at
the bottom and never reached elsewhere), `output.h` the band's rows. Only band-sized
buffers of the intermediate tensors exist, in the stage's scratch: two regions used in
turn (a layer reads one and writes the other), then the largest scratch of the layers.

The stage is one step for the memory planner: it reads the input, writes the cut, and may
write the cut over the input, as far as the input rows later bands read stay unwritten.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from edgeai_tool.codegen.emit import layer_names
from edgeai_tool.codegen.layers.base import BandCall, Buffer, BufferAt, CArray, LayerCode
from edgeai_tool.ir import Graph, Op

STAGE_KIND = "PATCH_STAGE"
ALIGNMENT = 4  # kernels read int8 data as 32-bit words: every band pointer stays aligned
# Kernels whose structure is {input, output, ..., stride_h, pad_top} over NHWC int8 rows and
# whose arguments are (input, output[, scratch]): a band is the same call on fewer rows.
BANDABLE_KERNELS = ("edgeai_conv_s8", "edgeai_conv_1x1_s8", "edgeai_depthwise_conv_s8",
                    "edgeai_max_pool_s8", "edgeai_avg_pool_s8")


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


@dataclass(frozen=True)
class _Rows:
    """A layer's geometry along the rows."""

    in_rows: int
    out_rows: int
    stride: int
    pad_top: int
    extent: int  # rows one output row reads: (kernel - 1) * dilation + 1

    @staticmethod
    def of(code: LayerCode) -> _Rows:
        params = code.params
        if "kernel_h" in params:
            extent = (int(params["kernel_h"]) - 1) * int(params["dilation_h"]) + 1
        else:
            extent = int(params["filter_h"])
        return _Rows(params["input"][0], params["output"][0], int(params["stride_h"]),
                     int(params["pad_top"]), extent)

    def needs(self, first: int, end: int) -> tuple[int, int]:
        """The input rows [first, end) that output rows [first, end) read."""
        return (max(first * self.stride - self.pad_top, 0),
                min((end - 1) * self.stride - self.pad_top + self.extent, self.in_rows))


def stage_lengths(graph: Graph, layers: list[LayerCode]) -> list[int]:
    """Every stage length (>= 2 layers) that may be patched: a chain from the network's
    single input through bandable layers, each intermediate tensor read by the next only."""
    if len(graph.inputs) != 1 or not graph.ops:
        return []
    readers = graph.consumers()
    outputs = {graph.buffer_of(t) for t in graph.outputs}
    current, lengths = graph.inputs[0], []
    for step, (op, code) in enumerate(zip(graph.ops, layers, strict=True)):
        if not (_bandable(graph, op, code) and op.inputs[0] == current):
            break
        if step >= 1:
            lengths.append(step + 1)
        current = op.outputs[0]
        if readers.get(current) != [step + 1] or graph.buffer_of(current) in outputs:
            break
    return lengths


def _bandable(graph: Graph, op: Op, code: LayerCode) -> bool:
    data_inputs = [t for t in op.inputs if t >= 0 and not graph.tensor(t).is_constant]
    tensors = [graph.tensor(t) for t in (*data_inputs, *op.outputs)]
    return (code.kernel in BANDABLE_KERNELS and len(data_inputs) == 1 and len(op.outputs) == 1
            and all(t.dtype == "int8" and len(t.shape) == 4 and t.alias_of is None
                    for t in tensors)
            and [a.role for a in code.args][:2] == ["input", "output"])


def band_bounds(rows: int, count: int) -> list[tuple[int, int]]:
    """`rows` split into `count` bands as even as possible."""
    return [(k * rows // count, (k + 1) * rows // count) for k in range(count)]


def patch_stage(graph: Graph, layers: list[LayerCode], length: int,
                bands: list[tuple[int, int]]) -> tuple[Graph, list[LayerCode]] | None:
    """The graph and layers with their first `length` layers as one stage run in `bands`
    (rows of the cut); None when a band pointer would not be 4-byte aligned."""
    ops, codes = graph.ops[:length], layers[:length]
    names = layer_names(graph)[:length]
    rows = [_Rows.of(code) for code in codes]
    row_bytes = [graph.tensor(op.outputs[0]).nbytes // layer.out_rows
                 for op, layer in zip(ops, rows, strict=True)]
    input_row_bytes = graph.tensor(ops[0].inputs[0]).nbytes // rows[0].in_rows
    # Per band, per layer: (output rows, input rows), from the cut back to the input.
    spans = [_band_spans(rows, band) for band in bands]
    regions = [_align(max((span[j][0][1] - span[j][0][0]) * row_bytes[j]
                          for span in spans for j in range(parity, length - 1, 2)))
               for parity in (0, 1) if parity < length - 1]
    region_at = [sum(regions[:parity]) for parity in range(len(regions))]
    scratch_at = sum(regions)
    offsets = [span[0][1][0] * input_row_bytes for span in spans]
    offsets += [span[-1][0][0] * row_bytes[-1] for span in spans]
    if any(offset % ALIGNMENT for offset in offsets):
        return None
    layout = _Layout(input_row_bytes, row_bytes, region_at, scratch_at)
    calls = [_band_call(j, codes[j], rows[j], span[j], layout)
             for span in spans for j in range(length)]
    stage = _stage_layer(graph, ops, codes, names, calls,
                         scratch_at + max(code.scratch_bytes for code in codes),
                         _extra_macc(codes, rows, spans),
                         _overwrite_limit(spans, input_row_bytes, row_bytes[-1]))
    stage_op = Op(STAGE_KIND, [ops[0].inputs[0]], [ops[-1].outputs[0]],
                  origin=tuple(i for op in ops for i in op.origin), name="patch")
    patched = graph.copy()
    patched.ops = [stage_op, *patched.ops[length:]]
    return patched, [stage, *layers[length:]]


def _align(value: int) -> int:
    return (value + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def _band_spans(rows: list[_Rows], band: tuple[int, int]) -> list[tuple[tuple[int, int],
                                                                       tuple[int, int]]]:
    """Per layer of the stage: (its output rows, its input rows) that one band computes."""
    spans = []
    out = band
    for layer in reversed(rows):
        needed = layer.needs(*out)
        spans.append((out, needed))
        out = needed
    return spans[::-1]


@dataclass(frozen=True)
class _Layout:
    """Where a band's rows are: the stage's input and cut (rows from their start), and the
    two regions and the layers' scratch (offsets in the stage's scratch)."""

    input_row_bytes: int
    row_bytes: list[int]  # per layer, of its output
    region_at: list[int]  # per parity of the layer writing it
    scratch_at: int

    def source(self, layer: int, first_row: int) -> BufferAt:
        if layer == 0:
            return BufferAt("input", first_row * self.input_row_bytes)
        return BufferAt("scratch", self.region_at[(layer - 1) % 2])

    def target(self, layer: int, first_row: int) -> BufferAt:
        if layer == len(self.row_bytes) - 1:
            return BufferAt("output", first_row * self.row_bytes[layer])
        return BufferAt("scratch", self.region_at[layer % 2])


def _band_call(layer: int, code: LayerCode, rows: _Rows,
               span: tuple[tuple[int, int], tuple[int, int]], layout: _Layout) -> BandCall:
    (out_first, out_end), (in_first, in_end) = span
    params = dict(code.params)
    params["input"] = (in_end - in_first, *params["input"][1:])
    params["output"] = (out_end - out_first, *params["output"][1:])
    params["pad_top"] = max(rows.pad_top - out_first * rows.stride, 0)
    places = {"input": layout.source(layer, in_first), "output": layout.target(layer, out_first),
              "scratch": BufferAt("scratch", layout.scratch_at)}
    return BandCall(layer, params, [places[arg.role] for arg in code.args])


def _extra_macc(codes: list[LayerCode], rows: list[_Rows], spans: list) -> int:
    """MACs the bands compute more than the whole layers: each row's share of a layer's
    MACs, times the rows computed twice or more."""
    extra = 0
    for j, (code, layer) in enumerate(zip(codes, rows, strict=True)):
        computed = sum(span[j][0][1] - span[j][0][0] for span in spans)
        extra += (computed - layer.out_rows) * (code.macc // layer.out_rows)
    return extra


def _overwrite_limit(spans: list, input_row_bytes: int, cut_row_bytes: int) -> int:
    """How far the cut may start past the input: a band writes its cut rows after its first
    layer read its input rows, so the cut rows written by bands up to k must end at or
    before the first input row band k + 1 reads."""
    return min(later[0][1][0] * input_row_bytes - band[-1][0][1] * cut_row_bytes
               for band, later in itertools.pairwise(spans))


def _stage_layer(graph: Graph, ops: list[Op], codes: list[LayerCode], names: list[str],
                 calls: list[BandCall], scratch: int, extra_macc: int,
                 limit: int) -> LayerCode:
    return LayerCode(
        kernel="+".join(code.kernel for code in codes),
        header=codes[0].header,
        params_type="",
        params={},
        data_type="",
        data={},
        args=[codes[0].args[0], codes[-1].args[1], *([Buffer("scratch")] if scratch else [])],
        arrays=[CArray(f"{name}_{a.name}", a.ctype, a.values, a.kind)
                for name, code in zip(names, codes, strict=True) for a in code.arrays],
        scratch_bytes=scratch,
        macc=sum(code.macc for code in codes) + extra_macc,
        c_type="Patches",
        overwrites={ops[0].inputs[0]: limit},
        stage=list(zip(names, codes, strict=True)),
        bands=calls,
    )
