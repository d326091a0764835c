"""Fixtures: fresh copies of the repository to run scons in (see scons_tree)."""

from pathlib import Path

import pytest
from scons_tree import Tree, copy_tree


@pytest.fixture
def tree(tmp_path: Path) -> Tree:
    return copy_tree(tmp_path / "main")


@pytest.fixture
def make_tree(tmp_path: Path):
    """Several independent copies: make_tree('a'), make_tree('b')."""
    return lambda name: copy_tree(tmp_path / name)
