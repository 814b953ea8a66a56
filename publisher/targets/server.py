"""A Grafana server as a target: its API classes, the handlers over them, and what it offers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..desired import QUERY_LIBRARY, TargetTraits
from ..grafana.api import AppsAPI, DashboardAPI, DatasourceAPI, FolderAPI, QueryLibraryAPI, SearchAPI
from ..grafana.transport import Transport
from ..handlers.dashboards import DashboardHandler
from ..handlers.datasources import DatasourceHandler
from ..handlers.folders import FolderHandler
from ..handlers.saved_queries import SavedQueryHandler

if TYPE_CHECKING:
    from ..config import Environment
    from ..model import Plan


def namespace(org_id: int) -> str:
    """The /apis namespace of an org on-prem: "default" for org 1, else "org-<id>"."""
    return "default" if org_id == 1 else f"org-{org_id}"


class ServerTarget:
    def __init__(self, env: "Environment", transport: Transport | None = None) -> None:
        self.env = env
        self.http = transport or Transport(env)
        self.description = f"{self.http.base} (org {env.org_id})"
        self.reads, self.writes = env.reads, env.writes
        self._library = AppsAPI(self.http).serves(QUERY_LIBRARY)  # the one capability the plan needs today
        self.traits = TargetTraits(files=False, query_library=self._library)
        search = SearchAPI(self.http)
        library = QueryLibraryAPI(self.http, namespace(env.org_id)) if self._library else None
        # One set for plan and apply: a folder's delete rechecks against what the plan wanted.
        self._handlers = [FolderHandler(FolderAPI(self.http), search), DatasourceHandler(DatasourceAPI(self.http)),
                          SavedQueryHandler(library), DashboardHandler(DashboardAPI(self.http), search)]

    def handlers(self) -> list[Any]:
        return self._handlers

    def finish(self, plan: "Plan") -> None:
        return None

    def close(self) -> None:
        return None
