"""Fold a PAD/PADV2 into the CONV_2D or DEPTHWISE_CONV_2D reading it.

Keras' ZeroPadding2D followed by a VALID convolution (MobileNet's stride-2 blocks, ResNet
stems) pads with the input zero point, which is exactly what the convolution kernels do
for their own padding. The pad disappears when:

- its output is read only by one convolution (as its data input) and is not a graph output;
- the convolution is VALID and does not already carry a folded padding;
- only height and width are padded (4-D input, batch and channel paddings 0);
- the pad value equals the zero point, and the pad's input and output share quantization
  (the convolution then reads the unpadded input with the same offsets).

The folded convolution reads the pad's input. When the padding is what SAME padding gives
for that input (same output size, same rows/columns before), it simply becomes SAME;
otherwise it keeps VALID and gets `options["explicit_padding"] = (top, bottom, left, right)`,
which ops/conv.py honours (output size (in + top + bottom - effective filter) // stride + 1,
padding before = top/left; everything after is implicit, like SAME's). A 1x1 CONV_2D whose
padding is not SAME-equivalent is left alone (its kernel reads the input in place).
"""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.check import is_supported
from edgeai_tool.ops.conv import dilations
from edgeai_tool.ops.pool import window_geometry
from edgeai_tool.ops.transform import pad_value, paddings_of

_PADS = ("PAD", "PADV2")
_CONVS = ("CONV_2D", "DEPTHWISE_CONV_2D")


def fold_pad(graph: Graph) -> Graph:
    """Remove every PAD/PADV2 that its following convolution can do itself."""
    graph = graph.copy()
    index = 0
    while index < len(graph.ops):
        op = graph.ops[index]
        reader = (_sole_conv_reader(graph, op)
                  if op.kind in _PADS and is_supported(graph, op) else None)
        options = _folded_options(graph, op, graph.ops[reader]) if reader is not None else None
        if options is None:
            index += 1
            continue
        conv = graph.ops[reader]
        graph.ops[reader] = conv.replace(inputs=[op.inputs[0], *conv.inputs[1:]],
                                         options=options, origin=conv.origin + op.origin)
        del graph.ops[index]
    return graph


def _sole_conv_reader(graph: Graph, pad: Op) -> int | None:
    out = pad.outputs[0]
    readers = graph.consumers().get(out, [])
    if len(readers) != 1 or out in graph.outputs:
        return None
    conv = graph.ops[readers[0]]
    if conv.kind not in _CONVS or conv.inputs[0] != out or out in conv.inputs[1:] \
            or not is_supported(graph, conv):
        return None
    return readers[0]


def _folded_options(graph: Graph, pad: Op, conv: Op) -> dict | None:
    """The convolution's options with the padding folded in, or None if it cannot fold."""
    if conv.options.get("padding") != "VALID" or "explicit_padding" in conv.options:
        return None
    x, y = graph.tensor(pad.inputs[0]), graph.tensor(pad.outputs[0])
    if len(x.shape) != 4 or x.quant != y.quant or pad_value(graph, pad) != y.zero_point:
        return None
    pads = paddings_of(graph, pad)
    if pads[0] != (0, 0) or pads[3] != (0, 0):
        return None
    weights = graph.tensor(conv.inputs[1])
    if len(weights.shape) != 4:
        return None
    kernel = weights.shape[1:3]
    strides = (int(conv.options.get("stride_h", 1)), int(conv.options.get("stride_w", 1)))
    dilation = dilations(conv.options)
    same = all(_same_equivalent(x.shape[1 + a], pads[1 + a], kernel[a], strides[a], dilation[a])
               for a in range(2))
    options = dict(conv.options)
    if same:
        options["padding"] = "SAME"
    elif conv.kind == "CONV_2D" and tuple(kernel) == (1, 1):
        return None
    else:
        options["explicit_padding"] = (*pads[1], *pads[2])
    return options


def _same_equivalent(size: int, pad: tuple[int, int], kernel: int, stride: int,
                     dilation: int) -> bool:
    """Whether VALID over `size` padded by `pad` equals SAME over `size` (TFLite's rule)."""
    before, after = pad
    effective = (kernel - 1) * dilation + 1
    padded = size + before + after
    if padded < effective:
        return False
    same_out, same_before = window_geometry("SAME", size, kernel, stride, dilation)
    return (padded - effective) // stride + 1 == same_out and before == same_before
