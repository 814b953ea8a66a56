"""JSON values as Python source: the literals of a generated module, with named constants substituted.

Strings are written as JSON writes them (a JSON string is a valid Python string literal), numbers
as Python reads them back to the same value, `null`/`true`/`false` as None/True/False. A dict equal
to one of `names` (a datasource reference the module declares once) is written as its name.
"""

from __future__ import annotations

import json
import math
from typing import Any


def literal(value: Any, names: dict[str, str] | None = None) -> str:
    """`value` as a Python expression; `names` maps `canonical(dict)` to the constant that holds it."""
    names = names or {}
    if isinstance(value, dict):
        name = names.get(canonical(value))
        if name is not None:
            return name
        items = ", ".join(f"{literal(str(k))}: {literal(v, names)}" for k, v in value.items())
        return "{" + items + "}"
    if isinstance(value, list):
        return "[" + ", ".join(literal(v, names) for v in value) + "]"
    if isinstance(value, str):  # a lone surrogate (legal in JSON, not in UTF-8) is written as its escape
        return json.dumps(value, ensure_ascii=any("\ud800" <= c <= "\udfff" for c in value))
    if value is None or isinstance(value, bool):
        return repr(value)
    if isinstance(value, float):
        if math.isinf(value) or math.isnan(value):
            return f'float("{value}")'
        return repr(value)
    if isinstance(value, int):
        return repr(value)
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def canonical(value: Any) -> str:
    """A key that equal JSON values share (key order aside)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def keywords(values: dict[str, Any], names: dict[str, str] | None = None) -> list[str]:
    """`key=value` arguments; keys that are not Python names go in one `**{...}`."""
    from ..sdk.raw import python_name

    plain = [f"{k}={literal(v, names)}" for k, v in values.items() if python_name(k)]
    other = {k: v for k, v in values.items() if not python_name(k)}
    return plain + ([f"**{literal(other, names)}"] if other else [])
