"""Fixtures: copies of the CMake demo's inputs to configure and build (see cmake_tree)."""

from pathlib import Path

import pytest
from cmake_tree import Tree, copy_tree


@pytest.fixture
def host_tree(tmp_path: Path) -> Tree:
    """A fresh copy, configured and built for EDGEAI_TARGET=host with Ninja."""
    tree = copy_tree(tmp_path / "main")
    tree.configure("-DEDGEAI_TARGET=host")
    tree.build()
    return tree
