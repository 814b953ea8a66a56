"""Panel helpers: each reads as what the panel shows, and builds a grafanalib panel.

    rate("Request rate", "http_requests_total", by="endpoint")
    ratio("Error rate", 'http_requests_total{status=~"5.."}', "http_requests_total")
    quantile("P95 latency", "http_request_duration_seconds", 0.95, by="endpoint")
    gauge("Disk usage", DISK_EXPR, unit=units.PERCENT, thresholds=high_is_bad(75, 85))

Every helper takes the layout keywords `width` (columns), `weight` (share of
the line), `height` (grid rows) and `grid` (an explicit GridPos), and
`datasource` to override the dashboard's.
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
        f"expected a panel (from dashboards.sdk or grafanalib.core), got {type(panel).__name__}: {panel!r:.60}"
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


# --- Helpers that know PromQL idioms -------------------------------------------------


def _by(by: str | Iterable[str] | None) -> list[str]:
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def _legend(labels: list[str]) -> str:
    return " ".join("{{%s}}" % label for label in labels)


def rate(
    title: str,
    metric: str,
    *,
    by: str | Iterable[str] | None = None,
    window: str = "5m",
    unit: str | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """Per-second rate of a counter, summed (by labels): `sum(rate(m[5m])) by (l)`.

    The unit follows the metric's name (`_requests_total` is req/s,
    `_bytes_total` is bytes/s) unless given.
    """
    labels = _by(by)
    name = metric.split("{", 1)[0]
    unit = unit or U.unit_for_rate(name) or U.OPS_PER_SECOND
    expr = f"sum(rate({metric}[{window}]))"
    if labels:
        expr += f" by ({', '.join(labels)})"
    description = description or (
        f"Per-second rate of {name} over {window}" + (f", by {', '.join(labels)}." if labels else ", all series summed.")
    )
    return timeseries(title, Query(expr, legend=_legend(labels) or title), unit=unit, description=description, **options)


def ratio(
    title: str,
    numerator: str,
    denominator: str,
    *,
    window: str = "5m",
    unit: str = U.PERCENT_UNIT,
    thresholds: Thresholds | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """The share of one counter's rate in another's, such as errors in requests."""
    expr = f"sum(rate({numerator}[{window}])) / sum(rate({denominator}[{window}]))"
    description = description or f"Rate of {numerator} divided by rate of {denominator}, over {window}."
    return timeseries(
        title,
        Query(expr, legend=title),
        unit=unit,
        description=description,
        thresholds=thresholds,
        min=0,
        **options,
    )


def quantile(
    title: str,
    histogram: str,
    q: float,
    *,
    by: str | Iterable[str] | None = None,
    window: str = "5m",
    unit: str | None = None,
    thresholds: Thresholds | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """A quantile of a Prometheus histogram: `histogram_quantile(q, sum(rate(h_bucket[5m])) by (le, l))`."""
    if not 0 < q < 1:
        raise DashboardError(f"panel {title!r}: quantile {q} must be between 0 and 1, e.g. 0.95")
    labels = _by(by)
    name = histogram.split("{", 1)[0].removesuffix("_bucket")
    selector = histogram[len(name):] if "{" in histogram else ""
    unit = unit or U.unit_for_value(name) or U.SHORT
    expr = f"histogram_quantile({q}, sum(rate({name}_bucket{selector}[{window}])) by ({', '.join(['le', *labels])}))"
    description = description or (
        f"{q * 100:g}th percentile of {name} over {window}" + (f", by {', '.join(labels)}." if labels else ".")
    )
    return timeseries(
        title,
        Query(expr, legend=_legend(labels) or f"p{q * 100:g}"),
        unit=unit,
        description=description,
        thresholds=thresholds,
        **options,
    )


def histogram_heatmap(
    title: str,
    histogram: str,
    *,
    window: str = "$__rate_interval",
    unit: str | None = None,
    description: str | None = None,
    **options: Any,
) -> Panel:
    """How a Prometheus histogram's observations spread over its buckets, over time."""
    name = histogram.removesuffix("_bucket")
    unit = unit or U.unit_for_value(name) or U.SHORT
    expr = f"sum(increase({name}_bucket[{window}])) by (le)"
    description = description or f"Observations of {name} per bucket; darker cells hold more of them."
    return heatmap(title, Query(expr, legend="{{le}}", format="heatmap"), unit=unit, description=description, **options)
