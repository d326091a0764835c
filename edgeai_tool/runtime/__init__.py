"""The C runtime: kernel sources and headers that every generated network links with."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def runtime_files() -> dict[str, str]:
    """File name -> contents of every runtime source and header, sorted by name."""
    package = resources.files(__name__)
    return {entry.name: entry.read_text(encoding="utf-8")
            for entry in sorted(package.iterdir(), key=lambda e: e.name)
            if entry.name.endswith((".c", ".h"))}


def runtime_dir() -> Path:
    """The installed runtime folder (for build systems that compile it in place)."""
    return Path(__file__).resolve().parent
