"""What rebuilds after which change (issue 4's acceptance, build-system part).

The host target is used where the toolchain does not matter (fast, needs
only gcc); stm32f7 where the firmware files themselves are the subject.
"""

from __future__ import annotations

import os

import numpy as np
import tflite

from scons_tree import needs_arm

MODEL = "models/quantized_model.tflite"


def change_weights(path) -> None:
    """Same architecture, other weights (as a retrained model would have):
    nudge some int8 values of the largest constant buffer, in place."""
    data = bytearray(path.read_bytes())
    model = tflite.Model.GetRootAsModel(data, 0)
    buffers = [model.Buffers(i) for i in range(model.BuffersLength())]
    largest = max(buffers, key=lambda b: b.DataLength())
    values = largest.DataAsNumpy().view(np.int8)
    values[:64] = np.where(values[:64] < 127, values[:64] + 1, values[:64] - 1)
    path.write_bytes(bytes(data))


def test_second_build_runs_nothing(tree):
    tree.scons("target=host")
    assert tree.up_to_date("target=host")


@needs_arm
def test_stm32f7_build_writes_firmware_files_and_memory_summary(tree):
    result = tree.scons("target=stm32f7")
    for suffix in (".elf", ".bin", ".hex", ".map"):
        assert tree.path(f"build/stm32f7/firmware{suffix}").is_file()
    assert "Generating network.c from quantized_model.tflite" in result.steps
    assert "Memory use of build/stm32f7/firmware.elf:" in result.output
    assert "of 2,048 KiB" in result.output and "of   512 KiB" in result.output
    assert tree.up_to_date("target=stm32f7")


def test_touched_but_identical_model_runs_nothing(tree):
    tree.scons("target=host")
    os.utime(tree.path(MODEL))
    assert tree.up_to_date("target=host")


def test_weights_change_recompiles_only_data_files(tree):
    tree.scons("target=host")
    change_weights(tree.path(MODEL))
    result = tree.scons("target=host")
    assert result.ran("Generating") == ["network.c"]
    compiled = result.ran("Compiling")
    assert compiled, result.output
    assert all(os.path.basename(c).startswith("network_data") for c in compiled), compiled
    assert result.ran("Linking") == ["build/host/firmware"]
    assert not result.ran("Archiving")  # the runtime library stays


def test_option_change_regenerates(tree):
    tree.scons("target=host")
    result = tree.scons("target=host", "EDGEAI_OPTIMIZATION=time")
    assert result.ran("Generating") == ["network.c"]


def test_template_edit_regenerates(tree):
    tree.scons("target=host")
    template = tree.path("edgeai_tool/codegen/templates/network.c.j2")
    template.write_text(template.read_text() + "\n{# edited #}\n")
    result = tree.scons("target=host")
    assert result.ran("Generating") == ["network.c"]


def test_bad_model_fails_with_one_line_and_stays_out_of_date(tree):
    tree.scons("target=host")
    tree.path(MODEL).write_bytes(b"not a flatbuffer")
    result = tree.scons("target=host", check=False)
    assert result.returncode != 0
    errors = [line for line in result.output.splitlines() if line.startswith("edgeai: error:")]
    assert len(errors) == 1, result.output
    assert "Traceback" not in result.output
    assert not tree.up_to_date("target=host")


def test_parallel_build_gives_same_bytes(make_tree):
    a, b = make_tree("a"), make_tree("b")
    a.scons("target=host", "-j1")
    b.scons("target=host", "-j2")
    for name in ("network/network.c", "network/network_data.c", "firmware"):
        assert a.path(f"build/host/{name}").read_bytes() == \
            b.path(f"build/host/{name}").read_bytes(), name


@needs_arm
def test_parallel_arm_firmware_is_byte_identical(make_tree):
    a, b = make_tree("a"), make_tree("b")
    a.scons("target=stm32f7", "-j1")
    b.scons("target=stm32f7", "-j2")
    for suffix in (".elf", ".bin", ".hex"):
        assert a.path(f"build/stm32f7/firmware{suffix}").read_bytes() == \
            b.path(f"build/stm32f7/firmware{suffix}").read_bytes(), suffix


def test_warm_cache_runs_neither_generator_nor_compiler(make_tree, tmp_path):
    """Two clones sharing one CacheDir: the second generates and compiles nothing."""
    cache = f"CACHEDIR={tmp_path / 'cache'}"
    first, second = make_tree("first"), make_tree("second")
    first.scons("target=host", cache)
    result = second.scons("target=host", cache)
    assert not result.ran("Generating"), result.output
    assert not result.ran("Compiling"), result.output
    assert result.retrieved
