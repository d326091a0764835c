"""examples/monorepo: copied outside the checkout, it builds with the tools of the installed
edgeai package, including a non-editable install into a fresh virtualenv."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import numpy as np
import pytest
from scons_tree import REPO, Result, Tree, copy_from_repo, needs_qemu

EXAMPLE = REPO / "examples" / "monorepo"
# What a source distribution of edgeai holds.
PACKAGE_SOURCES = ("pyproject.toml", "README.md", "LICENSE", "edgeai_tool")


def copy_example(dest: Path) -> Tree:
    shutil.copytree(EXAMPLE, dest, ignore=shutil.ignore_patterns("build", ".sconsign*"))
    return Tree(dest)


def assert_both_networks_match(result: Result) -> None:
    lines = [line for line in result.output.splitlines() if " sample " in line]
    assert len([x for x in lines if x.startswith("digits ")]) == 10, result.output
    assert len([x for x in lines if x.startswith("anomaly ")]) == 5, result.output
    assert all(line.endswith(" ok") for line in lines), result.output
    assert "both networks match TFLite Micro" in result.output


@needs_qemu
def test_copy_links_two_networks_that_match_tflite_micro_in_qemu(tmp_path):
    """Two parts with their own manifests, models and names, one firmware and one runtime
    library; checked in QEMU against TFLite Micro's outputs, instructions counted."""
    tree = copy_example(tmp_path / "elsewhere")
    result = tree.scons("run")
    assert sorted(result.ran("Generating")) == ["anomaly.c", "digits.c"], result.output
    assert_both_networks_match(result)
    assert "instructions per inference: " in result.output
    assert len(result.ran("Archiving")) == 1
    assert tree.up_to_date()


@pytest.mark.parametrize("part", ["digits", "anomaly"])
def test_saved_expected_outputs_are_tflite_micro_outputs(part):
    from edgeai_tool.validate.reference import run_reference

    with np.load(EXAMPLE / part / f"{part}_samples.npz") as data:
        inputs, expected = data["inputs"], data["expected"]
    (model,) = (EXAMPLE / part).glob("*.tflite")
    np.testing.assert_array_equal(run_reference(model, [inputs])[0], expected)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A fresh virtualenv with edgeai installed, not editable, from a copy of the package's
    sources. Its dependencies are this environment's (a .pth line), so nothing is
    downloaded: only edgeai itself is built and installed."""
    root = tmp_path_factory.mktemp("install")
    copy_from_repo(PACKAGE_SOURCES, root / "source")
    env = root / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                          check=True, capture_output=True, text=True).stdout.strip()
    Path(site, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q",
                    "--no-deps", "--no-build-isolation", "--no-index", str(root / "source")],
                   check=True, capture_output=True)
    return env


def run_installed(env: Path, args: list[str], cwd: Path) -> Result:
    path = f"{env / 'bin'}{os.pathsep}{os.environ['PATH']}"
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PATH": path, "EDGEAI_CACHE_DIR": "off"})
    result = Result(proc.returncode, proc.stdout + proc.stderr)
    assert proc.returncode == 0, result.output
    return result


def test_installed_package_has_the_cli_and_scons_tools(installed, tmp_path):
    where = run_installed(installed, ["python", "-c", "import edgeai_tool.scons as s; "
                                      "print(s.toolpath())"], tmp_path).output.strip()
    assert Path(where).is_relative_to(installed), where  # not this checkout
    model = REPO / "models" / "quantized_model.tflite"
    run_installed(installed, ["edgeai", "generate", "-m", str(model), "-o", "out"], tmp_path)
    assert (tmp_path / "out" / "network.c").is_file()


@pytest.mark.parametrize("target", ["host", pytest.param("qemu-m7", marks=needs_qemu)])
def test_example_builds_and_runs_with_the_installed_package(installed, tmp_path, target):
    copy_example(tmp_path / "elsewhere")
    result = run_installed(installed, ["python", "-m", "SCons", "-Q", f"target={target}", "run"],
                           tmp_path / "elsewhere")
    assert_both_networks_match(result)
