"""Fusion passes: fewer, larger C layers, as ST Edge AI builds them.

- A standalone RELU/RELU6/RELU_N1_TO_1 after a layer with a fused-activation slot
  becomes that slot's clamp.
- CONV_2D followed by MAX_POOL_2D or AVERAGE_POOL_2D becomes one layer that never
  materialises the convolution's full output.

Both fuse only ops that pass their support check, so that a refused op is named as the user
wrote it, never hidden inside another.
"""

from __future__ import annotations

from edgeai_tool.ir import Graph, Op
from edgeai_tool.ops.check import is_supported

_ACTIVATION_OPS = {"RELU": "RELU", "RELU6": "RELU6", "RELU_N1_TO_1": "RELU_N1_TO_1"}
_HAS_ACTIVATION_SLOT = {
    "CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "MAX_POOL_2D", "AVERAGE_POOL_2D",
    "ADD", "SUB", "MUL",
}
_POOLS = {"MAX_POOL_2D", "AVERAGE_POOL_2D"}


def _sole_reader(graph: Graph, tensor_id: int) -> int | None:
    """The index of the only op reading `tensor_id`, if it is not also a graph output."""
    readers = graph.consumers().get(tensor_id, [])
    if len(readers) != 1 or tensor_id in graph.outputs:
        return None
    return readers[0]


def _same_quantization(graph: Graph, a: int, b: int) -> bool:
    return graph.tensor(a).quant == graph.tensor(b).quant


def fuse_activations(graph: Graph) -> Graph:
    """Fold standalone clamps into the fused-activation option of the op before them."""
    graph = graph.copy()
    index = 0
    while index < len(graph.ops):
        op = graph.ops[index]
        activation = op.options.get("fused_activation_function")
        if op.kind in _HAS_ACTIVATION_SLOT and activation == "NONE" and is_supported(graph, op):
            reader = _sole_reader(graph, op.outputs[0])
            if reader is not None and _folds_into(graph, op, graph.ops[reader]):
                clamp = graph.ops[reader]
                op.options["fused_activation_function"] = _ACTIVATION_OPS[clamp.kind]
                graph.ops[index] = op.replace(outputs=list(clamp.outputs),
                                              origin=op.origin + clamp.origin)
                del graph.ops[reader]
                continue
        index += 1
    return graph


def _folds_into(graph: Graph, op: Op, activation: Op) -> bool:
    return (activation.kind in _ACTIVATION_OPS and is_supported(graph, activation)
            and _same_quantization(graph, op.outputs[0], activation.outputs[0]))


def fuse_conv_pool(graph: Graph) -> Graph:
    """Merge CONV_2D + pool into one CONV_2D carrying the pool in `options["pool"]`."""
    graph = graph.copy()
    index = 0
    while index < len(graph.ops):
        op = graph.ops[index]
        if op.kind == "CONV_2D" and "pool" not in op.options and is_supported(graph, op):
            reader = _sole_reader(graph, op.outputs[0])
            if reader is not None and _pool_fuses(graph, graph.ops[reader]):
                pool = graph.ops[reader]
                options = dict(op.options)
                options["pool"] = {
                    "kind": pool.kind,
                    "filter_height": pool.options["filter_height"],
                    "filter_width": pool.options["filter_width"],
                    "stride_h": pool.options["stride_h"],
                    "stride_w": pool.options["stride_w"],
                    "padding": pool.options["padding"],
                    "fused_activation_function": pool.options["fused_activation_function"],
                    "intermediate": op.outputs[0],
                }
                fused = op.replace(outputs=list(pool.outputs), options=options,
                                   origin=op.origin + pool.origin)
                if is_supported(graph, fused):  # e.g. not a 16x8 convolution
                    graph.ops[index] = fused
                    del graph.ops[reader]
        index += 1
    return graph


def _pool_fuses(graph: Graph, pool: Op) -> bool:
    return (pool.kind in _POOLS and is_supported(graph, pool)
            and _same_quantization(graph, pool.inputs[0], pool.outputs[0]))
