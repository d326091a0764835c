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
    return lambda name, **kw: copy_tree(tmp_path / name, **kw)


@pytest.fixture(scope="module")
def built_host(tmp_path_factory) -> Tree:
    """One tree built for target=host, shared by a module's tests: clone it to change it."""
    tree = copy_tree(tmp_path_factory.mktemp("built-host") / "main")
    tree.scons("target=host")
    return tree
