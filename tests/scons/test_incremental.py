"""What rebuilds after which change (issue 4's acceptance, build-system part).

The host target is used where the toolchain does not matter (fast, needs only gcc); one
tree is built once per module (`built_host`) and cloned, build records included, for
each change. Counting is done on the tools' one-line-per-step output.
"""

from __future__ import annotations

import os

import pytest
from scons_tree import MODEL
from support.model_variants import change_weights, other_architecture


@pytest.fixture
def clone(built_host, tmp_path):
    return built_host.clone(tmp_path / "main")


def test_second_build_runs_nothing(built_host):
    assert built_host.up_to_date("target=host")
    assert built_host.scons("target=host").steps == []


def test_touched_but_identical_model_runs_nothing(clone):
    os.utime(clone.path(MODEL))
    os.utime(clone.path("models/mempools-board.json"))
    assert clone.up_to_date("target=host")


def test_weights_change_recompiles_only_data_files(clone):
    change_weights(clone.path(MODEL))
    result = clone.scons("target=host")
    assert result.ran("Generating") == ["network.c"]
    compiled = result.ran("Compiling")
    assert "build/host/network/network_data_params.c" in compiled, result.output
    assert all(os.path.basename(c).startswith("network_data") for c in compiled), compiled
    assert result.ran("Linking") == ["build/host/firmware"]
    assert not result.ran("Archiving")  # the runtime library stays
    assert clone.up_to_date("target=host")


def test_architecture_change_recompiles_the_model_not_the_runtime(clone):
    clone.path(MODEL).write_bytes(other_architecture(seed=3))
    result = clone.scons("target=host")
    assert result.ran("Generating") == ["network.c"]
    compiled = result.ran("Compiling")
    assert "build/host/network/network.c" in compiled, result.output
    assert not [c for c in compiled if "edgeai_runtime" in c], compiled
    assert not result.ran("Archiving")
    assert result.ran("Linking") == ["build/host/firmware"]


def test_manifest_option_change_regenerates_that_model(clone):
    manifest = clone.path("edgeai.yaml")
    manifest.write_text(manifest.read_text().replace("optimization: balanced",
                                                     "optimization: time"))
    result = clone.scons("target=host")
    assert result.ran("Generating") == ["network.c"]
    assert "build/host/network/network_config.h" not in result.ran("Compiling")
    assert "-O time" in clone.path("build/host/network/network_generate_report.txt").read_text()


def test_template_edit_regenerates(clone):
    template = clone.path("edgeai_tool/codegen/templates/network.c.j2")
    template.write_text(template.read_text() + "\n{# edited #}\n")
    result = clone.scons("target=host")
    assert result.ran("Generating") == ["network.c"]
    assert not result.ran("Archiving")


def test_runtime_edit_rebuilds_the_library_only(clone):
    """The runtime's C is the library's business, not the generator's."""
    kernel = clone.path("edgeai_tool/runtime/edgeai_fully_connected.c")
    kernel.write_text(kernel.read_text() + "\nint edgeai_edited(void) { return 1; }\n")
    result = clone.scons("target=host")
    assert not result.ran("Generating")
    assert result.ran("Compiling") == ["build/host/edgeai_runtime/edgeai_fully_connected.c"]
    assert result.ran("Archiving")


@pytest.mark.parametrize("what", ["model", "pools"])
def test_bad_input_fails_with_one_line_and_leaves_nothing_up_to_date(clone, what):
    broken = clone.path(MODEL if what == "model" else "models/mempools-board.json")
    broken.write_bytes(b"not a flatbuffer" if what == "model" else b'{"memory": 1')
    result = clone.scons("target=host", check=False)
    assert result.returncode != 0
    assert len(result.errors) == 1, result.output
    assert "Traceback" not in result.output
    assert not clone.path("build/host/network/network.c").exists()
    assert not clone.up_to_date("target=host")
    assert clone.scons("target=host", check=False).returncode != 0  # still failing


MANIFEST_ERRORS = {
    "unknown field": ("    optimization: balanced", "    optimisation: balanced",
                      "edgeai.yaml: models[0] (network): field 'optimisation': unknown in the "
                      "model entry; did you mean 'optimization'?"),
    "bad value": ("optimization: balanced", "optimization: fast",
                  "edgeai.yaml: models[0] (network): field 'optimization': 'fast' is not one "
                  "of time, ram, balanced"),
    "missing file": ("models/quantized_model.tflite", "models/nope.tflite",
                     "edgeai.yaml: models[0] (network): field 'model': file "
                     "'models/nope.tflite' not found"),
    "not a name": ("name: network", "name: 2net",
                   "edgeai.yaml: models[0] (2net): field 'name': '2net' is not a C identifier"),
    "bad target": ("    optimization: balanced", "    optimization: balanced\n    target: f7",
                   "edgeai.yaml: models[0] (network): field 'target': 'f7' is not one of"),
    "yaml": ("models:", "models: [", "edgeai.yaml:"),
}


@pytest.mark.parametrize("case", MANIFEST_ERRORS)
def test_bad_manifest_fails_naming_file_entry_and_field(clone, case):
    old, new, message = MANIFEST_ERRORS[case]
    manifest = clone.path("edgeai.yaml")
    text = manifest.read_text()
    assert old in text
    manifest.write_text(text.replace(old, new, 1))
    result = clone.scons("target=host", check=False)
    assert result.returncode != 0
    assert len(result.errors) == 1 and message in result.errors[0], result.output
    assert "Traceback" not in result.output and not result.steps


# Python run inside scons before it starts: the library writes the first `keep` files of
# a generation, then the process dies as under `kill -9` (SCons saves nothing).
KILL_DURING_GENERATION = """
import os, signal, sys
sys.path.insert(0, os.getcwd())
import edgeai_tool.compiler as compiler
real = compiler.write_files
def write_files(files, output_dir):
    names = sorted(files)
    real({{n: files[n] for n in names[:{keep}]}}, output_dir)
    os.kill(os.getpid(), signal.SIGKILL)
compiler.write_files = write_files
"""


def test_generation_killed_half_way_is_not_taken_as_up_to_date(built_host, clone):
    model = clone.path(MODEL)
    original = model.read_bytes()
    change_weights(model)
    killed = clone.scons("target=host", check=False,
                         prelude=KILL_DURING_GENERATION.format(keep=4))
    assert killed.returncode == -9, killed.output
    assert not clone.up_to_date("target=host")
    result = clone.scons("target=host")
    # The killed generation had stored its files in the model cache before writing them.
    assert result.ran("Generating") + result.ran("Reusing") == ["network.c"]
    assert clone.up_to_date("target=host")
    # Back to the original model: its files again, as the first build wrote them.
    model.write_bytes(original)
    clone.scons("target=host")
    for name in ("network.c", "network_data.c", "network_data_params.c"):
        assert clone.path(f"build/host/network/{name}").read_bytes() == \
            built_host.path(f"build/host/network/{name}").read_bytes(), name


def test_edgeai_cache_serves_another_clone(built_host, make_tree):
    """Without SCons' CacheDir: the same model and options in another tree (path) are
    not generated again; the model cache of the first tree serves the second."""
    other = make_tree("other", edgeai_cache=built_host.edgeai_cache)
    result = other.scons("target=host")
    assert "network.c" not in result.ran("Generating"), result.output
    assert result.ran("Reusing") == ["network.c"]
    for name in ("network.c", "network_data_params.c", "network_generate_report.txt"):
        assert other.path(f"build/host/network/{name}").read_bytes() == \
            built_host.path(f"build/host/network/{name}").read_bytes()


def test_warm_cachedir_runs_neither_generator_nor_compiler(make_tree, tmp_path):
    """SCons' CacheDir shared by two clones: a clean build of the first and a build of
    the second generate and compile nothing."""
    cache = f"CACHEDIR={tmp_path / 'cache'}"
    first, second = make_tree("first"), make_tree("second")
    first.scons("target=host", cache)
    first.scons("target=host", "-c", cache)
    for tree in (first, second):
        result = tree.scons("target=host", "EDGEAI_CACHE_DIR=off", cache)
        assert not result.ran("Generating") and not result.ran("Reusing"), result.output
        assert not result.ran("Compiling") and not result.ran("Linking"), result.output
        assert result.retrieved
