"""The dash authoring SDK: dashboards as readable Python on top of grafanalib.

Import what a dashboard file needs from here:

    from publisher.sdk import Dashboard, Link, Query, rate, ratio, quantile, stat, gauge, units

Names are imported on first use (PEP 562), so that code which needs only a
Datasource or a LogQuery (a cached load: publisher/module_cache.py) does not
pay for grafanalib.
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
    "saved_queries_dashboard": "log_queries", "Panel": "panels", "breakdown": "panels", "gauge": "panels",
    "heatmap": "panels", "logs": "panels", "stat": "panels", "text": "panels", "timeseries": "panels",
    "histogram_heatmap": "promql_panels", "quantile": "promql_panels", "rate": "promql_panels",
    "ratio": "promql_panels", "Query": "query", "GrafanaPanel": "raw", "library_panel": "raw", "panel": "raw",
    "Thresholds": "thresholds", "high_is_bad": "thresholds",
    "low_is_bad": "thresholds", "thresholds": "thresholds", "custom": "variables",
    "datasource_variable": "variables", "label_values": "variables",
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
    return __all__
