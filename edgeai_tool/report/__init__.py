"""The report files of a generation: `<name>_generate_report.txt` and `<name>_c_info.json`."""

from edgeai_tool.report.c_info import render_c_info
from edgeai_tool.report.text import render_report

__all__ = ["render_c_info", "render_report"]
