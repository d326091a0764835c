"""The table helper and number formats every report section is laid out with."""

from __future__ import annotations

from edgeai_tool.report.table import RULE, Column, bar, delta, key_value_lines, render_table


def test_table_widths_alignment_and_rules() -> None:
    lines = render_table([Column("name"), Column("macc", ">")],
                         [("conv2d_0", "119,816"), RULE, ("nl_7", "150")])
    assert lines == [
        "---------- ---------",
        "name           macc",
        "---------- ---------",
        "conv2d_0    119,816",
        "---------- ---------",
        "nl_7            150",
        "---------- ---------",
    ]


def test_table_never_doubles_rules_and_strips_trailing_blanks() -> None:
    lines = render_table([Column("a"), Column("b")], [("x", ""), RULE])
    assert lines[-2:] == ["x", "--- ---"]
    assert all(line == line.rstrip() for line in lines)


def test_delta_matches_the_seed_notation() -> None:
    assert delta(119_816, 4_608) == "+115,208(+2500.2%)"
    assert delta(359_992, 365_752) == "-5,760(-1.6%)"
    assert delta(232, 0) == "+232(+100.0%)"
    assert delta(0, 232) == "-232(-100.0%)"
    assert delta(150, 150) == ""


def test_bars_scale_to_the_largest_and_never_vanish() -> None:
    assert bar(205_840, 205_840) == "|" * 16
    assert bar(119_816, 205_840) == "|" * 9
    assert bar(150, 205_840) == "|"
    assert bar(0, 0) == "|"


def test_key_value_lines() -> None:
    assert key_value_lines([("c_name", "network")]) == ["c_name             :   network"]
