"""Weight formats: int8 or int16 per layer, and the trade `balanced` makes between them.

Some kernels run faster on weights the generator stores as int16 (no sign extension in
the inner loop) at twice the weight flash. `edgeai_tool.goals` says which goal asks for
which; `within_budget` is the trade of `balanced`: layers are widened in order of
multiply-accumulates per extra flash byte (the instructions saved are proportional to the
MACs, the cost to the extra bytes) as long as the network's constants stay within
`flash_budget`, and only where a layer's MACs at least match the bytes it adds, counting
once the code of a wide kernel no layer links yet (a family's `WIDE_CODE_BYTES`): a small
layer does not pull in a kernel larger than what it saves.

`compile_model` sets the budget to the size of the .tflite file: TFLite Micro keeps that
file in flash and adds its interpreter and kernels on top, so constants within it keep
edgeai's code + weights below TFLite Micro's.
"""

from __future__ import annotations

from edgeai_tool.codegen.layers import lower, wide_lowerings
from edgeai_tool.codegen.layers.base import LayerCode
from edgeai_tool.ir import Graph


def constant_bytes(layer: LayerCode) -> int:
    """Flash bytes of a layer's arrays (weights, biases, requantization tables)."""
    return sum(array.nbytes for array in layer.arrays)


def narrow_layers(graph: Graph) -> list[LayerCode]:
    """Every op of the optimised graph lowered with int8 weights."""
    return [lower(graph, op) for op in graph.ops]


def wide_layers(graph: Graph) -> dict[int, LayerCode]:
    """Op index -> the op lowered with int16 weights, for the ops whose family has them."""
    return {i: lower(graph, op, wide_weights=True) for i, op in enumerate(graph.ops)
            if op.kind in wide_lowerings()}


def within_budget(narrow: list[LayerCode], wide: dict[int, LayerCode], flash_budget: int,
                  code_bytes: dict[str, int]) -> list[LayerCode]:
    """The layers, widened where `balanced` trades flash for time (see above)."""
    chosen = list(narrow)
    total = sum(constant_bytes(layer) for layer in narrow)
    extra = {i: constant_bytes(layer) - constant_bytes(narrow[i]) for i, layer in wide.items()}
    linked: set[str] = set()
    # Most MACs per extra byte first; the layer index breaks ties, so the choice is stable.
    for i in sorted(wide, key=lambda i: (-wide[i].macc / max(extra[i], 1), i)):
        kernel = wide[i].kernel
        cost = extra[i] + (0 if kernel in linked else code_bytes.get(kernel, 0))
        if wide[i].macc >= cost and total + cost <= flash_budget:
            chosen[i] = wide[i]
            total += cost
            linked.add(kernel)
    return chosen
