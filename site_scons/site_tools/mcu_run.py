"""The mcu_run SCons tool of this tree's edgeai package (see edgeai_tool.scons)."""

from edgeai_tool.scons.tools.mcu_run import exists, generate

__all__ = ["exists", "generate"]
