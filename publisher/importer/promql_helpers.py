"""The PromQL idioms among the helpers: `rate`, `ratio` and `quantile`, recognised from a panel's one query.

The expression is matched against what each helper writes (promql_panels.py); the call starts with
every argument the generic `timeseries` reading found, then drops each one the helper writes by
itself (its unit from the metric's name, its default description, ratio's `min=0`) as long as the
rendering stays the same: the shortest call that gives the very panel.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .literal import literal

_WINDOW = r"\[(?P<window>[^\]]+)\]"
_BY = r"(?: by \((?P<by>[A-Za-z0-9_, ]+)\))?"
_RATE = re.compile(rf"^sum\(rate\((?P<metric>[^\[]+){_WINDOW}\)\){_BY}$")
_RATIO = re.compile(rf"^sum\(rate\((?P<num>[^\[]+){_WINDOW}\)\) / sum\(rate\((?P<den>[^\[]+)\[(?P=window)\]\)\)$")
_QUANTILE = re.compile(r"^histogram_quantile\((?P<q>0\.\d+), sum\(rate\((?P<name>[A-Za-z_:][A-Za-z0-9_:]*)_bucket"
                       rf"(?P<sel>\{{[^}}]*\}})?{_WINDOW}\)\) by \(le(?:, (?P<by>[A-Za-z0-9_, ]+))?\)\)$")


def _by(text: str | None) -> list[str]:
    labels = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not labels:
        return []
    return [f"by={literal(labels[0])}" if len(labels) == 1 else f"by={literal(labels)}"]


def _window(match: re.Match[str]) -> list[str]:
    return [] if match.group("window") == "5m" else [f"window={literal(match.group('window'))}"]


def candidates(p: dict[str, Any], generic: list[str]) -> list[tuple[str, list[str], list[str]]]:
    """(helper, its fixed arguments, optional arguments) for each idiom the panel's expression matches."""
    targets = p.get("targets") or []
    if len(targets) != 1 or not isinstance(targets[0].get("expr"), str):
        return []
    expr, title = targets[0]["expr"], generic[0]
    rest = [a for a in generic[1:] if not a.startswith("Query(")]
    out = []
    match = _RATE.match(expr)
    if match:
        out.append(("rate", [title, literal(match.group("metric")), *_by(match.group("by")), *_window(match)], rest))
    match = _RATIO.match(expr)
    if match:
        fixed = [title, literal(match.group("num")), literal(match.group("den")), *_window(match)]
        out.append(("ratio", fixed, rest))
    match = _QUANTILE.match(expr)
    if match:
        histogram = match.group("name") + (match.group("sel") or "")
        fixed = [title, literal(histogram), match.group("q"), *_by(match.group("by")), *_window(match)]
        out.append(("quantile", fixed, rest))
    return out


def shortest(function: str, fixed: list[str], optional: list[str], renders: Callable[[str], bool],
             ) -> list[str] | None:
    """The arguments, with the fewest optional ones, of a call that still renders the panel (None if none does)."""
    current = list(optional)
    ok = renders(f"{function}({', '.join(fixed + current)})")
    for arg in sorted(optional, key=lambda a: not a.startswith("min=")):  # ratio sets min=0 itself: drop it first
        trial = [a for a in current if a != arg]
        if renders(f"{function}({', '.join(fixed + trial)})"):
            current, ok = trial, True
    return fixed + current if ok else None
