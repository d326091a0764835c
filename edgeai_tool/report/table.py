"""Laying text out: the one table helper every report section uses, and number formats.

A table is a list of `Column`s and rows of cells (strings); `RULE` in place of a row draws
a dashed line across, as ST's reports separate groups of rows. Column widths come from
the widest cell, so a table never needs hand-tuned padding. Trailing blanks are stripped
from every line, so reports diff cleanly.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

RULE = None  # a row that draws a dashed line
PAD = 2  # blanks added to every column's width (ST's tables breathe the same way)


@dataclass(frozen=True)
class Column:
    title: str
    align: str = "<"  # "<" left, ">" right


Row = Sequence[str] | None


def render_table(columns: Sequence[Column], rows: Iterable[Row], indent: str = "") -> list[str]:
    """Lines of a table: rule, titles, rule, rows (a `RULE` row draws a rule), rule."""
    rows = list(rows)
    widths = [_width(column, index, rows) for index, column in enumerate(columns)]
    rule = indent + " ".join("-" * width for width in widths)
    lines = [rule, _line(columns, widths, [c.title for c in columns], indent), rule]
    for row in rows:
        if row is RULE:
            if lines[-1] != rule:
                lines.append(rule)
        else:
            lines.append(_line(columns, widths, row, indent))
    if lines[-1] != rule:
        lines.append(rule)
    return lines


def _width(column: Column, index: int, rows: list[Row]) -> int:
    cells = [len(row[index]) for row in rows if row is not RULE]
    return max(len(column.title), *cells, 0) + PAD


def _line(columns: Sequence[Column], widths: list[int], cells: Sequence[str],
          indent: str) -> str:
    if len(cells) != len(columns):
        raise ValueError(f"row has {len(cells)} cells for {len(columns)} columns: {cells!r}")
    texts = [_align(cell, column, width)
             for cell, column, width in zip(cells, columns, widths, strict=True)]
    return (indent + " ".join(texts)).rstrip()


def _align(cell: str, column: Column, width: int) -> str:
    # Right-aligned cells keep one blank of padding on the right, like ST's.
    if column.align == ">":
        return (cell + " ").rjust(width)
    return cell.ljust(width)


def key_value_lines(pairs: Iterable[tuple[str, str]], key_width: int = 18) -> list[str]:
    """`key   :   value` lines with the keys padded to one width."""
    return [f"{key.ljust(key_width)} :   {value}".rstrip() for key, value in pairs]


# ---- numbers ---------------------------------------------------------------------------

def thousands(value: int) -> str:
    return f"{value:,}"


def kib(value: int) -> str:
    return f"{value / 1024:.2f} KiB"


def bytes_and_kib(value: int) -> str:
    """`7,616 B (7.44 KiB)`."""
    return f"{value:,} B ({kib(value)})"


def percent(part: float, whole: float) -> str:
    """`57.2%`; 0.0% of nothing."""
    return f"{(100.0 * part / whole if whole else 0.0):.1f}%"


def delta(new: int, old: int) -> str:
    """ST's change notation: `+232(+100.0%)`, `-5,760(-1.6%)`; empty when nothing changed.

    The percentage is relative to `old`; something from nothing counts as +100%.
    """
    change = new - old
    if change == 0:
        return ""
    ratio = 100.0 * change / old if old else 100.0
    return f"{change:+,}({ratio:+.1f}%)"


def bar(value: float, largest: float, width: int = 16) -> str:
    """A bar of `|` scaled so `largest` fills `width`; never shorter than one `|`."""
    if largest <= 0:
        return "|"
    return "|" * max(1, round(width * value / largest))


def segments(count: int) -> str:
    return f"{count} segment" if count == 1 else f"{count} segments"
