"""The pipeline as one call: model file -> compiled network (C files, plan, report data).

Stages run in one direction, each a pure function of the previous stage's output plus
options; the CLI, the SCons tool and the tests all go through `compile_model`.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from edgeai_tool.codegen.emit import CNetwork, build_network, render_c_files
from edgeai_tool.codegen.layers import lowerings
from edgeai_tool.codegen.layers.base import LayerCode
from edgeai_tool.codegen.legacy import legacy_api
from edgeai_tool.errors import EdgeAIError
from edgeai_tool.importer import load_model
from edgeai_tool.io_types import with_io_types
from edgeai_tool.ir import Graph
from edgeai_tool.memory import MemoryPlan, MemoryPool, default_pools, load_mempools, plan_memory
from edgeai_tool.options import Options
from edgeai_tool.passes import optimize
from edgeai_tool.report import render_c_info, render_report


@dataclass
class Compilation:
    """Everything one generation produced, for the C files, the report and validation."""

    model_path: Path
    options: Options
    imported: Graph
    graph: Graph
    layers: list[LayerCode]
    plan: MemoryPlan
    network: CNetwork
    command_line: str = ""
    files: dict[str, str] = field(default_factory=dict)

    @property
    def report(self) -> str:
        return self.files[f"{self.options.name}_generate_report.txt"]

    def summary(self) -> str:
        """What `edgeai generate` prints: the headline figures, one per line."""
        return "\n".join((
            f"model         : {self.model_path.name} -> {self.options.name}.c "
            f"({len(self.layers)} C layers from {len(self.imported.ops)} ops)",
            f"macc          : {sum(layer.macc for layer in self.layers):,}",
            f"weights (ro)  : {self.network.weights_bytes:,} B",
            f"activations   : {self.plan.activations_bytes:,} B "
            f"({', '.join(p.name for p in self.network.pools)})",
        ))


def compile_model(model_path: str | Path, options: Options,
                  command_line: str = "") -> Compilation:
    """Import, optimise, lower, plan and emit; raises `EdgeAIError` on bad input."""
    options.validate()
    model_path = Path(model_path)
    pools: list[MemoryPool] = (load_mempools(options.memory_pool) if options.memory_pool
                               else default_pools())
    imported = with_io_types(load_model(model_path), options.input_data_type,
                             options.output_data_type)
    graph = optimize(imported)
    table = lowerings()
    layers = [table[op.kind](graph, op) for op in graph.ops]
    plan = plan_memory(graph, [layer.scratch_bytes for layer in layers], pools,
                       options.allocate_inputs, options.allocate_outputs)
    network = build_network(graph, layers, plan, options.name, options.target,
                            options.optimization)
    compilation = Compilation(model_path, options, imported, graph, layers, plan, network,
                              command_line or f"generate --model {model_path.name}")
    legacy = (legacy_api(network, sum(layer.macc for layer in layers))
              if options.legacy_api else None)
    files = render_c_files(network, legacy)
    files[f"{options.name}_generate_report.txt"] = render_report(compilation)
    files[f"{options.name}_c_info.json"] = render_c_info(compilation)
    compilation.files = files
    return compilation


def write_files(files: dict[str, str], output_dir: str | Path) -> None:
    """Write all files or none: stage them in a directory beside OUTDIR, then rename.

    A build system must never see a half-written set as up to date, so each file
    appears in OUTDIR complete (rename is atomic), and only after all were written.
    """
    output_dir = Path(output_dir)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output_dir.name}.", dir=output_dir.parent))
    except OSError as exc:
        raise _unwritable(output_dir, exc) from None
    try:
        for name, text in sorted(files.items()):
            (staging / name).write_bytes(text.encode("utf-8"))
        for name in sorted(files):
            os.replace(staging / name, output_dir / name)
    except OSError as exc:
        raise _unwritable(output_dir, exc) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _unwritable(output_dir: Path, exc: OSError) -> EdgeAIError:
    return EdgeAIError(f"cannot write to output directory {output_dir}: {exc.strerror}")
