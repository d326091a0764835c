"""What one generation produced: the stages' outputs, then the files rendered from them.

Plain data, below every stage that reads it: the report renders from a `CompiledModel`,
and `compile_model` (compiler.py) returns a complete `Compilation`, files included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from edgeai_tool.codegen.emit import CNetwork
from edgeai_tool.codegen.layers.base import LayerCode
from edgeai_tool.codegen.patch_stage import PatchChoice
from edgeai_tool.ir import Graph
from edgeai_tool.memory import MemoryPlan
from edgeai_tool.options import Options


@dataclass(frozen=True)
class CompiledModel:
    """The model through every stage: imported and optimised graphs, layers, plan, C network."""

    model_path: Path
    options: Options
    imported: Graph
    graph: Graph
    layers: list[LayerCode]
    plan: MemoryPlan
    network: CNetwork
    command_line: str
    patch: PatchChoice | None  # the stage -O ram runs in row bands, if any


@dataclass(frozen=True)
class Compilation(CompiledModel):
    """A compiled model with the text of every file `generate` writes, by file name."""

    files: Mapping[str, str]

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
