"""`edgeai diff`: a retrained twin (same ops, other weights), a model with a layer removed,
a non-model file, and `git diff` through the textconv driver the README shows."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support.model_variants import change_weights, other_architecture

REPO = Path(__file__).resolve().parents[2]
DEMO_MODEL = REPO / "models" / "quantized_model.tflite"
TEXTCONV = f"{sys.executable} -m edgeai_tool diff --textconv"


def edgeai(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "edgeai_tool", *map(str, args)],
                          capture_output=True, text=True, check=False, cwd=cwd)


def conv_net(path: Path, with_pool: bool) -> Path:
    """The small conv network of the rebuild tests, with or without its pooling layer."""
    path.write_bytes(other_architecture(with_pool=with_pool))
    return path


@pytest.fixture
def twin(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.tflite", tmp_path / "new.tflite"
    shutil.copy(DEMO_MODEL, old)
    shutil.copy(DEMO_MODEL, new)
    change_weights(new)
    return old, new


def test_retrained_twin_shows_which_layer_weights_changed_and_by_how_much(twin):
    result = edgeai("diff", *twin)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "ops: 8 -> 8 (0 removed, 0 added, 0 changed)" in text
    assert "weights changed in 1 constant(s):" in text
    # change_weights nudges 256 values of the largest constant (the first dense layer) by 1.
    assert "#5 FULLY_CONNECTED dense_5_1 constant 0: 256 of 32,768 values (0.8%), " \
           "max |delta| 1" in text
    assert "  macc                       359,992     359,992           0" in text

    data = json.loads(edgeai("diff", "--json", *twin).stdout)
    [weights] = data["weights"]
    assert (weights["changed"], weights["values"], weights["max_abs_delta"]) == (256, 32768, 1)
    assert data["removed"] == data["added"] == data["changed"] == []


def test_removed_layer_shows_the_op_its_shapes_and_the_figures(tmp_path):
    old = conv_net(tmp_path / "pooled.tflite", with_pool=True)
    new = conv_net(tmp_path / "no_pool.tflite", with_pool=False)
    result = edgeai("diff", old, new)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    # The pool's removal also changes what the reshape and the dense layer take in.
    assert "ops: 4 -> 3 (1 removed, 0 added, 2 changed)" in text
    assert ("  - #1 MAX_POOL_2D pool: 1x26x26x4 -> 1x13x13x4  [filter_height=2, "
            "filter_width=2, fused_activation_function=NONE, padding=VALID, stride_h=2, "
            "stride_w=2]") in text
    assert ("  ~ #1 RESHAPE flatten: new_shape [1, 676] -> [1, 2704]; inputs 1x13x13x4 -> "
            "1x26x26x4; outputs 1x676 -> 1x2704") in text
    assert "  ~ #2 FULLY_CONNECTED dense: inputs 1x676 -> 1x2704" in text
    assert "#2 FULLY_CONNECTED dense constant 0: shape 10x676 -> 10x2704" in text

    data = json.loads(edgeai("diff", "--json", old, new).stdout)
    figures = data["figures"]
    assert figures["macc"]["new"] > figures["macc"]["old"]  # a 4x larger dense layer
    # A 4x larger dense layer; the conv has int16 weights with or without its pool
    # (-O balanced widens edgeai_conv_wide_s8 and edgeai_conv_pool_wide_s8 alike)
    assert figures["weights"]["new"] - figures["weights"]["old"] == 10 * (2704 - 676)
    assert "  weights (B)                  6,912      27,192     +20,280 (+293.4%)" in text


def test_diff_of_a_non_model_file_is_one_error_line(tmp_path):
    not_a_model = tmp_path / "notes.txt"
    not_a_model.write_text("hello\n")
    result = edgeai("diff", DEMO_MODEL, not_a_model)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("edgeai: error: ")
    assert "notes.txt" in result.stderr


@pytest.mark.skipif(shutil.which("git") is None, reason="git missing")
def test_git_diff_shows_a_model_change_as_text_through_the_textconv_driver(tmp_path, twin):
    old, new = twin
    repo = tmp_path / "repo"
    repo.mkdir()

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                              text=True).stdout

    git("init", "-q")
    git("config", "user.email", "ci@example.com")
    git("config", "user.name", "CI")
    # What the README tells users to set up.
    (repo / ".gitattributes").write_text("*.tflite diff=tflite\n")
    git("config", "diff.tflite.textconv", TEXTCONV)
    shutil.copy(old, repo / "model.tflite")
    git("add", ".")
    git("commit", "-qm", "model")
    shutil.copy(new, repo / "model.tflite")
    shown = git("diff")
    changed = [line for line in shown.splitlines() if line[:1] in "+-"
               and not line.startswith(("+++", "---"))]
    assert len(changed) == 2, shown  # the one constant that changed: its digest
    assert changed[0].startswith("-    constant 0 int8 128x256 range")
    assert changed[1].startswith("+    constant 0 int8 128x256 range")
    assert "#5 FULLY_CONNECTED dense_5_1" in shown  # the hunk's context names the layer
