"""`edgeai diff OLD NEW`: what changed between two models, for a reviewer.

Both models go through the normal pipeline (`compile_model`). Their imported ops are lined
up (difflib on the op kinds, so a removed or added layer does not shift every later one);
paired ops of the same kind compare their options and shapes, and each constant input
(weights, biases) compares its values. The figures are the generator's: macc, weights,
activations and the constant data the network puts in flash.

`describe(model)` is the model as stable text (ops, options, shapes, a digest and the range
of each constant), for git's textconv: `git diff` then shows a model change as text.
"""

from __future__ import annotations

import difflib
import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from edgeai_tool.compilation import CompiledModel
from edgeai_tool.compiler import compile_model
from edgeai_tool.ir import Graph, Op, Tensor
from edgeai_tool.options import Options

FIGURES = ("macc", "weights", "activations", "flash")
_FIGURE_LABELS = {"macc": "macc", "weights": "weights (B)", "activations": "activations (B)",
                  "flash": "flash, model data (B)"}


@dataclass(frozen=True)
class OpView:
    """One imported op as a reviewer reads it."""

    index: int
    kind: str
    name: str
    options: dict
    inputs: list[tuple[int, ...]]
    outputs: list[tuple[int, ...]]
    constants: list[Tensor]

    @property
    def title(self) -> str:
        return f"#{self.index} {self.kind} {self.name}".rstrip()

    def signature(self) -> str:
        shapes = " ".join(_shape(s) for s in self.inputs) + " -> " + " ".join(
            _shape(s) for s in self.outputs)
        options = ", ".join(f"{k}={v}" for k, v in sorted(self.options.items()))
        return f"{shapes}" + (f"  [{options}]" if options else "")


def _shape(shape: tuple[int, ...]) -> str:
    return "x".join(map(str, shape)) or "scalar"


def _short_name(tensor_name: str) -> str:
    """A Keras-style output name ('model/dense_5_1/MatMul;...') reduced to its layer."""
    first = tensor_name.split(";", 1)[0]
    parts = first.split("/")
    return parts[-2] if len(parts) >= 2 else first


def _op_view(graph: Graph, index: int, op: Op) -> OpView:
    inputs = [graph.tensor(i) for i in op.inputs if i >= 0]
    outputs = [graph.tensor(i) for i in op.outputs]
    name = op.name or (_short_name(outputs[0].name) if outputs else "")
    return OpView(index, op.kind, name, dict(op.options),
                  [t.shape for t in inputs if not t.is_constant],
                  [t.shape for t in outputs], [t for t in inputs if t.is_constant])


def _figures(compiled: CompiledModel) -> dict[str, int]:
    return {"macc": sum(layer.macc for layer in compiled.layers),
            "weights": compiled.network.weights_bytes,
            "activations": compiled.plan.activations_bytes,
            "flash": sum(a.nbytes for layer in compiled.layers for a in layer.arrays)}


def _load(path: str | Path) -> tuple[list[OpView], dict[str, int]]:
    compiled = compile_model(path, Options())
    graph = compiled.imported
    return [_op_view(graph, i, op) for i, op in enumerate(graph.ops)], _figures(compiled)


def _constant_change(old: Tensor, new: Tensor) -> dict | None:
    """How one constant changed; None when it did not."""
    if old.shape != new.shape:
        return {"shape": [_shape(old.shape), _shape(new.shape)]}
    a, b = old.data.astype(np.int64), new.data.astype(np.int64)
    changed = int(np.count_nonzero(a != b))
    if not changed:
        return None
    return {"values": int(a.size), "changed": changed,
            "max_abs_delta": int(np.abs(a - b).max()),
            "mean_abs_delta": round(float(np.abs(a - b).mean()), 4)}


def _paired_change(old: OpView, new: OpView) -> tuple[dict | None, list[dict]]:
    """(what changed in the op itself, how its constants changed)."""
    change = {}
    keys = sorted(set(old.options) | set(new.options))
    options = {k: [old.options.get(k), new.options.get(k)] for k in keys
               if old.options.get(k) != new.options.get(k)}
    if options:
        change["options"] = options
    for field in ("inputs", "outputs"):
        before, after = getattr(old, field), getattr(new, field)
        if before != after:
            change[field] = [[_shape(s) for s in before], [_shape(s) for s in after]]
    weights = []
    for position, (a, b) in enumerate(zip(old.constants, new.constants, strict=False)):
        delta = _constant_change(a, b)
        if delta:
            weights.append({"layer": new.title, "constant": position, **delta})
    return change or None, weights


def diff_models(old_path: str | Path, new_path: str | Path) -> dict:
    """The differences between two models, as plain data (what --json prints)."""
    old_ops, old_figures = _load(old_path)
    new_ops, new_figures = _load(new_path)
    matcher = difflib.SequenceMatcher(a=[op.kind for op in old_ops],
                                      b=[op.kind for op in new_ops], autojunk=False)
    removed, added, changed, weights = [], [], [], []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for old, new in zip(old_ops[i1:i2], new_ops[j1:j2], strict=True):
                change, constants = _paired_change(old, new)
                if change:
                    changed.append({"old": old.title, "new": new.title, **change})
                weights += constants
            continue
        removed += [{"op": op.title, "signature": op.signature()} for op in old_ops[i1:i2]]
        added += [{"op": op.title, "signature": op.signature()} for op in new_ops[j1:j2]]
    return {
        "old": str(old_path), "new": str(new_path),
        "ops": {"old": len(old_ops), "new": len(new_ops)},
        "removed": removed, "added": added, "changed": changed, "weights": weights,
        "figures": {name: {"old": old_figures[name], "new": new_figures[name]}
                    for name in FIGURES},
    }


def _signed(value: int) -> str:
    return f"{value:+,}" if value else "0"


def render_diff(result: dict) -> str:
    """The differences as text for a terminal or a CI log."""
    ops = result["ops"]
    lines = [f"edgeai diff {Path(result['old']).name} -> {Path(result['new']).name}",
             f"ops: {ops['old']} -> {ops['new']} ({len(result['removed'])} removed, "
             f"{len(result['added'])} added, {len(result['changed'])} changed)"]
    lines += [f"  - {op['op']}: {op['signature']}" for op in result["removed"]]
    lines += [f"  + {op['op']}: {op['signature']}" for op in result["added"]]
    for op in result["changed"]:
        details = [f"{k} {a} -> {b}" for k, (a, b) in op.get("options", {}).items()]
        details += [f"{field} {' '.join(op[field][0])} -> {' '.join(op[field][1])}"
                    for field in ("inputs", "outputs") if field in op]
        lines.append(f"  ~ {op['new']}: {'; '.join(details)}")
    if result["weights"]:
        lines.append(f"weights changed in {len(result['weights'])} constant(s):")
    for w in result["weights"]:
        what = (f"shape {w['shape'][0]} -> {w['shape'][1]}" if "shape" in w else
                f"{w['changed']:,} of {w['values']:,} values "
                f"({100 * w['changed'] / w['values']:.1f}%), max |delta| {w['max_abs_delta']}, "
                f"mean |delta| {w['mean_abs_delta']}")
        lines.append(f"  {w['layer']} constant {w['constant']}: {what}")
    if not (result["removed"] or result["added"] or result["changed"] or result["weights"]):
        lines.append("no change in ops or weights")
    lines.append(f"{'':<24}{'old':>12}{'new':>12}{'change':>12}")
    for name, figure in result["figures"].items():
        old, new = figure["old"], figure["new"]
        pct = f" ({100 * (new - old) / old:+.1f}%)" if old and new != old else ""
        lines.append(f"  {_FIGURE_LABELS[name]:<22}{old:>12,}{new:>12,}"
                     f"{_signed(new - old):>12}{pct}")
    return "\n".join(lines) + "\n"


def describe(path: str | Path) -> str:
    """The model as stable text, one op per block: what git's textconv shows."""
    ops, figures = _load(path)
    lines = [f"edgeai model: {len(ops)} ops"]
    lines += [f"{_FIGURE_LABELS[name]}: {figures[name]:,}" for name in FIGURES]
    for op in ops:
        lines.append(f"{op.title}: {op.signature()}")
        for position, tensor in enumerate(op.constants):
            digest = hashlib.sha256(np.ascontiguousarray(tensor.data).tobytes()).hexdigest()
            lines.append(f"    constant {position} {tensor.dtype} {_shape(tensor.shape)} "
                         f"range [{tensor.data.min()}, {tensor.data.max()}] sha256 {digest[:16]}")
    return "\n".join(lines) + "\n"
