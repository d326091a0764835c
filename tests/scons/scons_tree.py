"""Helpers to drive scons in throw-away copies of the repository.

Each test gets its own copy (SConstruct, site_scons, firmware, models and the
generator package, which the SCons tool imports from the tree it ships in),
so tests can edit models, templates and options without touching the real
tree. What ran is read from the tool's one-line-per-step output
(`Generating ...`, `Compiling ...`, `Linking ...`, `Retrieved ... from cache`).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
COPIED = ("SConstruct", "site_scons", "firmware", "models", "edgeai_tool")
INSNCOUNT_DIR = REPO.parent / "shared" / "tools" / "qemu-insncount"
STEPS = ("Generating ", "Compiling ", "Linking ", "Archiving ", "Writing ")


def have(program: str) -> bool:
    return shutil.which(program) is not None


needs_arm = pytest.mark.skipif(not have("arm-none-eabi-gcc"), reason="arm-none-eabi-gcc missing")
needs_qemu = pytest.mark.skipif(not (have("arm-none-eabi-gcc") and have("qemu-system-arm")),
                                reason="arm-none-eabi-gcc or qemu-system-arm missing")


@dataclass
class Result:
    returncode: int
    output: str

    @property
    def steps(self) -> list[str]:
        """The build steps that ran, e.g. 'Compiling firmware/app/main.c'."""
        return [line for line in self.output.splitlines() if line.startswith(STEPS)]

    def ran(self, kind: str) -> list[str]:
        """Names after a step kind: ran('Compiling') -> ['firmware/app/main.c', ...]."""
        return [line.split(" ", 2)[1] for line in self.steps if line.startswith(kind + " ")]

    @property
    def retrieved(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.startswith("Retrieved ")]


class Tree:
    """One copy of the repository and a way to run scons in it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def scons(self, *args: str, check: bool = True) -> Result:
        proc = subprocess.run(
            [sys.executable, "-m", "SCons", "-Q", f"INSNCOUNT_DIR={INSNCOUNT_DIR}", *args],
            cwd=self.root, capture_output=True, text=True, timeout=900)
        result = Result(proc.returncode, proc.stdout + proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"scons {' '.join(args)} failed:\n{result.output}")
        return result

    def up_to_date(self, *args: str) -> bool:
        """`scons -q`: exit status 0 when every target is up to date."""
        return self.scons("-q", *args, check=False).returncode == 0

    def path(self, relative: str) -> Path:
        return self.root / relative


def copy_tree(dest: Path) -> Tree:
    dest.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", ".sconsign*")
    for name in COPIED:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            shutil.copy2(src, dest / name)
    return Tree(dest)
