"""`scons run` on QEMU and the host, `scons flash` without a board."""

from __future__ import annotations

import re
import subprocess

from scons_tree import digit_lines, have, needs_arm, needs_qemu, tflite_micro_outputs


@needs_qemu
def test_qemu_run_is_bit_exact_with_host_and_tflite_micro(tree):
    qemu = tree.scons("target=qemu-m7", "run")
    lines = digit_lines(qemu.output)
    assert lines and all(" ok " in line for line in lines), qemu.output
    assert re.search(r"^(\d+) of \1 digits correct$", qemu.output, re.M)
    # The qemu-insncount plugin ships with the package: counted in any clone.
    assert re.search(r"^instructions per inference: \d+", qemu.output, re.M), qemu.output
    host = tree.scons("target=host", "run")
    assert digit_lines(host.output) == lines
    printed = [[int(v) for v in line.split("outputs", 1)[1].split()] for line in lines]
    assert printed == tflite_micro_outputs(tree, lines)


@needs_qemu
def test_board_support_selftest_in_qemu(tree):
    result = tree.scons("target=qemu-m7", "build/qemu-m7/selftest.elf")
    assert "selftest.elf" in " ".join(result.ran("Linking"))
    proc = subprocess.run(
        ["qemu-system-arm", "-M", "mps2-an500", "-nographic", "-semihosting-config",
         "enable=on,target=native", "-kernel", str(tree.path("build/qemu-m7/selftest.elf"))],
        capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "selftest: all passed" in proc.stdout


@needs_arm
def test_flash_without_a_flasher_says_what_to_install(tree):
    if have("st-flash") or have("openocd") or have("pyocd"):
        return  # a real flasher would try to reach a board
    result = tree.scons("target=stm32f7", "flash", check=False)
    assert result.returncode != 0
    assert "no flashing program found" in result.output
    assert "st-flash" in result.output and "openocd" in result.output
