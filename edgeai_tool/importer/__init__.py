"""Import stage: a .tflite flatbuffer becomes a `Graph`."""

from edgeai_tool.importer.tflite_import import load_model

__all__ = ["load_model"]
