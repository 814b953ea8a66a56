"""Panel helpers: each reads as what the panel shows, and builds a grafanalib panel.

    rate("Request rate", "http_requests_total", by="endpoint")
    ratio("Error rate", 'http_requests_total{status=~"5.."}', "http_requests_total")
    quantile("P95 latency", "http_request_duration_seconds", 0.95, by="endpoint")
    gauge("Disk usage", DISK_EXPR, unit=units.PERCENT, thresholds=high_is_bad(75, 85))

Every helper takes the keywords of `publisher.sdk.shared` (description,
mappings, overrides, transformations, links, data_links, repeat, datasource,
extra_json, and the layout: width, weight, height, grid). The helpers that
write the PromQL themselves (rate, ratio, quantile, histogram_heatmap) are in
`promql_panels`; breakdown, logs and text in `panels_more`; table in `table`;
bargauge, state_timeline, barchart and piechart in `charts`.
"""

from __future__ import annotations

from typing import Any, Iterable

import grafanalib.core as G

from . import args as A
from . import units as U
from .datasources import Datasource
from .errors import DashboardError
from .layout import GridPos
from .panels_more import breakdown, logs, text
from .query import Query
from .shared import Panel, Shared, defaults, wrap
from .shared import queries as _queries
from .shared import thresholds as _thresholds
from .shared import unit as _unit
from .thresholds import Thresholds, high_is_bad

__all__ = ["Panel", "breakdown", "gauge", "heatmap", "logs", "stat", "text", "timeseries", "wrap"]
LEGENDS = ("list", "table", "hidden")


def _min_max(where: str, min: Any, max: Any) -> dict[str, Any]:
    out = {}
    for name, value in (("min", min), ("max", max)):
        if A.number(where, name, value) is not None:
            out[name] = value
    if min is not None and max is not None and not min < max:
        raise DashboardError(f"{where}min {min} must be below max {max}")
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
    mappings: list[Any] | None = None,
    overrides: list[Any] | None = None,
    transformations: list[Any] | None = None,
    links: list[Any] | None = None,
    data_links: list[Any] | None = None,
    repeat: str | None = None,
    repeat_direction: str = "h",
    max_per_row: int | None = None,
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A time series of one or more queries: `timeseries("CPU", "sum(rate(cpu_seconds_total[5m]))", unit="short")`.

    `stack` stacks the series, `fill` is the area's opacity (0-100), `legend` is "list", "table" or "hidden",
    `legend_calcs` the values in the legend (["mean", "max"])."""
    shared = Shared.of("timeseries", locals())
    where = shared.where
    unit = _unit(unit, "timeseries", title)
    th = _thresholds("timeseries", title, thresholds, None)
    A.flag(where, "stack", stack)
    if isinstance(fill, bool) or not isinstance(fill, int) or not 0 <= fill <= 100:
        raise A.fail(where, "fill", "the area's opacity, a whole number from 0 to 100", fill)
    A.choice(where, "legend", legend, LEGENDS, " (the legend's display mode)")
    calcs = [A.reducer(where, "legend calculation", c) for c in A.strings(where, "legend_calcs", legend_calcs,
                                                                             "['mean', 'max']")]
    panel = G.TimeSeries(
        title=title,
        description=description,
        unit=unit,
        fillOpacity=fill,
        stacking={"mode": "normal", "group": "A"} if stack else {"mode": "none", "group": "A"},
        legendDisplayMode=legend,
        legendCalcs=calcs,
        showPoints="never",
        maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, th, _min_max(where, min, max))}}),
    )
    return shared.panel(panel, _queries("timeseries", title, queries))


def stat(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    thresholds: Thresholds | None = None,
    reduce: str = "lastNotNull",
    graph: bool = True,
    decimals: int | None = None,
    mappings: list[Any] | None = None,
    overrides: list[Any] | None = None,
    transformations: list[Any] | None = None,
    links: list[Any] | None = None,
    data_links: list[Any] | None = None,
    repeat: str | None = None,
    repeat_direction: str = "h",
    max_per_row: int | None = None,
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """One number, reduced from its series (the last value by default): `stat("Uptime", "avg(up)", unit="percentunit")`.

    `reduce` is a Grafana calculation ("lastNotNull", "mean", "max"...), `graph` draws the sparkline,
    `decimals` fixes the decimals shown."""
    shared = Shared.of("stat", locals())
    where = shared.where
    unit = _unit(unit, "stat", title)
    th = _thresholds("stat", title, thresholds, None)
    A.reducer(where, "reduce", reduce)
    A.flag(where, "graph", graph)
    _decimals(where, decimals)
    panel = G.Stat(
        title=title,
        description=description,
        format=unit,
        decimals=decimals,
        reduceCalc=reduce,
        graphMode="area" if graph else "none",
        colorMode="value",
        maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, th, {"color": {"mode": "thresholds"}})}}),
    )
    return shared.panel(panel, _queries("stat", title, queries))


def _decimals(where: str, decimals: Any) -> None:
    if decimals is not None and (isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0):
        raise A.fail(where, "decimals", "a whole number from 0", decimals)


def gauge(
    title: str,
    *queries: Query | str,
    unit: str | None = U.PERCENT,
    description: str | None = None,
    min: float = 0,
    max: float = 100,
    thresholds: Thresholds | None = None,
    reduce: str = "lastNotNull",
    mappings: list[Any] | None = None,
    overrides: list[Any] | None = None,
    transformations: list[Any] | None = None,
    links: list[Any] | None = None,
    data_links: list[Any] | None = None,
    repeat: str | None = None,
    repeat_direction: str = "h",
    max_per_row: int | None = None,
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A gauge from `min` to `max`; by default a percentage, orange from 75 and red from 90:
    `gauge("Disk usage", DISK_EXPR, thresholds=high_is_bad(75, 85))`."""
    shared = Shared.of("gauge", locals())
    where = shared.where
    unit = _unit(unit, "gauge", title)
    A.number(where, "min", min, optional=False)
    A.number(where, "max", max, optional=False)
    if not min < max:
        raise DashboardError(f"panel {title!r}: gauge min {min} must be below max {max}")
    th = _thresholds("gauge", title, thresholds, None) or high_is_bad(75, 90)
    A.reducer(where, "reduce", reduce)
    panel = G.GaugePanel(
        title=title,
        description=description,
        format=unit,
        min=min,
        max=max,
        calc=reduce,
        thresholds=[],
        maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, th)}}),
    )
    return shared.panel(panel, _queries("gauge", title, queries))


SCHEMES = ("Oranges", "Reds", "Greens", "Blues", "Purples", "Greys", "Viridis", "Magma", "Inferno", "Plasma",
           "Spectral", "RdYlGn", "YlOrRd", "Turbo", "Cool", "Warm", "BuGn", "BuPu", "GnBu", "OrRd", "PuBu", "RdPu",
           "YlGn", "YlGnBu", "YlOrBr", "Cividis", "RdBu")


def heatmap(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    buckets: bool = True,
    scheme: str = "Oranges",
    cell_unit: str | None = None,
    mappings: list[Any] | None = None,
    overrides: list[Any] | None = None,
    transformations: list[Any] | None = None,
    links: list[Any] | None = None,
    data_links: list[Any] | None = None,
    repeat: str | None = None,
    repeat_direction: str = "h",
    max_per_row: int | None = None,
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A heatmap: `heatmap("Queue age", 'sum(queue_age_bucket) by (le)', unit="s")`.

    `unit` is the y axis's (options.yAxis.unit); `cell_unit` the cells' values' (the field's unit, which Grafana's
    heatmap shows in the tooltip and legend): `heatmap("Retention", ..., cell_unit=units.PERCENT_UNIT)`.
    With `buckets=True` each series is one row of cells (a histogram bucket, a cohort...); otherwise Grafana
    buckets the values. For a Prometheus histogram use `histogram_heatmap`, whose query has format "heatmap"
    so that Grafana turns cumulative `le` buckets into counts.
    """
    shared = Shared.of("heatmap", locals())
    unit = _unit(unit, "heatmap", title)
    cell_unit = _unit(cell_unit, "heatmap", title)
    A.flag(shared.where, "buckets", buckets)
    A.choice(shared.where, "scheme", scheme, SCHEMES, " (Grafana's colour schemes)")
    qs = _queries("heatmap", title, queries)
    panel = G.Heatmap(
        title=title,
        description=description,
        dataFormat="tsbuckets" if buckets else "timeseries",
        yAxis=G.YAxis(format=unit),
        color=G.HeatmapColor(colorScheme="interpolate" + scheme),
        legend={"show": True},
        maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": {"unit": cell_unit}}} if cell_unit else None),
    )
    return shared.panel(panel, qs)

