"""The pipeline as one call: model file -> compiled network (C files, plan, report data).

Stages run in one direction, each a pure function of the previous stage's output plus
options; the CLI, the SCons tool and the tests all go through `compile_model`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import fields
from pathlib import Path

from edgeai_tool.codegen.emit import build_network, render_c_files
from edgeai_tool.codegen.layers.base import LayerCode
from edgeai_tool.codegen.legacy import legacy_api
from edgeai_tool.compilation import Compilation, CompiledModel
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.goals import schedule_for_goal
from edgeai_tool.importer import load_model
from edgeai_tool.io_types import with_io_types
from edgeai_tool.ir import Graph
from edgeai_tool.memory import (
    MemoryPlan,
    MemoryPool,
    default_pools,
    load_mempools,
    plan_memory,
)
from edgeai_tool.ops.check import check_model
from edgeai_tool.options import Options
from edgeai_tool.passes import optimize
from edgeai_tool.report import render_c_info, render_memory_svg, render_report


def compile_model(model_path: str | Path, options: Options,
                  command_line: str = "") -> Compilation:
    """Import, check, optimise, lower, plan and emit; raises `EdgeAIError` on bad input."""
    options.validate()
    model_path = Path(model_path)
    pools: list[MemoryPool] = (load_mempools(options.memory_pool) if options.memory_pool
                               else default_pools())
    imported = with_io_types(load_model(model_path), options.input_data_type,
                             options.output_data_type)
    check_model(imported)
    graph = optimize(imported)

    def plan_for(graph: Graph, layers: list[LayerCode]) -> MemoryPlan:
        return plan_memory(graph, [layer.scratch_bytes for layer in layers], pools,
                           options.allocate_inputs, options.allocate_outputs,
                           [layer.overwrites for layer in layers],
                           # the im2col kernels read one scratch byte per multiply-accumulate
                           [layer.macc if layer.scratch_bytes else 0 for layer in layers])

    schedule = schedule_for_goal(options.optimization, graph,
                                 flash_budget=model_path.stat().st_size, plan_for=plan_for)
    graph, layers, plan = schedule.graph, schedule.layers, schedule.plan
    network = build_network(graph, layers, plan, options.name, options.target,
                            options.optimization)
    compiled = CompiledModel(model_path, options, imported, graph, layers, plan, network,
                             command_line or f"generate --model {model_path.name}",
                             schedule.patch)
    legacy = (legacy_api(network, sum(layer.macc for layer in layers))
              if options.legacy_api else None)
    files = render_c_files(network, legacy)
    files[f"{options.name}_generate_report.txt"] = render_report(compiled)
    files[f"{options.name}_c_info.json"] = render_c_info(compiled)
    files[f"{options.name}_memory.svg"] = render_memory_svg(compiled)
    return Compilation(**{f.name: getattr(compiled, f.name) for f in fields(compiled)},
                       files=files)


def write_files(files: dict[str, str], output_dir: str | Path) -> None:
    """Write all files or none: stage them in a directory beside OUTDIR, then rename.

    A build system must never see a half-written set as up to date, so each file
    appears in OUTDIR complete (rename is atomic), and only after all were written.
    A file whose bytes are already there is left alone, keeping its mtime, so
    timestamp-based builds (Make, Ninja) recompile only what changed.
    """
    output_dir = Path(output_dir)
    contents = {name: text.encode("utf-8") for name, text in files.items()}
    changed = sorted(name for name, data in contents.items()
                     if _read_or_none(output_dir / name) != data)
    if not changed:
        return
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", dir=output_dir.parent))
    except OSError as exc:
        raise _unwritable(output_dir, exc) from None
    try:
        for name in changed:
            (staging / name).write_bytes(contents[name])
        for name in changed:
            os.replace(staging / name, output_dir / name)
    except OSError as exc:
        raise _unwritable(output_dir, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _unwritable(output_dir: Path, exc: OSError) -> EdgeAIError:
    return EdgeAIError(f"cannot write to output directory {output_dir}: {exc.strerror}")
