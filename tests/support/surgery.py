"""Small in-place edits of TFLite flatbuffers, for tests."""

from __future__ import annotations

import struct

import tflite

_SUBGRAPH_OUTPUTS_FIELD = 8  # vtable offset of SubGraph.outputs in the schema


def with_output_tensor(model: bytes, tensor_index: int) -> bytes:
    """The model with its (single) output replaced by another tensor, e.g. the logits
    before a final SOFTMAX, whose values do not saturate. The ops stay as they are."""
    subgraph = tflite.Model.GetRootAs(model, 0).Subgraphs(0)
    assert subgraph.OutputsLength() == 1, "only single-output models"
    table = subgraph._tab
    vector = table.Vector(table.Offset(_SUBGRAPH_OUTPUTS_FIELD))
    edited = bytearray(model)
    struct.pack_into("<i", edited, vector, tensor_index)
    return bytes(edited)
