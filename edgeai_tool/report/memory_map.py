"""Where the activations went: the memory plan as a picture (`<name>_memory.svg`) and as text
(`edgeai analyze --memory-map`).

One panel per used pool; each planned buffer is a rectangle spanning the steps it is alive
(x: execution step, from "in" before the first layer to "out" after the last) and the bytes
it occupies (y: offset in the pool). Both renderings are plain functions of the plan, with
fixed number formatting, so the same model and options give the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from edgeai_tool.codegen.emit import layer_names
from edgeai_tool.compilation import CompiledModel
from edgeai_tool.report.analysis import buffer_names


@dataclass(frozen=True)
class PlacedBuffer:
    name: str  # the array name the report uses (`conv2d_0_output`, `dense_5_scratch0`)
    offset: int
    size: int
    first: int  # step that writes it; -1 for a graph input
    last: int  # last step that reads it; len(layers) for a graph output
    written_over: str = ""  # the dying input this layer output overlaps (in-place), if any


@dataclass(frozen=True)
class PoolMap:
    name: str
    used: int
    buffers: list[PlacedBuffer]


def memory_maps(compilation: CompiledModel) -> list[PoolMap]:
    """The used pools in plan order, each with its buffers sorted by offset then first step."""
    graph, plan = compilation.graph, compilation.plan
    names = layer_names(graph)
    tensors = buffer_names(graph, names)
    maps = []
    for pool in plan.used_pools:
        buffers = []
        for key, allocation in plan.allocations.items():
            if allocation.pool != pool:
                continue
            request = allocation.request
            source = plan.written_over(key)
            buffers.append(PlacedBuffer(_name(key, names, tensors), allocation.offset,
                                        request.size, request.first, request.last,
                                        _name(source, names, tensors) if source else ""))
        buffers.sort(key=lambda b: (b.offset, b.first, b.name))
        maps.append(PoolMap(plan.pools[pool].name, plan.used_bytes(pool), buffers))
    return maps


def _name(key: str, layers: list[str], tensors: dict[int, str]) -> str:
    return f"{layers[int(key[1:])]}_scratch0" if key.startswith("s") else tensors[int(key[1:])]


# ---- text --------------------------------------------------------------------------------

def render_memory_map(compilation: CompiledModel) -> str:
    """A table per pool; the last column draws each buffer's lifetime, one character a step."""
    steps = len(compilation.layers)
    lines = [f"Memory map of {compilation.options.name}: "
             f"{compilation.plan.activations_bytes:,} B of activations, {steps} layers",
             "(lifetime: one column per step, from before the first layer to after the last; "
             "'#' alive)"]
    for pool in memory_maps(compilation):
        lines += ["", f"{pool.name}: {pool.used:,} B, {len(pool.buffers)} buffers"]
        width = max((len(b.name) for b in pool.buffers), default=0)
        lines.append(f"  {'buffer':<{width}}  {'offset':>8}  {'size':>8}  {'end':>8}  lifetime")
        for b in pool.buffers:
            bar = "".join("#" if b.first <= step <= b.last else "." for step in
                          range(-1, steps + 1))
            over = f"  in place over {b.written_over}" if b.written_over else ""
            lines.append(f"  {b.name:<{width}}  {b.offset:>8,}  {b.size:>8,}  "
                         f"{b.offset + b.size:>8,}  {bar}{over}")
    return "\n".join(lines) + "\n"


# ---- SVG ---------------------------------------------------------------------------------

_PANEL_WIDTH = 760.0  # drawing area of one panel, in SVG user units
_PANEL_HEIGHT = 320.0
_MARGIN_LEFT = 70.0
_MARGIN_TOP = 40.0
_PANEL_GAP = 70.0
_COLOURS = ("#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69",
            "#fccde5", "#d9d9d9", "#bc80bd", "#ccebc5", "#ffed6f")
_LABEL_MIN_HEIGHT = 11.0  # a rectangle lower than this keeps its label in the tooltip only


def render_memory_svg(compilation: CompiledModel) -> str:
    """`<name>_memory.svg`: one panel per pool, one titled rectangle per buffer."""
    steps = len(compilation.layers)
    maps = memory_maps(compilation)
    width = _MARGIN_LEFT + _PANEL_WIDTH + 20
    height = _MARGIN_TOP + len(maps) * (_PANEL_HEIGHT + _PANEL_GAP)
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="10">',
        f"<title>{escape(compilation.options.name)}: activations "
        f"{compilation.plan.activations_bytes:,} B</title>",
        f'<text x="{_MARGIN_LEFT:.0f}" y="20" font-size="14">'
        f"{escape(compilation.options.name)}: {compilation.plan.activations_bytes:,} B of "
        f"activations, {steps} layers (x: step, y: offset in the pool)</text>",
    ]
    for index, pool in enumerate(maps):
        top = _MARGIN_TOP + index * (_PANEL_HEIGHT + _PANEL_GAP)
        parts += _panel(pool, top, steps)
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _panel(pool: PoolMap, top: float, steps: int) -> list[str]:
    columns = steps + 2  # the input column, one per layer, the output column
    step_width = _PANEL_WIDTH / columns
    scale = _PANEL_HEIGHT / max(pool.used, 1)
    left = _MARGIN_LEFT
    parts = [
        f'<g class="pool" id={quoteattr("pool-" + pool.name)}>',
        f'<text x="{left:.1f}" y="{top + 14:.1f}" font-size="12">'
        f"{escape(pool.name)}: {pool.used:,} B</text>",
        # The frame is a path, not a rect, so the rectangles are exactly the buffers.
        f'<path class="frame" d="M{left:.1f},{top + 20:.1f} h{_PANEL_WIDTH:.1f} '
        f'v{_PANEL_HEIGHT:.1f} h-{_PANEL_WIDTH:.1f} z" fill="none" stroke="#888888"/>',
    ]
    for column in range(columns):
        label = "in" if column == 0 else "out" if column == columns - 1 else str(column - 1)
        x = left + (column + 0.5) * step_width
        parts.append(f'<text x="{x:.1f}" y="{top + 20 + _PANEL_HEIGHT + 12:.1f}" '
                     f'text-anchor="middle">{label}</text>')
    for tick in (0, pool.used):
        y = top + 20 + tick * scale
        parts.append(f'<text x="{left - 4:.1f}" y="{y + 3:.1f}" text-anchor="end">'
                     f"{tick:,}</text>")
    for number, buffer in enumerate(pool.buffers):
        x = left + (buffer.first + 1) * step_width
        y = top + 20 + buffer.offset * scale
        w = (buffer.last - buffer.first + 1) * step_width
        h = buffer.size * scale
        tooltip = (f"{buffer.name}: {buffer.size:,} B at offset {buffer.offset:,}, "
                   f"steps {_step_name(buffer.first, steps)} to {_step_name(buffer.last, steps)}"
                   + (f", in place over {buffer.written_over}" if buffer.written_over else ""))
        parts.append(f'<rect class="buffer" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" '
                     f'height="{h:.1f}" fill="{_COLOURS[number % len(_COLOURS)]}" '
                     f'stroke="#333333" stroke-width="0.5"><title>{escape(tooltip)}</title></rect>')
        if h >= _LABEL_MIN_HEIGHT:
            parts.append(f'<text class="label" x="{x + w / 2:.1f}" y="{y + h / 2 + 3:.1f}" '
                         f'text-anchor="middle">{escape(buffer.name)}</text>')
    parts.append("</g>")
    return parts


def _step_name(step: int, steps: int) -> str:
    return "in" if step < 0 else "out" if step >= steps else str(step)
