"""The report files of a generation: `<name>_generate_report.txt`, `<name>_c_info.json` and
`<name>_memory.svg` (the memory plan drawn)."""

from edgeai_tool.report.c_info import render_c_info
from edgeai_tool.report.memory_map import render_memory_map, render_memory_svg
from edgeai_tool.report.text import render_report

__all__ = ["render_c_info", "render_memory_map", "render_memory_svg", "render_report"]
