"""Field overrides: options for some of a panel's fields (series, table columns) only.

    timeseries("Traffic", "sum(rate(http_requests_total[5m])) by (status)", unit="reqps",
               overrides=[Override.by_name("500", color="red", display_name="Server errors")])
    table("Hosts", 'node_uname_info', overrides=[Override.by_name("Time", custom={"hidden": True})])

A matcher picks the fields: `Override.by_name(name)` (Grafana's "byName"),
`by_regex(pattern)` ("byRegexp"), `by_query(ref_id)` (the fields of one
query, "byFrameRefID") and `by_type(type)` ("byType": "number", "string",
"time", "boolean"...). The properties are a small typed set: `unit`,
`decimals`, `min`, `max`, `color` (a fixed colour), `display_name`,
`thresholds`, `mappings`, and `custom={"width": 120}` for the panel type's
own field options (`custom.width`), in that order.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from . import mappings as M
from .args import describe
from .errors import DashboardError
from .thresholds import Thresholds, check_colour
from .units import check_unit

FIELD_TYPES = ("number", "string", "time", "boolean", "enum", "frame", "other", "geo", "trace")


def _properties(what: str, unit: Any, decimals: Any, min: Any, max: Any, color: Any, display_name: Any,
                thresholds: Any, mappings: Any, custom: Any) -> tuple[tuple[str, Any], ...]:
    """The (id, value) pairs of an override, checked, in a fixed order."""
    props: list[tuple[str, Any]] = []
    if unit is not None:
        if not isinstance(unit, str):
            raise DashboardError(f"{what}: unit must be a string such as units.PERCENT or 'reqps', "
                                 f"got {describe(unit)}")
        props.append(("unit", check_unit(unit, where=f"{what}: ")))
    if decimals is not None:
        if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
            raise DashboardError(f"{what}: decimals must be a whole number from 0, got {describe(decimals)}")
        props.append(("decimals", decimals))
    for name, bound in (("min", min), ("max", max)):
        if bound is not None:
            if isinstance(bound, bool) or not isinstance(bound, (int, float)):
                raise DashboardError(f"{what}: {name} must be a number, got {describe(bound)}")
            props.append((name, bound))
    if color is not None:
        props.append(("color", {"fixedColor": check_colour(color), "mode": "fixed"}))
    if display_name is not None:
        if not isinstance(display_name, str):
            raise DashboardError(f"{what}: display_name must be a string, got {describe(display_name)}")
        props.append(("displayName", display_name))
    if thresholds is not None:
        if not isinstance(thresholds, Thresholds):
            raise DashboardError(f"{what}: thresholds must be made with thresholds(...), high_is_bad(...) or "
                                 f"low_is_bad(...), got {describe(thresholds)}")
        props.append(("thresholds", thresholds.to_json()))
    if mappings is not None:
        props.append(("mappings", M.to_json(M.check(f"{what}: ", mappings))))
    if custom is not None:
        if not isinstance(custom, dict) or not all(isinstance(k, str) and k for k in custom):
            raise DashboardError(f"{what}: custom must be a dict of the panel's field options such as "
                                 f"{{'width': 120}}, got {describe(custom)}")
        props.extend((f"custom.{key}", value) for key, value in custom.items())
    if not props:
        raise DashboardError(f"{what}: give at least one property (unit=, color=, display_name=, custom=...)")
    return tuple(props)


@attrs.frozen
class Override:
    """Options for the fields a matcher picks: `Override.by_name("errors", unit="reqps", color="red")`."""

    matcher: str  # Grafana's matcher id
    option: str  # the matcher's options: a name, a pattern, a refId or a field type
    properties: tuple[tuple[str, Any], ...]

    @classmethod
    def _make(cls, matcher: str, what: str, option: Any, **props: Any) -> "Override":
        if not isinstance(option, str) or not option:
            raise DashboardError(f"{what}: give the field as a non-empty string, got {describe(option)}")
        return cls(matcher, option, _properties(f"{what}({option!r})", **props))

    @classmethod
    def by_name(cls, name: str, *, unit: str | None = None, decimals: int | None = None, min: float | None = None,
                max: float | None = None, color: str | None = None, display_name: str | None = None,
                thresholds: Thresholds | None = None, mappings: list[Any] | None = None,
                custom: dict[str, Any] | None = None) -> "Override":
        """The field (series, column) called `name`, as it is after the panel's transformations:
        `Override.by_name("errors", color="red")`. Properties without a keyword go in `custom=`:
        `Override.by_name("Reason", custom={"width": 160})` sets custom.width."""
        return cls._make("byName", "Override.by_name", name, unit=unit, decimals=decimals, min=min, max=max,
                         color=color, display_name=display_name, thresholds=thresholds, mappings=mappings,
                         custom=custom)

    @classmethod
    def by_regex(cls, pattern: str, **props: Any) -> "Override":
        """The fields whose name matches `pattern`: `Override.by_regex("^5..$", color="red")`."""
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise DashboardError(f"Override.by_regex: {pattern!r} is not a regular expression: {exc}") from None
        return cls._make("byRegexp", "Override.by_regex", pattern, **_known(props))

    @classmethod
    def by_query(cls, ref_id: str, **props: Any) -> "Override":
        """The fields of one query, by its refId ("A" is the first): `Override.by_query("B", unit="s")`."""
        return cls._make("byFrameRefID", "Override.by_query", ref_id, **_known(props))

    @classmethod
    def by_type(cls, field_type: str, **props: Any) -> "Override":
        """The fields of one type ("number", "string", "time"...): `Override.by_type("number", decimals=1)`."""
        if field_type not in FIELD_TYPES:
            raise DashboardError(f"Override.by_type: {field_type!r} must be one of "
                                 f"{', '.join(repr(t) for t in FIELD_TYPES)}")
        return cls._make("byType", "Override.by_type", field_type, **_known(props))

    def to_json(self) -> dict[str, Any]:
        return {"matcher": {"id": self.matcher, "options": self.option},
                "properties": [{"id": key, "value": value} for key, value in self.properties]}


_PROPS = ("unit", "decimals", "min", "max", "color", "display_name", "thresholds", "mappings", "custom")


def _known(props: dict[str, Any]) -> dict[str, Any]:
    """All the properties, None for those not given; an unknown keyword is refused with the list."""
    unknown = sorted(set(props) - set(_PROPS))
    if unknown:
        raise DashboardError(f"Override: unknown property {unknown[0]!r}; the properties are "
                             f"{', '.join(_PROPS)} (custom={{'width': 120}} for the panel's own field options)")
    return {name: props.get(name) for name in _PROPS}


def check(prefix: str, value: Any) -> list[Override]:
    """The `overrides=` of a panel: a list of Override."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise DashboardError(f"{prefix}overrides must be a list such as [Override.by_name('errors', color='red')], "
                             f"got {describe(value)}")
    for item in value:
        if not isinstance(item, Override):
            raise DashboardError(f"{prefix}each override must be made with Override.by_name(...), by_regex(...), "
                                 f"by_query(...) or by_type(...), got {describe(item)}")
    return list(value)
