"""Helpers to configure and build the CMake demo (examples/cmake) in throw-away trees.

A tree holds what the example reads from the repository (examples/cmake, the demo
application, edgeai.yaml and the demo's models), so tests can change models without
touching the real ones; the CMake module and the generator are the repository's own
(edgeai_DIR, EDGEAI_PYTHON), or with `own_package` a copy in the tree (found first on
PYTHONPATH), for tests that edit the generator. What ran is read from the build tools'
progress lines, alike for Ninja (`[3/7] Building C object ...`) and Make (`[ 61%] ...`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MODULE_DIR = REPO / "edgeai_tool" / "cmake"
MODEL = "models/quantized_model.tflite"
COPIED = ("examples/cmake", "firmware/app", "edgeai.yaml", MODEL,
          "models/mempools-board.json", "models/digits_test.npz")
STEP = re.compile(r"^\[[^\]]*\] (Generating|Building C object|"
                  r"Linking C (?:executable|static library)) (\S+)")

needs_cmake = pytest.mark.skipif(shutil.which("cmake") is None, reason="cmake missing")
needs_ninja = pytest.mark.skipif(shutil.which("ninja") is None, reason="ninja missing")


@dataclass
class Result:
    returncode: int
    output: str

    def ran(self, kind: str) -> list[str]:
        """What a kind of step worked on: ran('Building C object') -> object paths;
        'Generating' gives the generated file named first, 'Linking' the program."""
        steps = [STEP.match(line) for line in self.output.splitlines()]
        return [m.group(2) for m in steps if m and m.group(1).startswith(kind)]

    @property
    def steps(self) -> list[str]:
        return [line for line in self.output.splitlines() if STEP.match(line)]

    @property
    def errors(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.startswith("edgeai: error:")]


class Tree:
    """A copy of the example's inputs and one build directory for it."""

    def __init__(self, root: Path, generator: str = "Ninja", own_package: bool = False) -> None:
        self.root = root
        self.build_dir = root / "build"
        self.generator = generator
        self.module_dir = root / "edgeai_tool" / "cmake" if own_package else MODULE_DIR
        self.env = {**os.environ, "PYTHONPATH": str(root)} if own_package else None

    def path(self, relative: str) -> Path:
        return self.root / relative

    def configure(self, *definitions: str, check: bool = True,
                  source: str = "examples/cmake") -> Result:
        command = ["cmake", "-S", str(self.root / source), "-B", str(self.build_dir),
                   "-G", self.generator, f"-Dedgeai_DIR={self.module_dir}",
                   f"-DEDGEAI_PYTHON={sys.executable}", *definitions]
        return _run(command, self.root, check, self.env)

    def build(self, check: bool = True) -> Result:
        return _run(["cmake", "--build", str(self.build_dir)], self.root, check, self.env)

    def ctest(self) -> Result:
        return _run(["ctest", "--output-on-failure", "-V"], self.build_dir, False, self.env)

    def up_to_date(self) -> bool:
        """Building again runs no step (and Ninja says it had no work)."""
        again = self.build()
        return not again.steps and (self.generator != "Ninja"
                                    or "ninja: no work to do" in again.output)


def _run(command: list[str], cwd: Path, check: bool,
         env: dict[str, str] | None = None) -> Result:
    proc = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600,
                          env=env)
    result = Result(proc.returncode, proc.stdout + proc.stderr)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(command)} failed:\n{result.output}")
    return result


def copy_tree(dest: Path, generator: str = "Ninja", own_package: bool = False) -> Tree:
    for name in (*COPIED, *(["edgeai_tool"] if own_package else [])):
        src, out = REPO / name, dest / name
        out.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, out, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, out)
    return Tree(dest, generator, own_package)
