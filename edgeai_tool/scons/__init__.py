"""edgeai's SCons tools, shipped in the package so any SConstruct can load them.

    import edgeai_tool.scons
    env = Environment(tools=['default', 'mcu_gcc', 'mcu_run', 'edgeai'],
                      toolpath=[edgeai_tool.scons.toolpath()])

The tools (in `tools/`, one module each, SCons' `generate(env)`/`exists(env)`):
- `edgeai`: C models from int8 TFLite files, their runtime library, their reports after
  linking, test data with TFLite Micro's outputs, and the package's board support;
- `mcu_gcc`: GCC for a microcontroller (arm-none-eabi) or the host, firmware images and
  their memory summary;
- `mcu_run`: run a firmware in QEMU (with instruction counts) or natively; flash a board.

The modules beside `tools/` are their helpers; nothing here is needed to generate C.
"""

from __future__ import annotations

from pathlib import Path


def toolpath() -> str:
    """The directory to give SCons as `toolpath=[...]` to find edgeai's tools."""
    return str(Path(__file__).resolve().parent / "tools")
