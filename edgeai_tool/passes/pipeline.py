"""The fixed order of passes from an imported graph to the graph that codegen lowers.

The model-wide rules are checked before (`ops.check.check_model`) and each op's own
constraints after (`ops.check.check_op`, as it is lowered); a pass transforms only ops
that pass that check, so that a refused op reaches it as the user wrote it."""

from __future__ import annotations

from edgeai_tool.ir import Graph
from edgeai_tool.passes.alias import alias_reshapes
from edgeai_tool.passes.dead_channels import remove_dead_channels
from edgeai_tool.passes.fold_pad import fold_pad
from edgeai_tool.passes.fuse import fuse_activations, fuse_conv_pool

PASSES = (alias_reshapes, fold_pad, fuse_activations, remove_dead_channels, fuse_conv_pool)


def optimize(graph: Graph) -> Graph:
    """Run every pass in order; the input graph is left untouched."""
    for graph_pass in PASSES:
        graph = graph_pass(graph)
    return graph
