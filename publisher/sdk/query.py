"""Queries: one PromQL or LogQL expression and how to show its series."""

from __future__ import annotations

from typing import Any

import attrs
import grafanalib.core as G

from .errors import DashboardError

FORMATS = ("time_series", "table", "heatmap")


@attrs.frozen
class Query:
    """`Query('sum(rate(x[5m])) by (job)', legend='{{job}}')`.

    `datasource` overrides the panel's datasource for this query only.
    """

    expr: str
    legend: str = ""
    instant: bool = False
    format: str = "time_series"
    interval: str = ""
    hide: bool = False
    datasource: Any = None  # a Datasource, or None for the panel's

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.expr, str) or not self.expr.strip():
            raise DashboardError("a query needs a non-empty expression")
        if self.format not in FORMATS:
            raise DashboardError(f"query format {self.format!r} must be one of {', '.join(FORMATS)}")

    def to_target(self, ref_id: str) -> G.Target:
        return G.Target(
            expr=self.expr,
            legendFormat=self.legend,
            instant=self.instant,
            format=self.format,
            interval=self.interval,
            hide=self.hide,
            refId=ref_id,
        )


def as_query(value: "Query | str") -> Query:
    if isinstance(value, Query):
        return value
    if isinstance(value, str):
        return Query(value)
    raise DashboardError(f"expected a query expression or Query, got {type(value).__name__}")


def ref_ids(count: int) -> list[str]:
    """A, B, ... Z, AA, AB ...: the refIds Grafana itself assigns."""
    ids = []
    for i in range(count):
        name, n = "", i
        while True:
            name = chr(ord("A") + n % 26) + name
            n = n // 26 - 1
            if n < 0:
                break
        ids.append(name)
    return ids
