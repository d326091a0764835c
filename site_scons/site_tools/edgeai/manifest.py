"""The manifest parser lives in the package (edgeai_tool.manifest), shared with CMake."""

from edgeai_tool.manifest import ManifestError, ModelEntry, read_manifest  # noqa: F401
