"""Bar gauges, state timelines, bar charts and pie charts.

    bargauge("Disk used", 'disk_used_percent', unit=units.PERCENT, max=100, thresholds=high_is_bad(80, 90))
    state_timeline("Target up", 'up{job="api"}', unit=units.NONE,
                   mappings=[value_map({"0": ("Down", "red"), "1": ("Up", "green")})])
    barchart("Requests by route", Query('sum by (route) (increase(http_requests_total[1h]))', instant=True,
             format="table"), unit=units.SHORT, x_field="route")
    piechart("Traffic share", 'sum by (route) (rate(http_requests_total[5m]))', unit="reqps")

Each takes the keywords every helper takes (publisher.sdk.shared). Thresholds default to one neutral
colour (grafanalib's red from 80 says "bad" about any value above 80, whatever it is).
"""

from __future__ import annotations

from typing import Any

import grafanalib.core as G

from . import args as A
from .datasources import Datasource
from .errors import DashboardError
from .layout import GridPos
from .query import Query
from .shared import Panel, Shared, defaults
from .shared import queries as _queries
from .shared import thresholds as _thresholds
from .shared import unit as _unit
from .thresholds import Thresholds

ORIENTATIONS = ("horizontal", "vertical", "auto")
LEGENDS = ("list", "table", "hidden")
PLACEMENTS = ("bottom", "right")


def _within(where: str, th: Thresholds, min: Any, max: Any) -> None:
    """Refuse steps a bar from `min` to `max` can never reach, or that colour all of it."""
    if th.percentage:
        low, high = 0, 100
    else:
        low, high = min, max
    for value, _colour in th.steps:
        if (low is not None and value < low) or (high is not None and value > high):
            raise DashboardError(f"{where}threshold step {value:g} lies outside min {low} .. max {high}: the bar "
                                 "can never reach it; change the step, or give min=/max= that include it")


def bargauge(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    min: float | None = 0,
    max: float | None = 100,
    thresholds: Thresholds | None = None,
    reduce: str = "lastNotNull",
    orientation: str = "horizontal",
    display_mode: str = "gradient",
    show_unfilled: bool = True,
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
    """One bar per series, from `min` to `max` (None: Grafana scales to the data):
    `bargauge("Disk used", DISK, unit=units.PERCENT, thresholds=high_is_bad(80, 90))`.

    `display_mode` is "gradient", "lcd" or "basic"; `orientation` "horizontal", "vertical" or "auto".
    The thresholds default to one neutral colour; steps outside min..max are refused."""
    shared = Shared.of("bargauge", locals())
    where = shared.where
    unit = _unit(unit, "bargauge", title)
    A.number(where, "min", min)
    A.number(where, "max", max)
    if min is not None and max is not None and not min < max:
        raise DashboardError(f"{where}min {min} must be below max {max}")
    th = _thresholds("bargauge", title, thresholds)
    assert th is not None
    _within(where, th, min, max)
    A.reducer(where, "reduce", reduce)
    A.choice(where, "orientation", orientation, ORIENTATIONS)
    A.choice(where, "display_mode", display_mode, ("gradient", "lcd", "basic"))
    A.flag(where, "show_unfilled", show_unfilled)
    bounds = {k: v for k, v in (("min", min), ("max", max)) if v is not None}
    panel = G.BarGauge(
        title=title, description=description, format=unit, calc=reduce, displayMode=display_mode,
        orientation=orientation, min=None, max=None, thresholds=[], maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, th, bounds)},
                                "options": {"showUnfilled": show_unfilled}}),
    )
    return shared.panel(panel, _queries("bargauge", title, queries))


def state_timeline(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    thresholds: Thresholds | None = None,
    merge_values: bool = True,
    show_value: str = "auto",
    row_height: float = 0.9,
    fill: int = 70,
    legend: str = "list",
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
    """States over time, one band per series, coloured by thresholds or value mappings:
    `state_timeline("Up", "up", unit=units.NONE, mappings=[value_map({"0": ("Down", "red"), "1": ("Up", "green")})])`.

    `merge_values` joins equal neighbours, `show_value` is "auto", "always" or "never", `row_height` 0-1."""
    shared = Shared.of("state_timeline", locals())
    where = shared.where
    unit = _unit(unit, "state_timeline", title)
    th = _thresholds("state_timeline", title, thresholds)
    A.flag(where, "merge_values", merge_values)
    A.choice(where, "show_value", show_value, ("auto", "always", "never"))
    if A.number(where, "row_height", row_height, optional=False) <= 0 or row_height > 1:
        raise A.fail(where, "row_height", "a fraction above 0 and at most 1", row_height)
    if isinstance(fill, bool) or not isinstance(fill, int) or not 0 <= fill <= 100:
        raise A.fail(where, "fill", "the bands' opacity, a whole number from 0 to 100", fill)
    A.choice(where, "legend", legend, LEGENDS)
    panel = G.StateTimeline(
        title=title, description=description, mergeValues=merge_values, showValue=show_value, rowHeight=row_height,
        fillOpacity=fill, legendDisplayMode=legend, maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, th)},
                                "options": {"legend": {"showLegend": legend != "hidden"}}}),
    )
    return shared.panel(panel, _queries("state_timeline", title, queries))


def barchart(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    thresholds: Thresholds | None = None,
    x_field: str | None = None,
    orientation: str = "auto",
    stacking: str = "none",
    show_value: str = "auto",
    legend: str = "list",
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
    """Bars for categories (a table's rows): `barchart("By route", Query(EXPR, instant=True, format="table"),
    unit="short", x_field="route")`.

    `x_field` names the category field (the first string field when None), `stacking` is "none", "normal" or
    "percent", `orientation` "auto", "horizontal" or "vertical", `show_value` "auto", "always" or "never"."""
    shared = Shared.of("barchart", locals())
    where = shared.where
    unit = _unit(unit, "barchart", title)
    th = _thresholds("barchart", title, thresholds)
    A.text(where, "x_field", x_field, "'route'")
    A.choice(where, "orientation", orientation, ORIENTATIONS)
    A.choice(where, "stacking", stacking, ("none", "normal", "percent"))
    A.choice(where, "show_value", show_value, ("auto", "always", "never"))
    A.choice(where, "legend", legend, LEGENDS)
    options: dict[str, Any] = {"xField": x_field} if x_field else {}
    panel = G.BarChart(
        title=title, description=description, orientation=orientation, stacking=stacking, showValue=show_value,
        showLegend=legend != "hidden", legendDisplayMode=legend, maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, th, {"color": {"mode": "palette-classic"}})},
                                "options": options}),
    )
    return shared.panel(panel, _queries("barchart", title, queries))


def piechart(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    pie_type: str = "pie",
    reduce: str = "lastNotNull",
    legend: str = "table",
    legend_placement: str = "right",
    legend_values: list[str] | tuple[str, ...] = ("percent",),
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
    """Shares of a whole, one slice per series: `piechart("Share", "sum by (route) (rate(x[5m]))", unit="reqps")`.

    `pie_type` is "pie" or "donut"; `legend` "table", "list" or "hidden", at `legend_placement` "right" or
    "bottom", showing `legend_values` ("percent", "value")."""
    shared = Shared.of("piechart", locals())
    where = shared.where
    unit = _unit(unit, "piechart", title)
    A.choice(where, "pie_type", pie_type, ("pie", "donut"))
    A.reducer(where, "reduce", reduce)
    A.choice(where, "legend", legend, LEGENDS)
    A.choice(where, "legend_placement", legend_placement, PLACEMENTS)
    values = [A.choice(where, "legend value", v, ("percent", "value"))
              for v in A.strings(where, "legend_values", legend_values, "['percent']")]
    panel = G.PieChartv2(
        title=title, description=description, unit=unit, pieType=pie_type, reduceOptionsCalcs=[reduce],
        legendDisplayMode=legend, legendPlacement=legend_placement, legendValues=values, maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, None)}}),
    )
    return shared.panel(panel, _queries("piechart", title, queries))
