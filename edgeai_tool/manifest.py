"""`edgeai.yaml`: a project's models, stated once for every build integration.

    # edgeai.yaml
    defaults:                  # optional: applied to every model
      optimization: balanced
    models:
      - name: network          # C name: network.c, network_run(), AI_NETWORK_*
        model: models/quantized_model.tflite   # paths are relative to this file
        mempools: models/mempools-board.json   # optional: ST memory-pool file
        optimization: balanced                 # time | ram | balanced
        allocate_inputs: true                  # I/O buffers inside the activations
        allocate_outputs: true
        target: stm32f7        # optional: default is the build's target

`read_manifest(path)` checks everything and returns the entries; every problem is a
`ManifestError` whose message names the file, the entry and the field, on one line, like
the CLI's errors. Nothing here depends on a build system: the SCons tool reads it, and
other integrations can.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

from edgeai_tool.errors import EdgeAIError
from edgeai_tool.options import DEFAULT_OPTIMIZATION, OPTIMIZATIONS, TARGETS

FIELDS = ("name", "model", "mempools", "optimization", "target", "allocate_inputs",
          "allocate_outputs")
DEFAULTABLE = ("mempools", "optimization", "target", "allocate_inputs", "allocate_outputs")
TOP_LEVEL = ("version", "defaults", "models")


class ManifestError(EdgeAIError):
    """A problem with the manifest; str() is the one-line message."""


@dataclass(frozen=True)
class ModelEntry:
    """One model of the manifest, paths resolved against the manifest's directory."""

    name: str
    model: Path
    mempools: Path | None = None
    optimization: str = DEFAULT_OPTIMIZATION
    target: str | None = None  # None: the build's target
    allocate_inputs: bool = True
    allocate_outputs: bool = True


def read_manifest(path: str | Path, shown: str | None = None) -> list[ModelEntry]:
    """The models of the manifest at `path` (shown in messages as `shown`)."""
    path = Path(path)
    shown = shown or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ManifestError(f"{shown}: cannot read the manifest: {exc.strerror}") from None
    import yaml  # pyyaml: only needed when a manifest is read

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ManifestError(f"{shown}{where}: not valid YAML: {problem}") from None
    return _check(data, path.parent, shown)


def _check(data: object, base: Path, shown: str) -> list[ModelEntry]:
    if not isinstance(data, dict):
        raise ManifestError(f"{shown}: expected a mapping with a 'models' list at the top")
    _unknown(data, TOP_LEVEL, shown, "top level")
    version = data.get("version", 1)
    if version != 1:
        raise ManifestError(f"{shown}: field 'version': {version!r} is not supported (only 1)")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ManifestError(f"{shown}: field 'defaults': expected a mapping of option: value")
    _unknown(defaults, DEFAULTABLE, shown, "defaults")
    models = data.get("models")
    if not isinstance(models, list) or not models:
        raise ManifestError(f"{shown}: field 'models': expected a non-empty list of models")
    entries: list[ModelEntry] = []
    for index, raw in enumerate(models):
        where = f"{shown}: models[{index}]"
        if not isinstance(raw, dict):
            raise ManifestError(f"{where}: expected a mapping with name, model, ...")
        if isinstance(raw.get("name"), str):
            where += f" ({raw['name']})"
        _unknown(raw, FIELDS, where, "model entry")
        entry = _entry({**_checked_defaults(defaults, shown, base), **raw}, base, where)
        if any(e.name == entry.name for e in entries):
            raise ManifestError(f"{where}: field 'name': '{entry.name}' is used twice; "
                                "each model needs its own C name")
        entries.append(entry)
    return entries


def _checked_defaults(defaults: dict, shown: str, base: Path) -> dict:
    # Checked on their own so an error says 'defaults', not a model that inherited it.
    for key, value in defaults.items():
        _value(key, value, base, f"{shown}: defaults")
    return defaults


def _entry(raw: dict, base: Path, where: str) -> ModelEntry:
    for required in ("name", "model"):
        if raw.get(required) in (None, ""):
            raise ManifestError(f"{where}: field '{required}' is missing")
    values = {key: _value(key, value, base, where) for key, value in raw.items()}
    return ModelEntry(**values)


def _value(key: str, value: object, base: Path, where: str) -> object:
    field = f"{where}: field '{key}'"
    if key == "name":
        if not (isinstance(value, str) and value.isidentifier() and value.isascii()):
            raise ManifestError(f"{field}: {value!r} is not a C identifier")
        return value
    if key in ("model", "mempools"):
        if key == "mempools" and value is None:
            return None
        if not isinstance(value, str) or not value:
            raise ManifestError(f"{field}: expected a file path, got {value!r}")
        path = base / os.path.expanduser(value)
        if not path.is_file():
            raise ManifestError(f"{field}: file '{value}' not found (relative to the manifest)")
        return path
    if key == "optimization":
        if value not in OPTIMIZATIONS:
            raise ManifestError(f"{field}: {value!r} is not one of {', '.join(OPTIMIZATIONS)}")
        return value
    if key == "target":
        if value is None:
            return None
        if value not in TARGETS:
            raise ManifestError(f"{field}: {value!r} is not one of {', '.join(TARGETS)}")
        return value
    if key in ("allocate_inputs", "allocate_outputs"):
        if not isinstance(value, bool):
            raise ManifestError(f"{field}: expected true or false, got {value!r}")
        return value
    raise ManifestError(f"{field}: unknown field")  # pragma: no cover (checked before)


def _unknown(mapping: dict, known: tuple[str, ...], where: str, what: str) -> None:
    for key in mapping:
        if key not in known:
            close = difflib.get_close_matches(str(key), known, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(known)}"
            raise ManifestError(f"{where}: field '{key}': unknown in the {what}{hint}")
