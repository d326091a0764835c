"""Helpers to drive scons in throw-away copies of the repository.

A copy holds what a build reads (SConstruct, edgeai.yaml, site_scons, firmware, models
and the package, with its SCons tools, board support and QEMU plugin: site_scons takes
edgeai_tool from the tree it is in), so tests can edit models, templates and options
without touching the real tree. Each copy has its own edgeai model cache unless told
otherwise.

What ran is read from the tools' one-line-per-step output (`Generating ...`,
`Reusing ... from the edgeai cache`, `Compiling ...`, `Linking ...`, `Retrieved ...`).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
COPIED = ("SConstruct", "edgeai.yaml", "site_scons", "firmware", "models", "edgeai_tool")
STEPS = ("Generating ", "Reusing ", "Compiling ", "Linking ", "Archiving ", "Writing ")
MODEL = "models/quantized_model.tflite"


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

    @property
    def errors(self) -> list[str]:
        return [line for line in self.output.splitlines() if line.startswith("edgeai: error:")]


class Tree:
    """One copy of the repository and a way to run scons in it."""

    def __init__(self, root: Path, edgeai_cache: Path | None = None) -> None:
        self.root = root
        self.edgeai_cache = edgeai_cache or root.parent / f"{root.name}-edgeai-cache"

    def scons(self, *args: str, check: bool = True, cwd: str = ".",
              prelude: str | None = None) -> Result:
        """Run scons; `prelude` is Python run in the scons process before SCons starts
        (to break the generator on purpose)."""
        command = [sys.executable, "-m", "SCons"]
        if prelude is not None:
            command = [sys.executable, "-c",
                       f"{prelude}\nimport sys, SCons.Script\n"
                       "sys.argv[0] = 'scons'\nSCons.Script.main()"]
        command += ["-Q", f"EDGEAI_CACHE_DIR={self.edgeai_cache}", *args]
        proc = subprocess.run(command, cwd=self.root / cwd, capture_output=True, text=True,
                              timeout=900)
        result = Result(proc.returncode, proc.stdout + proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"scons {' '.join(args)} failed:\n{result.output}")
        return result

    def up_to_date(self, *args: str, cwd: str = ".") -> bool:
        """`scons -q`: exit status 0 when every target is up to date."""
        return self.scons("-q", *args, check=False, cwd=cwd).returncode == 0

    def path(self, relative: str) -> Path:
        return self.root / relative

    def clone(self, dest: Path, share_cache: bool = False) -> Tree:
        """A copy of this tree as it is, build results and SCons' records included."""
        shutil.copytree(self.root, dest, symlinks=True)
        return Tree(dest, self.edgeai_cache if share_cache else None)


def copy_from_repo(names: tuple[str, ...], dest: Path) -> None:
    """Files and folders of the repository, without build results, into dest."""
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "build", ".sconsign*")
    for name in names:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=ignore)
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)


def copy_tree(dest: Path, extra: tuple[str, ...] = (), edgeai_cache: Path | None = None) -> Tree:
    copy_from_repo((*COPIED, *extra), dest)
    return Tree(dest, edgeai_cache)


def digit_lines(output: str) -> list[str]:
    """The demo's per-digit lines: prediction, label and raw int8 outputs."""
    return [line for line in output.splitlines() if line.startswith("digit ")]


def tflite_micro_outputs(tree: Tree, lines: list[str]) -> list[list[int]]:
    """TFLite Micro's int8 outputs for the demo's digits (positions from its lines)."""
    from edgeai_tool.validate.reference import run_reference

    positions = [int(re.search(r"\(test #(\d+)\)", line).group(1)) for line in lines]
    with np.load(tree.path("models/digits_test.npz")) as data:
        inputs = data["inputs"][positions].astype(np.int8)
    outputs = run_reference(tree.path(MODEL), [inputs.reshape(len(positions), 28, 28, 1)])[0]
    return [list(map(int, row.reshape(-1))) for row in outputs]
