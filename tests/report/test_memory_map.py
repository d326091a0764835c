"""`<name>_memory.svg` and `edgeai analyze --memory-map`: the memory plan a user can look at.

The SVG is checked without a browser: it parses as XML in the SVG namespace, holds one
panel per used pool and exactly one titled rectangle per planned buffer, drawn inside its
panel at the buffer's lifetime (x) and offset (y).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from edgeai_tool.cli import main
from edgeai_tool.compilation import Compilation
from edgeai_tool.compiler import compile_model
from edgeai_tool.options import Options, output_files
from edgeai_tool.report import render_memory_svg
from edgeai_tool.report.memory_map import memory_maps

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "models" / "quantized_model.tflite"
BOARD_POOLS = ROOT / "models" / "mempools-board.json"
SVG = "{http://www.w3.org/2000/svg}"


def _svg(compilation: Compilation) -> ElementTree.Element:
    return ElementTree.fromstring(compilation.files[f"{compilation.options.name}_memory.svg"])


@pytest.fixture(scope="module")
def board_compilation() -> Compilation:
    return compile_model(DEMO, Options(memory_pool=str(BOARD_POOLS)))


def test_generate_writes_the_svg_and_lists_it(small_compilation: Compilation) -> None:
    assert "network_memory.svg" in output_files("network")
    assert set(small_compilation.files) == set(output_files("network"))
    assert small_compilation.files["network_memory.svg"] == render_memory_svg(small_compilation)


@pytest.mark.parametrize("compilation_name", ["small_compilation", "board_compilation"])
def test_one_titled_rectangle_per_planned_buffer(compilation_name: str,
                                                 request: pytest.FixtureRequest) -> None:
    compilation: Compilation = request.getfixturevalue(compilation_name)
    root = _svg(compilation)
    assert root.tag == f"{SVG}svg"
    panels = root.findall(f"{SVG}g")
    plan = compilation.plan
    assert [p.get("id") for p in panels] == [f"pool-{plan.pools[i].name}"
                                             for i in plan.used_pools]
    rects = root.findall(f".//{SVG}rect")
    assert len(rects) == len(plan.allocations)
    titles = [rect.find(f"{SVG}title").text for rect in rects]
    names = sorted(b.name for pool in memory_maps(compilation) for b in pool.buffers)
    assert sorted(t.split(":")[0] for t in titles) == names
    assert len(set(names)) == len(names)
    assert all(name.endswith(("_output", "_scratch0")) for name in names)


def test_rectangles_follow_offsets_and_lifetimes(small_compilation: Compilation) -> None:
    (panel,) = _svg(small_compilation).findall(f"{SVG}g")
    (pool,) = memory_maps(small_compilation)
    rects = panel.findall(f"{SVG}rect")
    for buffer, rect in zip(pool.buffers, rects, strict=True):
        assert rect.find(f"{SVG}title").text.startswith(f"{buffer.name}: {buffer.size:,} B "
                                                        f"at offset {buffer.offset:,}")
    # Height is proportional to size; buffers alive at the same step never overlap in y,
    # except an output drawn over the input it is written over in place.
    boxes = [tuple(float(r.get(k)) for k in ("x", "y", "width", "height")) for r in rects]
    # The ratio from the tallest box: the drawing rounds each height to 0.1.
    tallest = max(range(len(boxes)), key=lambda i: boxes[i][3])
    ratio = boxes[tallest][3] / pool.buffers[tallest].size
    for (*_, h), buffer in zip(boxes, pool.buffers, strict=True):
        assert h == pytest.approx(buffer.size * ratio, abs=0.1)
    for i, (xa, ya, wa, ha) in enumerate(boxes):
        for j, (xb, yb, wb, hb) in enumerate(boxes[i + 1:], i + 1):
            overlap_x = min(xa + wa, xb + wb) - max(xa, xb)
            overlap_y = min(ya + ha, yb + hb) - max(ya, yb)
            a, b = pool.buffers[i], pool.buffers[j]
            in_place = a.name == b.written_over or b.name == a.written_over
            assert overlap_x <= 0.1 or overlap_y <= 0.1 or in_place


def test_svg_is_deterministic(small_cnn: Path) -> None:
    first = compile_model(small_cnn, Options(), "a").files["network_memory.svg"]
    second = compile_model(small_cnn, Options(), "b").files["network_memory.svg"]
    assert first == second
    assert "/tmp" not in first and "small_cnn" not in first


def test_analyze_memory_map_prints_each_buffer(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["analyze", "-m", str(DEMO), "--memory-map"]) == 0
    text = capsys.readouterr().out
    compilation = compile_model(DEMO, Options())
    assert f"{compilation.plan.activations_bytes:,} B of activations" in text
    for pool in memory_maps(compilation):
        assert f"{pool.name}: {pool.used:,} B" in text
        for buffer in pool.buffers:
            (line,) = [row for row in text.splitlines() if row.split()[:1] == [buffer.name]]
            lifetime = line.split()[4]
            assert len(lifetime) == len(compilation.layers) + 2
            assert lifetime.count("#") == buffer.last - buffer.first + 1
            noted = line.endswith(f"in place over {buffer.written_over}")
            assert noted == bool(buffer.written_over)
