"""The report written after linking: the generate report with its "Requested memory size
by section" table filled from the firmware's map file, and a one-line summary."""

from __future__ import annotations

import re

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.scons.generation import report_error, request, session
from edgeai_tool.scons.mapfile import module_sizes

LINKED_SUFFIXES = ('.o', '.obj', '.a')


def write_report(target, source, env) -> int:
    """The action. Sources: the map file, the model's sources, then the objects and
    libraries that get a row each."""
    from edgeai_tool.report import render_report

    name = env.subst('$EDGEAI_NAME')
    map_file, rest = source[0], source[1:]
    linked = [s for s in rest if s.name.endswith(LINKED_SUFFIXES)]
    try:
        wanted = request(env, name, [s for s in rest if s not in linked])
        compilation = session(env).compilation(wanted)
        rows = {node.name: [node.path, node.get_abspath()] for node in linked}
        sizes = module_sizes(map_file.get_abspath(), rows)
        text = render_report(compilation, wanted.shown, sizes)
    except EdgeAIError as exc:
        report_error(exc)
        return 2
    with open(target[0].get_abspath(), 'w', encoding='utf-8') as f:
        f.write(text)
    summary = summary_line(text)
    if summary:
        print(f'{name}: {summary} (see {target[0].path})')
    return 0


def summary_figures(report: str) -> dict[str, str] | None:
    """The report's Summary figures (ST's "RT total" and "TOTAL" rows) as printed, e.g.
    {'runtime_flash': '9,100', 'runtime_ram': '8', 'flash': '47,196', 'ram': '2,012'};
    None when it has none."""
    tail = report.split('Summary', 1)[-1]
    runtime = re.search(r'^\s*RT total\s+([\d,]+)\s+\S+\s+([\d,]+)', tail, re.M)
    total = re.search(r'^\s*TOTAL\s+([\d,]+)\s+([\d,]+)', tail, re.M)
    if not (runtime and total):
        return None
    return dict(runtime_flash=runtime.group(1), runtime_ram=runtime.group(2),
                flash=total.group(1), ram=total.group(2))


def summary_line(report: str) -> str:
    """'runtime 12,345 B flash, 1,234 B RAM; with weights and activations ...' from
    the report's Summary; '' when it has none."""
    figures = summary_figures(report)
    if not figures:
        return ''
    return (f"runtime {figures['runtime_flash']} B flash, {figures['runtime_ram']} B RAM; "
            f"with weights and activations {figures['flash']} B flash, {figures['ram']} B RAM")
