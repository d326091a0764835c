"""Depfiles and stamps, for build systems that use timestamps (CMake's DEPFILE, Ninja's
depfile, Make's include). A depfile says what a generation read, in Makefile syntax:

    [/out/network.stamp] /out/network.h /out/network.c ...: /models/model.tflite \
      /pkg/edgeai_tool/ir.py ...

Paths are absolute: a depfile belongs to one build tree and never enters generated C.
The stamp is touched on every successful run: the generator leaves unchanged files
alone, so a build without Ninja's restat (Make) tracks the run by the stamp instead.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from edgeai_tool.cache import generator_sources
from edgeai_tool.errors import EdgeAIError


def record_generation(outputs: list[Path], inputs: list[str | Path],
                      depfile: str | Path | None, stamp: str | Path | None) -> None:
    """After a successful generation: the depfile (the stamp first among its targets; the
    inputs and the generator's own files as prerequisites), then the stamp, last, so a
    stamp never stands for a run whose depfile is missing."""
    if depfile:
        targets = [Path(stamp)] if stamp else []
        write_depfile(depfile, targets + outputs, [*inputs, *generator_sources()])
    if stamp:
        touch_stamp(stamp)


def depfile_text(targets: Iterable[str | Path], prerequisites: Iterable[str | Path]) -> str:
    """`targets: prerequisites`, one prerequisite a line, Makefile-escaped."""
    head = " ".join(_escape(t) for t in targets)
    return head + ":" + "".join(f" \\\n  {_escape(p)}" for p in prerequisites) + "\n"


def _escape(path: str | Path) -> str:
    # What Make, Ninja and CMake's depfile readers all understand.
    text = os.path.abspath(path)
    return text.replace("$", "$$").replace("#", "\\#").replace(" ", "\\ ")


def write_depfile(path: str | Path, targets: Iterable[str | Path],
                  prerequisites: Iterable[str | Path]) -> None:
    """Write the depfile whole or not at all (a rename), so a build never reads half."""
    path = Path(path)
    text = depfile_text(targets, prerequisites)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, staged = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    except OSError as exc:
        raise _unwritable(path, exc) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(staged, path)
    except OSError as exc:
        Path(staged).unlink(missing_ok=True)
        raise _unwritable(path, exc) from None


def _unwritable(path: Path, exc: OSError) -> EdgeAIError:
    return EdgeAIError(f"cannot write depfile {path}: {exc.strerror}")


def touch_stamp(path: str | Path) -> None:
    """Create `path` or update its mtime to now."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    except OSError as exc:
        raise EdgeAIError(f"cannot write stamp file {path}: {exc.strerror}") from None
