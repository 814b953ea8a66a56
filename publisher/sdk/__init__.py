"""The dash authoring SDK: dashboards as readable Python on top of grafanalib.

    from publisher.sdk import Dashboard, Datasource, rate, ratio, stat, units
    PROM = Datasource("Prometheus", "prometheus", uid="prometheus")
    api = Dashboard("API", uid="api", datasource=PROM)
    api.row("Traffic", rate("Requests", "http_requests_total", by="route"), stat("Up", "avg(up)", unit="percentunit"))

Dashboards: Dashboard (title, uid, folder, tags, variables, links), Link (a header link),
  Datasource (declared once, referred to by uid), Query (an expression with its legend).
Panels: timeseries, stat, gauge, heatmap, breakdown (shares), bargauge, state_timeline,
  barchart, piechart, table (with Column), logs, text (markdown or html); each returns a Panel.
PromQL panels: rate, ratio, quantile, histogram_heatmap (the query written for you).
Every panel helper also takes: description, mappings, overrides, transformations, links,
  data_links, repeat, repeat_direction, max_per_row, datasource, extra_json, width,
  weight, height, grid (see publisher.sdk.shared).
Value mappings: value_map, ValueMap, RangeMap, RegexMap, SpecialMap.
Overrides: Override (by_name, by_regex, by_query, by_type).
Transformations: organize, merge, reduce, filter_by_name, join_by_field, sort_by,
  calculate_field, Transformation (any other, by id).
Links: link (panel header), data_link (on each value).
Thresholds: thresholds, high_is_bad, low_is_bad, Thresholds; units (unit ids: units.PERCENT...).
Variables: label_values, custom, datasource_variable.
Verbatim Grafana JSON: panel, library_panel, GrafanaPanel; GridPos (a fixed position).
Saved log queries: LogQuery, saved_queries_dashboard; grafana.com dashboards: GrafanaCom.
SLOs: slo_dashboard (a service's SLO dashboard, from alerts.slo.SLO(...).view()).
Errors: DashboardError (with the file and line of the call), AngularPanelError.

docs/sdk.md has every keyword with its type and default (`python -m publisher.sdk.reference`).
Names are imported on first use (PEP 562), so that code which needs only a Datasource or a
LogQuery (a cached load: publisher/module_cache.py) does not pay for grafanalib.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_WHERE = {
    "units": "", "Dashboard": "dashboard", "Link": "dashboard", "Datasource": "datasources",
    "AngularPanelError": "errors", "DashboardError": "errors", "GridPos": "layout", "LogQuery": "log_queries",
    "GrafanaCom": "grafana_com",
    "saved_queries_dashboard": "log_queries", "Panel": "shared", "breakdown": "panels_more", "gauge": "panels",
    "heatmap": "panels", "logs": "panels_more", "stat": "panels", "text": "panels_more", "timeseries": "panels",
    "histogram_heatmap": "promql_panels", "quantile": "promql_panels", "rate": "promql_panels",
    "ratio": "promql_panels", "Query": "query", "GrafanaPanel": "raw", "library_panel": "raw", "panel": "raw",
    "Thresholds": "thresholds", "high_is_bad": "thresholds",
    "low_is_bad": "thresholds", "thresholds": "thresholds", "custom": "variables",
    "datasource_variable": "variables", "label_values": "variables",
    "bargauge": "charts", "state_timeline": "charts", "barchart": "charts", "piechart": "charts",
    "table": "table", "Column": "table",
    "ValueMap": "mappings", "RangeMap": "mappings", "RegexMap": "mappings", "SpecialMap": "mappings",
    "value_map": "mappings", "Override": "overrides",
    "Transformation": "transformations", "organize": "transformations", "merge": "transformations",
    "reduce": "transformations", "filter_by_name": "transformations", "join_by_field": "transformations",
    "sort_by": "transformations", "calculate_field": "transformations",
    "link": "links", "data_link": "links",
    "slo_dashboard": "slo_dashboard",
}
__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{where or name}")
    if not where:
        globals()[name] = module
        return module
    # Every name from that submodule at once: importing `thresholds` bound the submodule to the package's
    # `thresholds`, which must be the function.
    globals().update({n: getattr(module, n) for n, w in _WHERE.items() if w == where})
    # The same for a name whose submodule this import loaded on the way (`dashboard` imports `thresholds`): else
    # `from publisher.sdk import Dashboard, thresholds` would give the module, not the function.
    for n, w in _WHERE.items():
        loaded = sys.modules.get(f"{__name__}.{w}") if w else None
        if loaded is not None and isinstance(globals().get(n), types.ModuleType):
            globals()[n] = getattr(loaded, n)
    return globals()[name]


def __dir__() -> list[str]:
    """The package's own names, not the lazy ones (those are `__all__`): pydoc documents every member `dir()`
    lists and `__all__` names, which made `help(publisher.sdk)` 1,600 lines of attrs methods; it shows the
    grouped list above instead, and `help(publisher.sdk.stat)` the helper."""
    return sorted(n for n in globals() if n not in _WHERE)
