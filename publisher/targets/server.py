"""A Grafana server as a target: its API classes, the handlers over them, and what it offers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import attrs

from ..desired import TargetTraits
from ..grafana.api import AppsAPI, DashboardAPI, DatasourceAPI, FolderAPI, InstanceAPI, QueryLibraryAPI, SearchAPI
from ..grafana.transport import Transport
from ..handlers.dashboards import DashboardHandler
from ..handlers.datasources import DatasourceHandler
from ..handlers.folders import FolderHandler
from ..handlers.saved_queries import SavedQueryHandler

if TYPE_CHECKING:
    from ..config import Environment
    from ..model import Plan


def namespace(org_id: int) -> str:
    """The /apis namespace of an org on-prem: "default" for org 1, else "org-<id>" (Cloud: `namespace:`)."""
    return "default" if org_id == 1 else f"org-{org_id}"


@attrs.frozen
class Capabilities:
    """What one probe found, once per environment and run: code paths are chosen from it."""

    version: str
    groups: dict[str, tuple[str, ...]]  # API group -> versions, preferred first
    namespace: str

    @property
    def query_library(self) -> bool:
        return "v1" in self.groups.get("queries.grafana.app", ())

    def preferred(self, group: str) -> str | None:
        versions = self.groups.get(group) or ()
        return versions[0] if versions else None

    def lines(self) -> list[str]:
        groups = {g: self.preferred(g) for g in ("dashboard.grafana.app", "folder.grafana.app", "queries.grafana.app")}
        return [f"Grafana {self.version}, namespace {self.namespace}",
                *(f"{g}: {v or 'not served'}" for g, v in groups.items()),
                f"saved queries: {'query library' if self.query_library else 'a dashboard (no query library)'}"]


def probe(http: Transport) -> Capabilities:
    health = InstanceAPI(http).health()
    return Capabilities(str(health.get("version")), AppsAPI(http).groups(),
                        http.env.namespace or namespace(http.env.org_id))


class ServerTarget:
    def __init__(self, env: "Environment", transport: Transport | None = None) -> None:
        self.env = env
        self.http = transport or Transport(env)
        self.description = f"{self.http.base} (org {env.org_id})"
        self.reads, self.writes = env.reads, env.writes
        self.capabilities = probe(self.http)
        self.traits = TargetTraits(files=False, query_library=self.capabilities.query_library)
        search = SearchAPI(self.http)
        library = QueryLibraryAPI(self.http, self.capabilities.namespace) if self.traits.query_library else None
        # One set for plan and apply: a folder's delete rechecks against what the plan wanted.
        self._handlers = [FolderHandler(FolderAPI(self.http), search), DatasourceHandler(DatasourceAPI(self.http)),
                          SavedQueryHandler(library), DashboardHandler(DashboardAPI(self.http), search)]

    def handlers(self) -> list[Any]:
        return self._handlers

    def finish(self, plan: "Plan") -> None:
        return None

    def close(self) -> None:
        return None
