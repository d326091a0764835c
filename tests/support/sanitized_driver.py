"""Build a C driver with one runtime kernel under ASan/UBSan, run it, expect "ok"."""

from __future__ import annotations

import subprocess
from pathlib import Path

RUNTIME = Path(__file__).resolve().parents[2] / "edgeai_tool" / "runtime"
SANITIZE_FLAGS = ("-std=c99", "-Wall", "-Wextra", "-Werror", "-O1", "-g",
                  "-fsanitize=address,undefined", "-fno-sanitize-recover=all")


def run_driver_under_sanitizers(driver: str, kernel_source: str, workdir: Path) -> None:
    """Compile `driver` (C text) with `RUNTIME/kernel_source`, run it, and assert that it
    exited 0 and printed exactly "ok" (any sanitizer report fails the run)."""
    (workdir / "main.c").write_text(driver)
    exe = workdir / "driver"
    subprocess.run(["gcc", *SANITIZE_FLAGS, "-I", str(RUNTIME), str(workdir / "main.c"),
                    str(RUNTIME / kernel_source), "-o", str(exe)], check=True)
    result = subprocess.run([str(exe)], capture_output=True, text=True, timeout=120,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "ok"
