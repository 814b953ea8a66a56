"""A Grafana server as a target: its API classes, the handlers over them, and what it offers."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

import attrs

from ..desired import TargetTraits
from ..grafana import AuthRejected, GrafanaError, Unreachable
from ..grafana.api import AppsAPI, DashboardAPI, DatasourceAPI, FolderAPI, InstanceAPI, QueryLibraryAPI, SearchAPI
from ..grafana.native import NativeDashboardAPI, NativeFolderAPI, manager_annotations
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


NATIVE_VERSIONS = ("v1", "v1beta1")
NATIVE_GROUPS = ("dashboard.grafana.app", "folder.grafana.app")


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

    def native(self, group: str) -> str | None:
        """The version of `group` dash speaks: v1 where served, else v1beta1 (v2 is another schema, and the
        alphas change without notice); None when neither is served, which means the legacy /api."""
        served = self.groups.get(group) or ()
        return next((v for v in NATIVE_VERSIONS if v in served), None)

    def lines(self) -> list[str]:
        groups = {g: self.preferred(g) for g in ("dashboard.grafana.app", "folder.grafana.app", "queries.grafana.app")}
        return [f"Grafana {self.version}, namespace {self.namespace}",
                *(f"{g}: {v or 'not served'}" for g, v in groups.items()),
                f"saved queries: {'query library' if self.query_library else 'a dashboard (no query library)'}"]


def _quietly(fn: Callable[[], None]) -> Callable[[], None]:
    def run() -> None:
        try:
            fn()
        except Exception:  # noqa: BLE001 - the plan reads again and reports it with its context
            pass
    return run


def choose_api(env: "Environment", caps: Capabilities) -> str:
    """"apis" or "legacy": what the probe found, unless dash.yaml's `api:` says otherwise."""
    served = all(caps.native(group) for group in NATIVE_GROUPS)
    if env.api == "apis" and not served:
        raise GrafanaError(f"{env.source}: environments.{env.name}.api: apis, but Grafana {caps.version} at {env.url} "
                           "serves no v1 or v1beta1 of dashboard.grafana.app and folder.grafana.app (GET /apis); "
                           "use api: auto or api: legacy")
    if env.api == "legacy":
        return "legacy"
    return "apis" if served else "legacy"


def probe(http: Transport) -> Capabilities:
    """The version and the API groups; an HTTP error names the server and the env (the first request of a run)."""
    try:
        health = InstanceAPI(http).health()
        groups = AppsAPI(http).groups()
    except GrafanaError as exc:
        if isinstance(exc, (Unreachable, AuthRejected)) or str(http.base) in str(exc):
            raise
        raise GrafanaError(f"{http.base} (env {http.env.name}): {exc}", exc.status, exc.body) from None
    return Capabilities(str(health.get("version")), groups, http.env.namespace or namespace(http.env.org_id))


class ServerTarget:
    def __init__(self, env: "Environment", transport: Transport | None = None, project: str = "dash") -> None:
        self.env = env
        self.project = project  # named as the manager of what dash writes through /apis
        self.http = transport or Transport(env)
        self.description = f"{self.http.base} (org {env.org_id})"
        self.reads, self.writes = env.reads, env.writes
        self.capabilities = probe(self.http)
        self.traits = TargetTraits(files=False, query_library=self.capabilities.query_library)
        search = SearchAPI(self.http)
        library = QueryLibraryAPI(self.http, self.capabilities.namespace) if self.traits.query_library else None
        dashboards, folders, managed = self._dashboard_and_folder_apis(search)
        self.search, self.dashboards = search, dashboards  # for reads beside the plan (dash import, dash pull)
        # One set for plan and apply: a folder's delete rechecks against what the plan wanted.
        self._handlers = [FolderHandler(folders, search), DatasourceHandler(DatasourceAPI(self.http)),
                          SavedQueryHandler(library), DashboardHandler(dashboards, managed)]

    def _dashboard_and_folder_apis(self, search: SearchAPI) -> tuple[Any, Any, Any]:
        """The legacy /api, or /apis where the probe found dashboard.grafana.app and folder.grafana.app (or
        where dash.yaml's `api:` forces a path); and how the dashboards dash manages are listed."""
        self.api_path = choose_api(self.env, self.capabilities)
        self._native_dashboards = self._native_folders = None
        if self.api_path == "legacy":
            return (DashboardAPI(self.http), FolderAPI(self.http),
                    lambda tags: search.search(tag=tags, type_="dash-db"))
        caps, ns = self.capabilities, self.capabilities.namespace
        dashboards = NativeDashboardAPI(self.http, caps.native("dashboard.grafana.app") or "v1beta1", ns)
        folders = NativeFolderAPI(self.http, caps.native("folder.grafana.app") or "v1beta1", ns)
        dashboards.manager = folders.manager = manager_annotations(self.project)
        self._native_dashboards, self._native_folders = dashboards, folders

        def managed(tags: list[str]) -> list[dict[str, Any]]:
            # The LIST is read by Grafana's storage, not its search index: it holds what was just written.
            return [{"uid": d["dashboard"]["uid"], "title": d["dashboard"].get("title"),
                     "folderUid": d["meta"]["folderUid"], "tags": d["dashboard"].get("tags") or []}
                    for d in dashboards.everything() if set(tags) <= set(d["dashboard"].get("tags") or [])]
        return dashboards, folders, managed

    def handlers(self) -> list[Any]:
        return self._handlers

    def prefetch(self) -> None:
        """The plan's bulk reads made ahead (the /apis LISTs), while the caller does other work; a failure here
        is left for the plan's own read to report."""
        apis = [api for api in (self._native_dashboards, self._native_folders) if api is not None]
        threads = [threading.Thread(target=_quietly(api.prefetch), daemon=True) for api in apis]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def finish(self, plan: "Plan") -> None:
        return None

    def close(self) -> None:
        return None
