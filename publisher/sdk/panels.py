"""Panel helpers: each reads as what the panel shows, and builds a grafanalib panel.

    rate("Request rate", "http_requests_total", by="endpoint")
    ratio("Error rate", 'http_requests_total{status=~"5.."}', "http_requests_total")
    quantile("P95 latency", "http_request_duration_seconds", 0.95, by="endpoint")
    gauge("Disk usage", DISK_EXPR, unit=units.PERCENT, thresholds=high_is_bad(75, 85))

Every helper takes the layout keywords `width` (columns), `weight` (share of
the line), `height` (grid rows) and `grid` (an explicit GridPos), and
`datasource` to override the dashboard's. The helpers that write the PromQL
themselves (rate, ratio, quantile, histogram_heatmap) are in `promql_panels`.
"""

from __future__ import annotations

from typing import Any, Iterable

import attrs
import grafanalib.core as G

from . import units as U
from .datasources import Datasource
from .errors import DashboardError
from .layout import GridPos, Slot
from .query import Query, as_query
from .source import declared_at
from .thresholds import NEUTRAL, Thresholds, high_is_bad


@attrs.define
class Panel:
    """A grafanalib panel plus what the dashboard needs to place and wire it."""

    panel: G.Panel
    queries: tuple[Query, ...] = ()
    datasource: Datasource | None = None
    slot: Slot = attrs.field(factory=Slot)
    # file and line of the user's code that made the panel, so lint can point at it
    declared_at: tuple[str, int] = attrs.field(factory=declared_at, init=False, eq=False)

    @property
    def title(self) -> str:
        return self.panel.title


def wrap(panel: "Panel | G.Panel") -> Panel:
    """Accept a plain grafanalib panel too; its GridPos, if any, is kept."""
    if isinstance(panel, Panel):
        return panel
    if isinstance(panel, G.Panel):
        fixed = None
        if isinstance(panel.gridPos, G.GridPos):
            g = panel.gridPos
            fixed = GridPos(g.x, g.y, g.w, g.h)
        return Panel(panel=panel, slot=Slot(fixed=fixed))
    raise DashboardError(
        f"expected a panel (from publisher.sdk or grafanalib.core), got {type(panel).__name__}: {panel!r:.60}"
    )


def _slot(width: int | None, weight: float, height: int | None, grid: GridPos | None) -> Slot:
    return Slot(width=width, weight=weight, height=height, fixed=grid)


def _unit(unit: str | None, title: str) -> str:
    if unit is None:
        raise DashboardError(f"panel {title!r}: give a unit, for example unit=units.PERCENT or unit='reqps'")
    return U.check_unit(unit, where=f"panel {title!r}: ")


def _queries(title: str, queries: Iterable[Query | str]) -> tuple[Query, ...]:
    out = tuple(as_query(q) for q in queries)
    if not out:
        raise DashboardError(f"panel {title!r}: give at least one query")
    return out


def _defaults(unit: str, thresholds: Thresholds | None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": unit, "thresholds": (thresholds or NEUTRAL).to_json()}
    defaults.update(extra or {})
    return defaults


def _merge(base: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """Deep-merge a user's `extra_json` over ours, as grafanalib's extraJson does."""
    out = dict(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def timeseries(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    thresholds: Thresholds | None = None,
    stack: bool = False,
    fill: int = 10,
    min: float | None = None,
    max: float | None = None,
    legend: str = "list",
    legend_calcs: Iterable[str] = (),
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A time series of one or more queries."""
    unit = _unit(unit, title)
    extra: dict[str, Any] = {}
    if min is not None:
        extra["min"] = min
    if max is not None:
        extra["max"] = max
    panel = G.TimeSeries(
        title=title,
        description=description,
        unit=unit,
        fillOpacity=fill,
        stacking={"mode": "normal", "group": "A"} if stack else {"mode": "none", "group": "A"},
        legendDisplayMode=legend,
        legendCalcs=list(legend_calcs),
        showPoints="never",
        maxDataPoints=None,
        extraJson=_merge({"fieldConfig": {"defaults": _defaults(unit, thresholds, extra)}}, extra_json),
    )
    return Panel(panel, _queries(title, queries), datasource, _slot(width, weight, height, grid))


def stat(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    thresholds: Thresholds | None = None,
    reduce: str = "lastNotNull",
    graph: bool = True,
    decimals: int | None = None,
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """One number, reduced from its series (the last value by default)."""
    unit = _unit(unit, title)
    panel = G.Stat(
        title=title,
        description=description,
        format=unit,
        decimals=decimals,
        reduceCalc=reduce,
        graphMode="area" if graph else "none",
        colorMode="value",
        maxDataPoints=None,
        extraJson=_merge(
            {"fieldConfig": {"defaults": _defaults(unit, thresholds, {"color": {"mode": "thresholds"}})}},
            extra_json,
        ),
    )
    return Panel(panel, _queries(title, queries), datasource, _slot(width, weight, height, grid))


def gauge(
    title: str,
    *queries: Query | str,
    unit: str | None = U.PERCENT,
    description: str | None = None,
    min: float = 0,
    max: float = 100,
    thresholds: Thresholds | None = None,
    reduce: str = "lastNotNull",
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A gauge from `min` to `max`; by default a percentage, red from 90."""
    unit = _unit(unit, title)
    if not min < max:
        raise DashboardError(f"panel {title!r}: gauge min {min} must be below max {max}")
    panel = G.GaugePanel(
        title=title,
        description=description,
        format=unit,
        min=min,
        max=max,
        calc=reduce,
        thresholds=[],
        maxDataPoints=None,
        extraJson=_merge(
            {"fieldConfig": {"defaults": _defaults(unit, thresholds or high_is_bad(75, 90))}}, extra_json
        ),
    )
    return Panel(panel, _queries(title, queries), datasource, _slot(width, weight, height, grid))


def heatmap(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    buckets: bool = True,
    scheme: str = "Oranges",
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A heatmap. With `buckets=True` each series is one row of cells (a
    histogram bucket, a cohort...); otherwise Grafana buckets the values.

    For a Prometheus histogram use `histogram_heatmap`, whose query has
    format "heatmap" so that Grafana turns cumulative `le` buckets into counts.
    """
    unit = _unit(unit, title)
    qs = _queries(title, queries)
    panel = G.Heatmap(
        title=title,
        description=description,
        dataFormat="tsbuckets" if buckets else "timeseries",
        yAxis=G.YAxis(format=unit),
        color=G.HeatmapColor(colorScheme="interpolate" + scheme),
        legend={"show": True},
        maxDataPoints=None,
        extraJson=extra_json,
    )
    return Panel(panel, qs, datasource, _slot(width, weight, height, grid))


def breakdown(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    style: str = "donut",
    reduce: str = "lastNotNull",
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """Shares of a whole, one slice per series: `style` is "donut", "pie" or "bars"."""
    unit = _unit(unit, title)
    qs = _queries(title, queries)
    if style == "bars":
        panel = G.BarGauge(
            title=title,
            description=description,
            format=unit,
            calc=reduce,
            displayMode="gradient",
            min=None,  # grafanalib's 0-100 suits percentages only; let Grafana scale
            max=None,
            thresholds=[],
            maxDataPoints=None,
            extraJson=_merge({"fieldConfig": {"defaults": _defaults(unit, None)}}, extra_json),
        )
    elif style in ("donut", "pie"):
        panel = G.PieChartv2(
            title=title,
            description=description,
            unit=unit,
            pieType=style,
            reduceOptionsCalcs=[reduce],
            legendDisplayMode="table",
            legendPlacement="right",
            legendValues=["percent"],
            maxDataPoints=None,
            extraJson=_merge({"fieldConfig": {"defaults": _defaults(unit, None)}}, extra_json),
        )
    else:
        raise DashboardError(f"panel {title!r}: style {style!r} must be 'donut', 'pie' or 'bars'")
    return Panel(panel, qs, datasource, _slot(width, weight, height, grid))


def logs(
    title: str,
    *queries: Query | str,
    description: str | None = None,
    datasource: Datasource | None = None,
    wrap_lines: bool = True,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """Log lines from LogQL queries. Log panels have no unit."""
    panel = G.Logs(
        title=title,
        description=description,
        showTime=True,
        wrapLogMessages=wrap_lines,
        enableLogDetails=True,
        maxDataPoints=None,
        extraJson=extra_json,
    )
    return Panel(panel, _queries(title, queries), datasource, _slot(width, weight, height, grid))


def text(
    title: str,
    markdown: str,
    *,
    description: str | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A Markdown note. Text panels need no query and no unit."""
    panel = G.Text(title=title, description=description, content=markdown, mode="markdown", maxDataPoints=None)
    return Panel(panel, (), None, _slot(width, weight, height, grid))
