"""Graph passes: each a function Graph -> Graph, run in a fixed order by `optimize`."""

from edgeai_tool.passes.pipeline import optimize

__all__ = ["optimize"]
