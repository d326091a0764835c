"""Kernel scratch sizes, read from the runtime headers so that each formula is written once.

A header states a kernel's scratch as a macro, `#define EDGEAI_<NAME>(args) (expression)`,
which its C `*_get_buffer_size` function expands. The generator evaluates the same
expression here: integer literals, the macro's arguments, + - * and C's `/` (on the
non-negative sizes it meets, Python's `//`), parentheses, and other such macros. Anything
else is refused, so that the two languages cannot read a formula differently.
"""

from __future__ import annotations

import ast
import re
from functools import cache

from edgeai_tool.runtime import runtime_files

_DEFINE = re.compile(r"^#define\s+(EDGEAI_\w+)\(([\w\s,]*)\)\s+(.+)$", re.MULTILINE)
_OPERATORS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
              ast.Mult: lambda a, b: a * b}


@cache
def _macros() -> dict[str, tuple[tuple[str, ...], str]]:
    """Name -> (parameters, body text) of every function-like EDGEAI_ macro; a name defined
    twice (under different #if branches) maps to None."""
    macros: dict = {}
    for name, text in runtime_files().items():
        if not name.endswith(".h"):
            continue
        for match in _DEFINE.finditer(text.replace("\\\n", " ")):
            parameters = tuple(p.strip() for p in match.group(2).split(",") if p.strip())
            macros[match.group(1)] = None if match.group(1) in macros else (
                parameters, match.group(3).strip())
    return macros


def buffer_size(macro: str, **arguments: int) -> int:
    """The value of the runtime header's `macro` for these arguments (by parameter name)."""
    parameters, body = _lookup(macro)
    if set(arguments) != set(parameters):
        raise ValueError(f"{macro} takes ({', '.join(parameters)}), "
                         f"not ({', '.join(sorted(arguments))})")
    return _evaluate(macro, body, {name: int(value) for name, value in arguments.items()})


def _lookup(macro: str) -> tuple[tuple[str, ...], ast.expr]:
    found = _macros().get(macro)
    if found is None:
        raise ValueError(f"no single definition of {macro}(...) in the runtime headers")
    parameters, text = found
    try:
        return parameters, ast.parse(text, mode="eval").body
    except SyntaxError:
        raise ValueError(f"{macro}: `{text}` is not a scratch size expression") from None


def _evaluate(macro: str, node: ast.expr, values: dict[str, int]) -> int:
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value
    if isinstance(node, ast.Name) and node.id in values:
        return values[node.id]
    if isinstance(node, ast.BinOp):
        left = _evaluate(macro, node.left, values)
        right = _evaluate(macro, node.right, values)
        if type(node.op) in _OPERATORS:
            return _OPERATORS[type(node.op)](left, right)
        if isinstance(node.op, ast.Div):
            if left < 0 or right <= 0:
                raise ValueError(f"{macro}: C division of {left} by {right} is not supported "
                                 "(non-negative by positive only)")
            return left // right
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords:
        parameters, body = _lookup(node.func.id)
        if len(parameters) == len(node.args):
            arguments = [_evaluate(macro, arg, values) for arg in node.args]
            return _evaluate(node.func.id, body, dict(zip(parameters, arguments, strict=True)))
    raise ValueError(f"{macro}: `{ast.unparse(node)}` is not a scratch size expression "
                     "(integers, arguments, + - * /, parentheses and EDGEAI_ macros only)")
