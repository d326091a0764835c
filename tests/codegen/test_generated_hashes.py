"""Generated files are pinned byte for byte for the demo and the MLPerf Tiny models.

A refactoring of the importer, passes, lowerings, planner or templates must not change
one byte of what users compile. When a change is meant to alter the output, regenerate
the pins with `python tests/codegen/generated_hashes.py --write` and say why in the commit.
"""

from __future__ import annotations

import json

import pytest
from generated_hashes import CASES, PINS, hashes_of


@pytest.mark.parametrize("case", sorted(CASES))
def test_generated_files_match_their_pinned_hashes(case: str) -> None:
    pinned = json.loads(PINS.read_text())[case]
    assert hashes_of(case) == pinned
