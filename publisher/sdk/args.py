"""Checks of the arguments a dashboard file gives the SDK, each with a message that says what to write instead.

Every helper and class checks its arguments when it is called, so that the
error points at the user's line (`DashboardError.at`) and says what type or
value was expected and what was given:

    panel 'Errors' (stat): unit must be a string such as units.PERCENT or 'reqps', got int 5
"""

from __future__ import annotations

import difflib
import re
from typing import Any, Iterable, Sequence

from .errors import DashboardError

# Grafana's reducer ids (packages/grafana-data/src/transformations/fieldReducer.ts, ReducerID), for `reduce=`
# and `calcs=`; p1..p99 are its percentile reducers.
REDUCERS = (
    "lastNotNull", "last", "firstNotNull", "first", "mean", "max", "min", "sum", "count", "median", "range",
    "delta", "step", "diff", "diffperc", "logmin", "allIsZero", "allIsNull", "changeCount", "distinctCount",
    "variance", "stdDev", "allValues", "uniqueValues",
) + tuple(f"p{n}" for n in range(1, 100))


def describe(value: Any) -> str:
    """`int 5`, `str 'api'`, `list [80, 90]`: what the user gave, for a message."""
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{type(value).__name__} {text}"


def where(kind: str, title: Any) -> str:
    """The start of a panel's messages: `panel 'Errors' (stat): `."""
    return f"panel {title!r} ({kind}): " if isinstance(title, str) else f"{kind} panel: "


def fail(prefix: str, what: str, expected: str, value: Any) -> DashboardError:
    return DashboardError(f"{prefix}{what} must be {expected}, got {describe(value)}")


def title(kind: str, value: Any) -> str:
    """A panel's title must be a string (an empty one is lint's DASH020, not refused here)."""
    if not isinstance(value, str):
        raise fail(f"{kind} panel: ", "the title (the first argument)", "a string such as 'Request rate'", value)
    return value


def text(prefix: str, what: str, value: Any, example: str, optional: bool = True) -> Any:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise fail(prefix, what, f"a string such as {example}", value)
    return value


def number(prefix: str, what: str, value: Any, optional: bool = True) -> Any:
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise fail(prefix, what, "a number", value)
    return value


def flag(prefix: str, what: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise fail(prefix, what, "True or False", value)
    return value


def did_you_mean(value: str, options: Iterable[str]) -> str:
    """"; did you mean 'x'?" for the closest of `options`, or "" when none is close."""
    close = difflib.get_close_matches(value, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def choice(prefix: str, what: str, value: Any, choices: Sequence[str], hint: str = "") -> str:
    """`value` if it is one of `choices`; else an error listing them, with the closest as "did you mean"."""
    if isinstance(value, str) and value in choices:
        return value
    mean = did_you_mean(value, choices) if isinstance(value, str) else ""
    listed = ", ".join(repr(c) for c in choices[:12]) + (", ..." if len(choices) > 12 else "")
    raise DashboardError(f"{prefix}{what} {value!r} is not one of {listed}{mean}{hint}")


def reducer(prefix: str, what: str, value: Any) -> str:
    return choice(prefix, what, value, REDUCERS, " (Grafana's calculation names; p1..p99 are percentiles)")


def items(prefix: str, what: str, value: Any, kinds: type | tuple[type, ...], example: str) -> list[Any]:
    """A list (or tuple) whose items are all of `kinds`; a single item, a string or a dict is refused."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise fail(prefix, what, f"a list such as {example}", value)
    for item in value:
        if not isinstance(item, kinds):
            raise fail(prefix, f"each item of {what}", f"made with {example.strip('[]')}", item)
    return list(value)


def strings(prefix: str, what: str, value: Any, example: str) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable) or isinstance(value, dict):
        raise fail(prefix, what, f"a list of strings such as {example}", value)
    out = list(value)
    for item in out:
        if not isinstance(item, str):
            raise fail(prefix, f"each item of {what}", "a string", item)
    return out


_UNEXPECTED = re.compile(r"^TypeError: (?P<fn>[\w.]+)\(\) got an unexpected keyword argument '(?P<kw>\w+)'$")


def unexpected_keyword_hint(message: str) -> str:
    """Python's "stat() got an unexpected keyword argument 'threshold'", for an SDK callable, with the keyword
    meant and the keywords it takes: `did you mean 'thresholds'?`. Any other message is returned as it is."""
    import inspect

    from .. import sdk

    match = _UNEXPECTED.match(message)
    if match is None:
        return message
    target: Any = sdk
    for part in match["fn"].split("."):
        target = getattr(target, part, None)
    try:
        parameters = inspect.signature(target).parameters.values()
    except (TypeError, ValueError):
        return message
    keywords = [p.name for p in parameters if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]
    hint = did_you_mean(match["kw"], keywords)
    if not hint and "custom" in keywords:
        hint = f"; a property without a keyword of its own goes in custom={{{match['kw']!r}: ...}}"
    return f"{message}{hint} ({match['fn']} takes {', '.join(keywords)})"
