"""breakdown (shares of a whole), logs and text panels.

    breakdown("Traffic by route", 'sum by (route) (rate(http_requests_total[5m]))', unit="reqps")
    logs("API errors", '{app="api"} |= "error"')
    text("Runbook", "**Paging?** See the [runbook](https://runbooks.example.com/api).")
"""

from __future__ import annotations

from typing import Any

import grafanalib.core as G

from . import args as A
from .charts import piechart
from .datasources import Datasource
from .layout import GridPos
from .query import Query
from .shared import KEYWORDS, Panel, Shared, defaults
from .shared import queries as _queries
from .shared import unit as _unit

STYLES = ("donut", "pie", "bars")


def breakdown(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    style: str = "donut",
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
    """Shares of a whole, one slice per series: `breakdown("By route", EXPR, unit="reqps", style="bars")`.

    `style` is "donut", "pie" (a piechart with its legend as a table on the right) or "bars" (a bar gauge
    scaled to the data)."""
    given = dict(locals())
    shared = Shared.of("breakdown", given)
    where = shared.where
    unit = _unit(unit, "breakdown", title)
    qs = _queries("breakdown", title, queries)
    A.choice(where, "style", style, STYLES)
    A.reducer(where, "reduce", reduce)
    if style != "bars":
        keywords = {k: v for k, v in given.items() if k in KEYWORDS and v is not None}
        return piechart(title, *qs, unit=unit, pie_type=style, reduce=reduce, legend="table",
                        legend_placement="right", legend_values=["percent"], **keywords)
    gauge = G.BarGauge(
        title=title,
        description=description,
        format=unit,
        calc=reduce,
        displayMode="gradient",
        min=None,  # grafanalib's 0-100 suits percentages only; let Grafana scale
        max=None,
        thresholds=[],
        maxDataPoints=None,
        extraJson=shared.extra({"fieldConfig": {"defaults": defaults(unit, None)}}),
    )
    return shared.panel(gauge, qs)


def logs(
    title: str,
    *queries: Query | str,
    description: str | None = None,
    wrap_lines: bool = True,
    transformations: list[Any] | None = None,
    links: list[Any] | None = None,
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
    """Log lines from LogQL queries: `logs("Errors", '{app="api"} |= "error"')`. Log panels have no unit."""
    shared = Shared.of("logs", locals())
    A.flag(shared.where, "wrap_lines", wrap_lines)
    panel = G.Logs(
        title=title,
        description=description,
        showTime=True,
        wrapLogMessages=wrap_lines,
        enableLogDetails=True,
        maxDataPoints=None,
        extraJson=shared.extra(),
    )
    return shared.panel(panel, _queries("logs", title, queries))


def text(
    title: str,
    content: str,
    *,
    mode: str = "markdown",
    description: str | None = None,
    links: list[Any] | None = None,
    repeat: str | None = None,
    repeat_direction: str = "h",
    max_per_row: int | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A note: `text("Runbook", "See [the runbook](https://...)")`; `mode="html"` for HTML.

    Text panels need no query and no unit. `mode` is "markdown", "html" or "code"."""
    shared = Shared.of("text", locals())
    A.text(shared.where, "the content (the second argument)", content, "'**Paging?** see the runbook'",
           optional=False)
    A.choice(shared.where, "mode", mode, ("markdown", "html", "code"))
    panel = G.Text(title=title, description=description, content=content, mode=mode, maxDataPoints=None,
                   extraJson=shared.extra())
    return shared.panel(panel)
