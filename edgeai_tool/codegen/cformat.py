"""Turning Python values into C text, deterministically."""

from __future__ import annotations

import numpy as np

from edgeai_tool.codegen.layers.base import ArrayRef, CValue

_VALUES_PER_LINE = {"int8_t": 16, "uint8_t": 16, "int16_t": 12, "int32_t": 8}


def c_literal(value: CValue, resolve: dict[str, str]) -> str:
    """A C initializer for a struct field; `resolve` maps local array names to symbols."""
    if isinstance(value, ArrayRef):
        return resolve[value.name]
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return _c_int(value)
    if isinstance(value, tuple):
        return "{" + ", ".join(c_literal(v, resolve) for v in value) + "}"
    if isinstance(value, float):
        return f"{value!r}f"
    return str(value)


def _c_int(value: int) -> str:
    # -2147483648 is not an int literal in C (it is unary minus on an out-of-range value).
    if value == -(1 << 31):
        return "INT32_MIN"
    if value == -(1 << 63):
        return "INT64_MIN"
    if not -(1 << 31) <= value < (1 << 31):
        return f"INT64_C({value})"
    return str(value)


def c_struct_fields(fields: dict[str, CValue], resolve: dict[str, str]) -> list[str]:
    """Designated initializers, one per line, in the order the lowering gave them."""
    return [f".{name} = {c_literal(value, resolve)}," for name, value in fields.items()]


def c_array_lines(values: np.ndarray, ctype: str) -> list[str]:
    """The body of a constant array, a fixed number of values per line."""
    flat = [_c_int(int(v)) for v in np.asarray(values).reshape(-1)]
    per_line = _VALUES_PER_LINE.get(ctype, 8)
    return [", ".join(flat[i:i + per_line]) + "," for i in range(0, len(flat), per_line)]


def c_identifier(text: str) -> str:
    """A C identifier from arbitrary text (tensor names carry '/', ':' and ';')."""
    cleaned = "".join(ch if ch.isalnum() else "_" for ch in text)
    return cleaned if cleaned and not cleaned[0].isdigit() else f"_{cleaned}"
