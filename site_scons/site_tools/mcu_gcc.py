"""The mcu_gcc SCons tool of this tree's edgeai package (see edgeai_tool.scons)."""

from edgeai_tool.scons.tools.mcu_gcc import exists, generate

__all__ = ["exists", "generate"]
