"""`validate` shows progress on a terminal (tqdm, on stderr) and adds nothing when its
output is not a terminal."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COMMAND = [sys.executable, "-m", "edgeai_tool", "validate", "-m",
           str(REPO / "models" / "quantized_model.tflite"), "--random", "40"]


def test_validate_without_a_terminal_prints_the_report_only():
    result = subprocess.run(COMMAND, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "TFLite Micro reference" not in result.stdout and "\r" not in result.stdout


def test_validate_on_a_terminal_shows_a_progress_bar():
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(COMMAND, stdout=subprocess.PIPE, stderr=follower, text=True,
                                check=False, env={**os.environ, "COLUMNS": "100"})
        os.close(follower)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert result.returncode == 0
    text = shown.decode(errors="replace")
    assert "TFLite Micro reference" in text and "/40 [" in text
    assert "TFLite Micro reference" not in result.stdout  # the report itself is unchanged
