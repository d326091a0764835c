"""Remove output channels whose value is the same for every input ("dead" channels).

A CONV_2D or FULLY_CONNECTED output channel whose weights are all zero computes
requantize(bias) + zero point, clamped: a constant k. Such a channel is removed from its
producer when the constant can be carried, exactly, to the layer that sums it:

- through a DEPTHWISE_CONV_2D (depth multiplier 1) whose channel then gives the same
  output everywhere: clamp(requantize(bias + (k - zp) * sum of the taps inside the image)
  + zero point) for every output position (the padding reads zp and adds nothing), so
  always when k is the zero point or no padding is read, and otherwise when the border
  windows' sums requantize and clamp to the same value (a ReLU often clamps them all);
- through an AVERAGE_POOL_2D: the average of a constant is that constant (clamped);
- through reshapes (aliases) that keep the channel as the last dimension;
- into a CONV_2D (one group) reading no padding, or whose padding value is k, or a
  FULLY_CONNECTED reading the channel as its last dimension: their accumulator gets
  (k - zp) * w for every tap of the channel, a constant added to the bias (int32, wrapping
  as TFLite Micro's accumulator does); the channel leaves their weights.

Removing inputs can leave a later layer's channel with only zero weights: ops are visited
in order, so such channels go as well. A tensor always keeps at least one channel, and
graph outputs keep all of theirs. This is what ST's X-CUBE-AI reports as its smaller
"c-model" MACC on models trained with weight pruning (VWW's MobileNet).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from edgeai_tool.ir import Graph, Op, Quantization, Tensor
from edgeai_tool.ops.check import is_supported
from edgeai_tool.ops.conv import conv_geometry
from edgeai_tool.quant import (
    activation_range,
    conv_multiplier,
    fc_per_tensor_multiplier,
    multiply_by_quantized_multiplier,
    quantize_multiplier,
)

# A depthwise channel reads its own input channel, which stays: it only passes dead
# channels on (below), it does not start them.
_PRODUCERS = ("CONV_2D", "FULLY_CONNECTED")


@dataclasses.dataclass
class _Route:
    """Where a tensor's channels go: the pass-through ops, then the op summing them."""
    through: list[int]
    sink: int


def remove_dead_channels(graph: Graph) -> Graph:
    """Drop every dead channel that can be folded, bit-exactly, into a later bias."""
    graph = graph.copy()
    for index in range(len(graph.ops)):
        op = graph.ops[index]
        if op.kind not in _PRODUCERS or "pool" in op.options or not _owns_constants(graph, op) \
                or not is_supported(graph, op):
            continue
        route = _route(graph, op.outputs[0])
        if route is None:
            continue
        constants = _constant_channels(graph, op)
        dead = [c for c, k in constants.items() if _carried(graph, route, c, k) is not None]
        if len(dead) == _channels(graph, op):
            dead = dead[1:]
        if dead:
            _remove(graph, index, route, constants, sorted(dead))
    return graph


def _owns_constants(graph: Graph, op: Op) -> bool:
    """Its weights and bias are read by no other op (cutting them changes only this one)."""
    readers = graph.consumers()
    return all(len(readers.get(t, [])) == 1 for t in op.inputs[1:] if t >= 0)


def _channels(graph: Graph, op: Op) -> int:
    return graph.tensor(op.outputs[0]).shape[-1]


def _weight_axis(op: Op) -> int:
    return 3 if op.kind == "DEPTHWISE_CONV_2D" else 0


def _rows(w: Tensor, axis: int) -> np.ndarray:
    """int64 weights as [output channel, taps]."""
    data = np.moveaxis(np.asarray(w.data, dtype=np.int64), axis, 0)
    return data.reshape(data.shape[0], -1)


def _bias(graph: Graph, op: Op, channels: int) -> np.ndarray:
    has_bias = len(op.inputs) > 2 and op.inputs[2] >= 0
    return (np.asarray(graph.tensor(op.inputs[2]).data, dtype=np.int64).reshape(-1)
            if has_bias else np.zeros(channels, dtype=np.int64))


def _output_of(graph: Graph, op: Op, channel: int, acc: int) -> int:
    """TFLite Micro's int8 output of `op`'s `channel` for accumulator (bias included) acc."""
    x, w, y = (graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]),
               graph.tensor(op.outputs[0]))
    scale = w.quant.scale[channel] if w.quant.per_channel else w.quant.scale[0]
    if op.kind == "FULLY_CONNECTED" and not w.quant.per_channel:
        real = fc_per_tensor_multiplier(x.scale, scale, y.scale)
    else:
        real = conv_multiplier(x.scale, scale, y.scale)
    multiplier, shift = quantize_multiplier(real)
    acc = (acc + (1 << 31)) % (1 << 32) - (1 << 31)
    low, high = activation_range(op.options.get("fused_activation_function", "NONE"),
                                 y.scale, y.zero_point)
    value = multiply_by_quantized_multiplier(acc, multiplier, shift) + y.zero_point
    return min(max(value, low), high)


def _constant_channels(graph: Graph, op: Op) -> dict[int, int]:
    """{channel: its constant int8 value} for the channels with only zero weights."""
    rows = _rows(graph.tensor(op.inputs[1]), _weight_axis(op))
    bias = _bias(graph, op, rows.shape[0])
    return {c: _output_of(graph, op, c, int(bias[c]))
            for c in np.flatnonzero(~rows.any(axis=1)).tolist()}


def _reads_padding(graph: Graph, op: Op) -> bool:
    if op.kind == "FULLY_CONNECTED":
        return False
    if any(op.options.get("explicit_padding", ())):
        return True
    kernel = graph.tensor(op.inputs[1]).shape[1:3]
    return op.options.get("padding") == "SAME" and tuple(kernel) != (1, 1)


def _inside_tap_sums(graph: Graph, op: Op, channel: int) -> set[int]:
    """The sums of a depthwise channel's weights over the taps inside the image, one per
    output position (taps in the padding read the zero point and add nothing)."""
    x, w, y = (graph.tensor(op.inputs[0]), graph.tensor(op.inputs[1]),
               graph.tensor(op.outputs[0]))
    g = conv_geometry(op.options, x, w)
    weights = np.asarray(w.data, dtype=np.int64)[0, :, :, channel]

    def inside(out: int, size: int, kernel: int, stride: int, dilation: int,
               pad: int) -> np.ndarray:
        at = (np.arange(out)[:, None] * stride - pad + np.arange(kernel)[None, :] * dilation)
        return ((at >= 0) & (at < size)).astype(np.int64)

    rows = inside(y.shape[1], x.shape[1], g["kernel_h"], g["stride_h"], g["dilation_h"],
                  g["pad_top"])
    cols = inside(y.shape[2], x.shape[2], g["kernel_w"], g["stride_w"], g["dilation_w"],
                  g["pad_left"])
    return set(np.einsum("ak,bl,kl->ab", rows, cols, weights).reshape(-1).tolist())


def _readers(graph: Graph, tensor_id: int) -> list[tuple[int, int]] | None:
    """(op index, tensor read) of every op reading the tensor or an alias of it; None when
    a reader or alias cannot follow a channel removal."""
    tensor = graph.tensor(tensor_id)
    if tensor_id in graph.outputs:
        return None
    found = [(i, tensor_id) for i in graph.consumers().get(tensor_id, [])]
    for alias in graph.tensors.values():
        if alias.alias_of == tensor_id:
            if alias.shape[-1] != tensor.shape[-1]:
                return None
            more = _readers(graph, alias.id)
            if more is None:
                return None
            found += more
    return found


def _route(graph: Graph, tensor_id: int) -> _Route | None:
    """The single chain from a producer's output to the op summing its channels."""
    through: list[int] = []
    while True:
        readers = _readers(graph, tensor_id)
        if readers is None or len(readers) != 1:
            return None
        index, read = readers[0]
        op = graph.ops[index]
        if op.inputs[0] != read or read in op.inputs[1:] or not is_supported(graph, op) \
                or "pool" in op.options or not _owns_constants(graph, op):
            return None
        if op.kind in ("CONV_2D", "FULLY_CONNECTED") and (len(op.inputs) < 3 or op.inputs[2] < 0):
            return None  # no bias to fold into
        if op.kind == "CONV_2D":
            grouped = graph.tensor(op.inputs[1]).shape[3] != graph.tensor(read).shape[3]
            return None if grouped else _Route(through, index)
        if op.kind == "FULLY_CONNECTED":
            in_depth = graph.tensor(op.inputs[1]).shape[1]
            return _Route(through, index) if graph.tensor(read).shape[-1] == in_depth else None
        if op.kind == "AVERAGE_POOL_2D" or (op.kind == "DEPTHWISE_CONV_2D"
                                            and op.options.get("depth_multiplier", 1) == 1):
            through.append(index)
            tensor_id = op.outputs[0]
            continue
        return None


def _carried(graph: Graph, route: _Route, channel: int, value: int) -> int | None:
    """The constant arriving at the route's sink for a producer channel of `value`, or None
    when some op on the way makes it depend on position (padding read with another value)."""
    for index in route.through:
        op = graph.ops[index]
        zero_point = graph.tensor(op.inputs[0]).zero_point
        if op.kind == "AVERAGE_POOL_2D":
            y = graph.tensor(op.outputs[0])
            low, high = activation_range(op.options.get("fused_activation_function", "NONE"),
                                         y.scale, y.zero_point)
            value = min(max(value, low), high)
            continue
        bias = int(_bias(graph, op, _channels(graph, op))[channel])
        outputs = {_output_of(graph, op, channel, bias + (value - zero_point) * taps)
                   for taps in _inside_tap_sums(graph, op, channel)}
        if len(outputs) != 1:
            return None  # the padding makes the border differ
        value = outputs.pop()
    sink = graph.ops[route.sink]
    if _reads_padding(graph, sink) and value != graph.tensor(sink.inputs[0]).zero_point:
        return None
    return value


def _remove(graph: Graph, index: int, route: _Route, constants: dict[int, int],
            dead: list[int]) -> None:
    """Fold the dead channels into the sink's bias, then cut them everywhere on the way."""
    sink = graph.ops[route.sink]
    arriving = {c: _carried(graph, route, c, constants[c]) for c in dead}
    _fold_into_bias(graph, sink, arriving)
    keep = np.setdiff1d(np.arange(_channels(graph, graph.ops[index])), dead)
    _cut_weights(graph, sink, keep, axis=3 if sink.kind == "CONV_2D" else 1, quantized=False)
    producers = [index, *route.through]
    for position in producers:
        op = graph.ops[position]
        if op.kind != "AVERAGE_POOL_2D":
            _cut_weights(graph, op, keep, axis=_weight_axis(op), quantized=True)
            if len(op.inputs) > 2 and op.inputs[2] >= 0:
                _cut_bias(graph, op.inputs[2], keep)
        _cut_activation(graph, op.outputs[0], keep)


def _fold_into_bias(graph: Graph, sink: Op, arriving: dict[int, int]) -> None:
    w = graph.tensor(sink.inputs[1])
    zero_point = graph.tensor(sink.inputs[0]).zero_point
    data = np.asarray(w.data, dtype=np.int64)
    per_output = data.reshape(data.shape[0], -1, data.shape[-1])  # [out, taps, in channel]
    added = sum((value - zero_point) * per_output[:, :, c].sum(axis=1)
                for c, value in arriving.items())
    bias = graph.tensor(sink.inputs[2])
    values = np.asarray(bias.data, dtype=np.int64).reshape(-1) + added
    wrapped = ((values + (1 << 31)) % (1 << 32) - (1 << 31)).astype(np.int32)
    graph.tensors[bias.id] = dataclasses.replace(bias, data=wrapped.reshape(bias.data.shape))


def _cut_weights(graph: Graph, op: Op, keep: np.ndarray, axis: int, quantized: bool) -> None:
    """Keep only `keep` along `axis` of the op's weights (and of their per-channel scales
    when that axis is the quantized one)."""
    w = graph.tensor(op.inputs[1])
    data = np.take(w.data, keep, axis=axis)
    quant = w.quant
    if quantized and quant.per_channel:
        quant = Quantization(tuple(quant.scale[i] for i in keep),
                             tuple(quant.zero_point[i] for i in keep), quant.axis)
    graph.tensors[w.id] = dataclasses.replace(w, data=data, shape=data.shape, quant=quant)


def _cut_bias(graph: Graph, bias_id: int, keep: np.ndarray) -> None:
    bias = graph.tensor(bias_id)
    data = np.take(bias.data.reshape(-1), keep)
    quant = bias.quant
    if quant is not None and quant.per_channel:
        quant = Quantization(tuple(quant.scale[i] for i in keep),
                             tuple(quant.zero_point[i] for i in keep), quant.axis)
    graph.tensors[bias_id] = dataclasses.replace(bias, data=data, shape=data.shape, quant=quant)


def _cut_activation(graph: Graph, tensor_id: int, keep: np.ndarray) -> None:
    """The tensor and its aliases get len(keep) channels."""
    for tensor in list(graph.tensors.values()):
        if tensor.id == tensor_id or tensor.alias_of == tensor_id:
            graph.tensors[tensor.id] = dataclasses.replace(
                tensor, shape=(*tensor.shape[:-1], len(keep)))
            if tensor.id != tensor_id:
                _cut_activation(graph, tensor.id, keep)
