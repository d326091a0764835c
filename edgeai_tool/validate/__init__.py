"""Validate stage: run the generated C and compare it with the TFLite Micro interpreter."""

from edgeai_tool.validate.compare import Metrics, compare_outputs
from edgeai_tool.validate.host import HostNetwork

__all__ = ["HostNetwork", "Metrics", "compare_outputs"]
