"""The SCons tool modules, in the directory `edgeai_tool.scons.toolpath()` names."""
