"""One handler per kind of Grafana resource, in the order they are applied."""

from .base import ApplyOptions, Handler, KindPlan, PlanOptions
from .dashboards import DashboardHandler
from .datasources import DatasourceHandler
from .folders import FolderHandler
from .saved_queries import SavedQueryHandler

# Creates and updates go in this order (a dashboard needs its folder); deletes in reverse.
HANDLERS: tuple[Handler, ...] = (FolderHandler(), DatasourceHandler(), SavedQueryHandler(), DashboardHandler())

__all__ = ["HANDLERS", "ApplyOptions", "Handler", "KindPlan", "PlanOptions"]
