"""Transformations: reshape a panel's query results before Grafana draws them (the panel's "transformations").

    table("Pods", 'kube_pod_info', instant=True,
          transformations=[organize(rename={"pod": "Pod"}, exclude=["Time", "__name__"], order=["Pod"]),
                           sort_by("Pod")])

`organize`, `merge`, `reduce`, `filter_by_name`, `join_by_field`, `sort_by`
and `calculate_field` write Grafana's options for its transformation of that
id; `Transformation(id, options)` is any other, with its options as Grafana
writes them.
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs

from . import args as A
from .args import describe
from .errors import DashboardError


@attrs.frozen
class Transformation:
    """Any Grafana transformation, by its id: `Transformation("labelsToFields", {"mode": "columns"})`."""

    id: str
    options: dict[str, Any] = attrs.field(factory=dict)
    disabled: bool = False

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id:
            raise DashboardError(f"Transformation: id must be a Grafana transformation id such as 'organize', "
                                 f"got {describe(self.id)}")
        if not isinstance(self.options, dict):
            raise DashboardError(f"Transformation {self.id!r}: options must be a dict, got {describe(self.options)}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "options": self.options}
        if self.disabled:
            out["disabled"] = True
        return out


def organize(rename: dict[str, str] | None = None, exclude: Iterable[str] = (),
             order: Iterable[str] = ()) -> Transformation:
    """Rename, hide and reorder fields: `organize(rename={"pod": "Pod"}, exclude=["Time"], order=["Pod"])`."""
    rename = rename or {}
    if not isinstance(rename, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in rename.items()):
        raise DashboardError(f"organize: rename must be a dict of field name -> new name, got {describe(rename)}")
    hidden = A.strings("organize: ", "exclude", exclude, "['Time']")
    ordered = A.strings("organize: ", "order", order, "['pod', 'Value']")
    return Transformation("organize", {
        "excludeByName": {name: True for name in hidden},
        "indexByName": {name: i for i, name in enumerate(ordered)},
        "renameByName": dict(rename),
    })


def merge() -> Transformation:
    """Merge the results of several queries into one table (rows joined on equal labels): `merge()`."""
    return Transformation("merge", {})


def reduce(calcs: Iterable[str] = ("lastNotNull",), *, mode: str = "seriesToRows",
           labels_to_fields: bool = False) -> Transformation:
    """Each series to one row of calculations: `reduce(["mean", "max"])`.

    `mode="reduceFields"` keeps the frames and reduces each field instead."""
    names = [A.reducer("reduce: ", "calculation", c) for c in A.strings("reduce: ", "calcs", calcs, "['mean']")]
    if not names:
        raise DashboardError("reduce: give at least one calculation, such as ['lastNotNull']")
    A.choice("reduce: ", "mode", mode, ("seriesToRows", "reduceFields"))
    options: dict[str, Any] = {"reducers": names, "mode": mode}
    if labels_to_fields:
        options["labelsToFields"] = True
    return Transformation("reduce", options)


def filter_by_name(include: Iterable[str] = (), *, pattern: str | None = None,
                   exclude: Iterable[str] = ()) -> Transformation:
    """Keep only some fields: `filter_by_name(["Time", "Value"])`, or by regex: `filter_by_name(pattern="^cpu")`."""
    keep = A.strings("filter_by_name: ", "include", include, "['Time', 'Value']")
    drop = A.strings("filter_by_name: ", "exclude", exclude, "['__name__']")
    A.text("filter_by_name: ", "pattern", pattern, "'^cpu'")
    options: dict[str, Any] = {}
    if keep or pattern:
        options["include"] = {**({"names": keep} if keep else {}), **({"pattern": pattern} if pattern else {})}
    if drop:
        options["exclude"] = {"names": drop}
    if not options:
        raise DashboardError("filter_by_name: give the fields to include (names or pattern=) or to exclude")
    return Transformation("filterFieldsByName", options)


def join_by_field(field: str | None = None, mode: str = "outer") -> Transformation:
    """Join the results of several queries on one field (the time when None): `join_by_field("instance")`.

    `mode` is "outer", "inner" or "outerTabular"."""
    A.text("join_by_field: ", "field", field, "'instance'")
    A.choice("join_by_field: ", "mode", mode, ("outer", "inner", "outerTabular"))
    return Transformation("joinByField", {**({"byField": field} if field else {}), "mode": mode})


def sort_by(field: str, desc: bool = False) -> Transformation:
    """Sort rows by one field: `sort_by("Value", desc=True)`."""
    A.text("sort_by: ", "field", field, "'Value'", optional=False)
    A.flag("sort_by: ", "desc", desc)
    return Transformation("sortBy", {"fields": {}, "sort": [{"field": field, "desc": desc}]})


_OPERATORS = ("+", "-", "*", "/", "%", "**")


def calculate_field(alias: str, left: str, operator: str, right: str | float, *,
                    replace: bool = False) -> Transformation:
    """A new field from two others (or a field and a number): `calculate_field("Free", "Total", "-", "Used")`."""
    A.text("calculate_field: ", "alias", alias, "'Free'", optional=False)
    A.text("calculate_field: ", "left", left, "'Total'", optional=False)
    A.choice("calculate_field: ", "operator", operator, _OPERATORS)
    if isinstance(right, bool) or not isinstance(right, (str, int, float)):
        raise A.fail("calculate_field: ", "right", "a field name or a number", right)
    right_json = {"matcher": {"id": "byName", "options": right}} if isinstance(right, str) else {"fixed": f"{right:g}"}
    return Transformation("calculateField", {
        "alias": alias,
        "mode": "binary",
        "binary": {"left": {"matcher": {"id": "byName", "options": left}}, "operator": operator, "right": right_json},
        "replaceFields": A.flag("calculate_field: ", "replace", replace),
    })


def check(prefix: str, value: Any) -> list[Transformation]:
    """The `transformations=` of a panel: a list of Transformation."""
    return A.items(prefix, "transformations", value, Transformation, "[organize(...), sort_by('Value')]")
