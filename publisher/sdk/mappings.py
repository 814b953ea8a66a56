"""Value mappings: show a value as words (and a colour) instead of the number.

    stat("API", 'up{job="api"}', unit=units.NONE,
         mappings=[value_map({"0": ("Down", "red"), "1": ("Up", "green")}),
                   SpecialMap("null", "No data")])

Four kinds, as in Grafana's value mapping editor: `ValueMap` (exact values),
`RangeMap(from_, to, ...)` (a numeric range, either end open with None),
`RegexMap(pattern, ...)` and `SpecialMap(match, ...)` (null, NaN, true,
false, empty). Each renders to Grafana's `fieldConfig.defaults.mappings`
JSON; `index` numbers the results across the whole list, in order, as
Grafana's editor does.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Union

import attrs

from .args import describe
from .errors import DashboardError
from .thresholds import check_colour

SPECIAL_MATCHES = ("null", "nan", "null+nan", "true", "false", "empty")  # SpecialValueMatch, Grafana's schema


def _result(text: Any, colour: Any, what: str) -> dict[str, Any]:
    if text is not None and not isinstance(text, str):
        raise DashboardError(f"{what}: the text must be a string, got {describe(text)}")
    if text is None and colour is None:
        raise DashboardError(f"{what}: give a text, a colour or both")
    out: dict[str, Any] = {}
    if colour is not None:
        out["color"] = check_colour(colour)
    if text is not None:
        out["text"] = text
    return out


def _key(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str):
        return value
    raise DashboardError(f"value_map: a value to match must be a string or a number, got {describe(value)}")


@attrs.frozen
class ValueMap:
    """Exact values and what to show for each: `ValueMap({"0": ("Down", "red"), "1": "Up"})`.

    Each value maps to a text, or a (text, colour) pair; `value_map(...)` is the same."""

    values: dict[str, tuple[str | None, str | None]] = attrs.field(converter=lambda v: ValueMap.check(v))

    @staticmethod
    def check(values: Any) -> dict[str, tuple[str | None, str | None]]:
        if not isinstance(values, dict) or not values:
            raise DashboardError("value_map needs a non-empty dict of value -> text or (text, colour), such as "
                                 f'{{"0": ("Down", "red"), "1": ("Up", "green")}}, got {describe(values)}')
        out = {}
        for value, shown in values.items():
            text, colour = shown if isinstance(shown, tuple) and len(shown) == 2 else (shown, None)
            if not isinstance(text, (str, type(None))):
                raise DashboardError(f"value_map: value {value!r} must map to a text or a (text, colour) pair, "
                                     f"got {describe(shown)}")
            _result(text, colour, f"value_map {value!r}")
            out[_key(value)] = (text, colour)
        return out

    def to_json(self, index: int = 0) -> dict[str, Any]:
        options = {}
        for i, (value, (text, colour)) in enumerate(self.values.items()):
            options[value] = {**_result(text, colour, "value_map"), "index": index + i}
        return {"type": "value", "options": options}

    def size(self) -> int:
        return len(self.values)


@attrs.frozen
class RangeMap:
    """Values from `from_` to `to` (inclusive; None for an open end): `RangeMap(0, 50, "Low", "green")`."""

    from_: float | None
    to: float | None
    text: str | None = None
    color: str | None = None

    def __attrs_post_init__(self) -> None:
        for name, bound in (("from_", self.from_), ("to", self.to)):
            if bound is not None and (isinstance(bound, bool) or not isinstance(bound, (int, float))):
                raise DashboardError(f"RangeMap: {name} must be a number or None (open), got {describe(bound)}")
        if self.from_ is None and self.to is None:
            raise DashboardError("RangeMap: give from_, to or both (None is an open end)")
        if self.from_ is not None and self.to is not None and self.from_ > self.to:
            raise DashboardError(f"RangeMap: from_ {self.from_} must not be above to {self.to}")
        _result(self.text, self.color, f"RangeMap({self.from_}, {self.to})")

    def to_json(self, index: int = 0) -> dict[str, Any]:
        result = {**_result(self.text, self.color, "RangeMap"), "index": index}
        return {"type": "range", "options": {"from": self.from_, "to": self.to, "result": result}}

    def size(self) -> int:
        return 1


@attrs.frozen
class RegexMap:
    """Values matching a regular expression: `RegexMap(r"^5\\d\\d$", "Server error", "red")`.

    The text may use the groups: `RegexMap(r"(.*)\\.example\\.com", "$1")`."""

    pattern: str
    text: str | None = None
    color: str | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.pattern, str) or not self.pattern:
            raise DashboardError(f"RegexMap: pattern must be a regular expression string, got {describe(self.pattern)}")
        try:
            re.compile(self.pattern)
        except re.error as exc:
            raise DashboardError(f"RegexMap: pattern {self.pattern!r} is not a regular expression: {exc}") from None
        _result(self.text, self.color, f"RegexMap({self.pattern!r})")

    def to_json(self, index: int = 0) -> dict[str, Any]:
        result = {**_result(self.text, self.color, "RegexMap"), "index": index}
        return {"type": "regex", "options": {"pattern": self.pattern, "result": result}}

    def size(self) -> int:
        return 1


@attrs.frozen
class SpecialMap:
    """null, NaN, true, false or empty values: `SpecialMap("null", "No data")`.

    `match` is one of "null", "nan", "null+nan", "true", "false", "empty"."""

    match: str
    text: str | None = None
    color: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.match not in SPECIAL_MATCHES:
            raise DashboardError(f"SpecialMap: match {self.match!r} must be one of "
                                 f"{', '.join(repr(m) for m in SPECIAL_MATCHES)}")
        _result(self.text, self.color, f"SpecialMap({self.match!r})")

    def to_json(self, index: int = 0) -> dict[str, Any]:
        result = {**_result(self.text, self.color, "SpecialMap"), "index": index}
        return {"type": "special", "options": {"match": self.match, "result": result}}

    def size(self) -> int:
        return 1


Mapping = Union[ValueMap, RangeMap, RegexMap, SpecialMap]
KINDS = (ValueMap, RangeMap, RegexMap, SpecialMap)
EXAMPLE = "[value_map({'0': 'Down', '1': 'Up'})] or [RangeMap(0, 50, 'Low')]"


def value_map(values: dict[Any, Any]) -> ValueMap:
    """`value_map({"0": ("Down", "red"), "1": ("Up", "green")})`: exact values to a text, or (text, colour)."""
    return ValueMap(values)


def check(prefix: str, value: Any) -> list[Mapping]:
    """The `mappings=` of a panel or an override: a list of mappings; a dict is explained, not guessed at."""
    if isinstance(value, dict):
        raise DashboardError(f"{prefix}mappings must be a list of mappings, got a dict: write "
                             f"mappings=[value_map({value!r:.40})] for exact values")
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise DashboardError(f"{prefix}mappings must be a list such as {EXAMPLE}, got {describe(value)}")
    for item in value:
        if not isinstance(item, KINDS):
            raise DashboardError(f"{prefix}each mapping must be value_map(...), RangeMap(...), RegexMap(...) or "
                                 f"SpecialMap(...), got {describe(item)}")
    return list(value)


def to_json(mappings: Iterable[Mapping]) -> list[dict[str, Any]]:
    """Grafana's `mappings` list, each result numbered by its place in the whole list."""
    out, index = [], 0
    for mapping in mappings:
        out.append(mapping.to_json(index))
        index += mapping.size()
    return out
