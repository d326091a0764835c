"""Progress for long steps: tqdm's bar on stderr when it is a terminal, nothing otherwise,
so logs, pipes and CI output stay exactly as they were."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def progress(items: Iterable[T], total: int, description: str, unit: str = "sample"
             ) -> Iterable[T] | Iterator[T]:
    """items, with a progress bar while they are consumed when stderr is a terminal."""
    if not sys.stderr.isatty():
        return items
    from tqdm import tqdm

    # leave=False: the bar is gone once done, the report that follows stays as it was. The
    # size falls back to 80x24 where a terminal reports none (tqdm would draw nothing).
    size = shutil.get_terminal_size()
    return tqdm(items, total=total, desc=description, unit=unit, leave=False,
                file=sys.stderr, ncols=size.columns, nrows=size.lines)
