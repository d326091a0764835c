"""Shared pytest setup.

``tests/`` is not a package; this puts it on ``sys.path`` so tests can import the helpers in
``tests/support`` as ``from support.tflite_builder import ModelBuilder``, whatever pytest's
import mode.
"""

import sys
from pathlib import Path

_TESTS_DIR = str(Path(__file__).resolve().parent)
if _TESTS_DIR not in sys.path:
    sys.path.insert(0, _TESTS_DIR)
