"""The SLO dashboard of one service, from its SLOs' views (alerts.slo.SLO.view(): plain data, since the SDK
imports nothing of alerts/).

    from _slos import SLOS
    SLO_API = slo_dashboard("api", [s.view() for s in SLOS], datasource=PROMETHEUS)

One row per SLO: its SLI against the objective, the error budget left over the SLO window, and its burn
rate over the windows of its page and of its ticket alerts, with the alerts' factors drawn as lines.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from . import units
from .dashboard import Dashboard, Link
from .datasources import Datasource
from .errors import DashboardError
from .panels import stat, timeseries
from .query import Query
from .shared import Panel
from .thresholds import thresholds

_KEYS = ("name", "description", "objective", "window", "titles", "sli", "sli_window", "objective_query", "budget",
         "burn", "thresholds")
_COLOURS = {"page": ("orange", "red"), "ticket": ("yellow", "orange")}
_LINES = {"fieldConfig": {"defaults": {"custom": {"thresholdsStyle": {"mode": "line+area"}}}}}


def _percent(fraction: float) -> str:
    """A ratio as the percentage it was written as: 0.9995 -> "99.95%" (not "100.0%"), 0.99 -> "99%"."""
    return repr(round(fraction * 100, 9)).removesuffix(".0") + "%"


def _burn_panel(view: Mapping[str, Any], kind: str) -> Panel:
    factors = sorted(view["thresholds"][kind])
    colours = _COLOURS[kind][-len(factors):] if len(factors) <= 2 else ("yellow", "orange", "red", "dark-red")
    steps = [(f, colours[i % len(colours)]) for i, f in enumerate(factors)]
    windows = ", ".join(view["burn"][kind])
    return timeseries(
        view["titles"][kind],
        *[Query(query, legend=window) for window, query in view["burn"][kind].items()],
        unit=units.NONE,
        min=0,
        thresholds=thresholds("green", *steps),
        extra_json=_LINES,
        description=(f"How many times faster than sustainable the error budget burns, over {windows}. "
                     f"The {kind} alerts fire when a long window and its short window both stay above "
                     f"{' or '.join(f'{f:g}' for f in factors)} (the lines); 1 spends the budget in exactly "
                     f"{view['window']}."),
    )


def slo_row_panels(view: Mapping[str, Any]) -> list[Panel]:
    """The panels of one SLO: SLI, error budget remaining, burn rates (page and ticket windows)."""
    missing = [k for k in _KEYS if k not in view]
    if missing:
        raise DashboardError(f"slo_dashboard: an SLO view lacks {', '.join(missing)}: pass SLO(...).view()")
    objective = view["objective"]
    panels = [
        timeseries(
            view["titles"]["sli"],
            Query(view["sli"], legend="SLI (5m)"),
            Query(view["sli_window"], legend=f"SLI ({view['window']})"),
            Query(view["objective_query"], legend="objective"),
            unit=units.PERCENT_UNIT,
            thresholds=thresholds("red", (objective, "green")),
            extra_json={"fieldConfig": {"defaults": {"custom": {"thresholdsStyle": {"mode": "dashed"}}}}},
            description=f"{view['description']} Over 5 minutes and over {view['window']}, against the "
                        f"objective of {_percent(objective)} (the dashed line).",
        ),
        stat(
            view["titles"]["budget"],
            Query(view["budget"], legend="budget left"),
            unit=units.PERCENT_UNIT,
            thresholds=thresholds("red", (0, "orange"), (0.25, "green")),
            description=f"Share of the error budget ({_percent(1 - objective)} of events over {view['window']}) not "
                        "yet spent: 100% untouched, 0 spent, below 0 overspent.",
        ),
    ]
    panels += [_burn_panel(view, kind) for kind in ("page", "ticket") if view["burn"][kind]]
    return panels


def slo_dashboard(
    service: str,
    slos: Iterable[Mapping[str, Any]],
    *,
    datasource: Datasource,
    uid: str | None = None,
    title: str | None = None,
    folder: str = "SLOs",
    tags: Iterable[str] = ("slo",),
    links: list[Link] | None = None,
) -> Dashboard:
    """The SLO dashboard of `service` (uid `slo-<service>`, where the SLOs' alerts link), one row per SLO:
    `slo_dashboard("api", [s.view() for s in SLOS], datasource=PROMETHEUS)`."""
    views = list(slos)
    if not views:
        raise DashboardError(f"slo_dashboard({service!r}): give at least one SLO view (SLO(...).view())")
    dashboard = Dashboard(
        title or f"SLOs: {service}",
        uid=uid or f"slo-{service}",
        folder=folder,
        tags=list(tags),
        description=f"Service level objectives of {service}: SLIs, error budgets and burn rates, from the "
                    "slo:* recording rules.",
        datasource=datasource,
        links=links or [],
        time=("now-7d", "now"),
        refresh="1m",
    )
    for view in views:
        dashboard.row(view["name"], *slo_row_panels(view))
    return dashboard
