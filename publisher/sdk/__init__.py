"""The dash authoring SDK: dashboards as readable Python on top of grafanalib.

Import what a dashboard file needs from here:

    from publisher.sdk import Dashboard, Link, Query, rate, ratio, quantile, stat, gauge, units
"""

from . import units
from .dashboard import Dashboard, Link
from .datasources import Datasource
from .errors import AngularPanelError, DashboardError
from .layout import GridPos
from .log_queries import LogQuery, saved_queries_dashboard
from .panels import Panel, breakdown, gauge, heatmap, logs, stat, text, timeseries
from .promql_panels import histogram_heatmap, quantile, rate, ratio
from .query import Query
from .thresholds import Thresholds, high_is_bad, low_is_bad, thresholds
from .variables import custom, datasource_variable, label_values

__all__ = [
    "AngularPanelError", "Dashboard", "DashboardError", "Datasource", "GridPos", "Link", "LogQuery", "Panel", "Query",
    "Thresholds", "breakdown", "custom", "datasource_variable", "gauge", "heatmap", "high_is_bad",
    "histogram_heatmap", "label_values", "logs", "low_is_bad", "quantile", "rate", "ratio", "saved_queries_dashboard",
    "stat", "text", "thresholds", "timeseries", "units",
]
