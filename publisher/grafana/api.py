"""Grafana's API areas that dash uses, one class each and one method per endpoint.

Every method goes through the transport's retry policy. grafana-client's
element methods are used where they send what Grafana reads; where they do
not (search paging, the versions list's query parameters, the Kubernetes-style
/apis), its public generic `GET/POST/PUT/DELETE` is called with the path.
"""

from __future__ import annotations

from typing import Any, Callable, Iterator

from .errors import GrafanaError
from .resources import ResourceAPI
from .resources import absent_on_404 as _absent_on_404
from .transport import APIS, Transport

SEARCH_PAGE = 5000  # Grafana's maximum page size (behaviour.md §2)


class SearchAPI:
    """GET /api/search, page after page."""

    def __init__(self, http: Transport) -> None:
        self.http = http

    def search(self, **filters: Any) -> list[dict[str, Any]]:
        hits: list[dict[str, Any]] = []
        page = 1
        while True:
            batch = self.http.call(
                f"search page {page}",
                lambda api: api.search.search_dashboards(limit=SEARCH_PAGE, page=page, **filters),
            )
            hits.extend(batch)
            if len(batch) < SEARCH_PAGE:
                return hits
            page += 1



class DashboardAPI:
    """/api/dashboards: get, save, delete, versions."""

    def __init__(self, http: Transport) -> None:
        self.http = http

    def get(self, uid: str) -> dict[str, Any] | None:
        """GET /api/dashboards/uid/{uid}: {dashboard, meta}, or None when absent."""
        return _absent_on_404(lambda: self.http.call(f"dashboard {uid!r}",
                                                     lambda api: api.dashboard.get_dashboard(uid)))

    def save(self, body: dict[str, Any], reconcile: Callable[[Any], Any] | None = None) -> dict[str, Any]:
        """POST /api/dashboards/db."""
        uid = body["dashboard"].get("uid")
        return self.http.call(f"save dashboard {uid!r}", lambda api: api.dashboard.update_dashboard(body),
                              write=True, reconcile=reconcile)

    def delete(self, uid: str) -> None:
        """DELETE /api/dashboards/uid/{uid}; already gone (a retried delete that landed) is success."""
        _absent_on_404(lambda: self.http.call(f"delete dashboard {uid!r}",
                                              lambda api: api.dashboard.delete_dashboard(uid), write=True))

    def versions(self, uid: str, limit: int = 20, start: int = 0) -> list[dict[str, Any]]:
        """GET /api/dashboards/uid/{uid}/versions, newest first (grafana-client sends limit/start as a body)."""
        answer = self.http.call(
            f"versions of dashboard {uid!r}",
            lambda api: api.client.GET(f"/dashboards/uid/{uid}/versions", params={"limit": limit, "start": start}),
        )
        if isinstance(answer, dict):  # Grafana >= 11.6: {"continueToken", "versions"}
            return list(answer.get("versions") or [])
        return list(answer or [])

    def history(self, uid: str, page: int = 20) -> Iterator[dict[str, Any]]:
        """Every version, newest first, page after page (as the list shows them: see `version`)."""
        start = 0
        while True:
            batch = self.versions(uid, limit=page, start=start)
            yield from batch
            if len(batch) < page:
                return
            start += page

    def version(self, uid: str, version: int) -> dict[str, Any] | None:
        """GET /api/dashboards/uid/{uid}/versions/{n}: one version, with its message as saved (the list
        rewrites some: GetDashboardVersions in pkg/api/dashboard.go)."""
        return _absent_on_404(lambda: self.http.call(
            f"version {version} of dashboard {uid!r}",
            lambda api: api.client.GET(f"/dashboards/uid/{uid}/versions/{version}")))

    def revisions(self, uid: str) -> Iterator[dict[str, Any]]:
        """Every version for `dash rollback`, newest first, as the list shows them: {version, message, created,
        parentVersion, restoredFrom}, without data (`version` reads one with its data and its message as saved)."""
        return self.history(uid)

    def restore(self, uid: str, version: int) -> dict[str, Any]:
        """POST /api/dashboards/uid/{uid}/restore {"version": N}: version N's data saved as a new version (current
        + 1) in the dashboard's current folder, with the message "Restored from version N"; 404 for an unknown
        version, 400 when it is identical to the current one (RestoreDashboardVersion in pkg/api/dashboard.go,
        dashverimpl RestoreVersion)."""
        return self.http.call(f"restore version {version} of dashboard {uid!r}",
                              lambda api: api.client.POST(f"/dashboards/uid/{uid}/restore", json={"version": version}),
                              write=True)


class FolderAPI:
    """/api/folders: get, create, update, move, delete."""

    def __init__(self, http: Transport) -> None:
        self.http = http

    def get(self, uid: str) -> dict[str, Any] | None:
        return _absent_on_404(lambda: self.http.call(f"folder {uid!r}", lambda api: api.folder.get_folder(uid)))

    def create(self, title: str, uid: str, parent_uid: str, reconcile: Callable[[Any], Any]) -> dict[str, Any]:
        return self.http.call(
            f"create folder {title!r}",
            lambda api: api.folder.create_folder(title, uid=uid, parent_uid=parent_uid or None),
            write=True, reconcile=reconcile)

    def update(self, uid: str, title: str, version: int, overwrite: bool) -> dict[str, Any]:
        return self.http.call(f"rename folder {uid!r}", lambda api: api.folder.update_folder(
            uid, title=title, version=version, overwrite=overwrite), write=True)

    def move(self, uid: str, parent_uid: str) -> dict[str, Any]:
        return self.http.call(f"move folder {uid!r}", lambda api: api.folder.move_folder(uid, parent_uid), write=True)

    def delete(self, uid: str) -> None:
        _absent_on_404(lambda: self.http.call(f"delete folder {uid!r}", lambda api: api.folder.delete_folder(uid),
                                              write=True))


class DatasourceAPI:
    """/api/datasources: get, list, create, update, delete, by uid."""

    def __init__(self, http: Transport) -> None:
        self.http = http

    def get(self, uid: str) -> dict[str, Any] | None:
        return _absent_on_404(lambda: self.http.call(f"datasource {uid!r}",
                                                     lambda api: api.datasource.get_datasource_by_uid(uid)))

    def list(self) -> list[dict[str, Any]]:
        return self.http.call("list datasources", lambda api: api.datasource.list_datasources())

    def create(self, body: dict[str, Any], reconcile: Callable[[Any], Any]) -> dict[str, Any]:
        return self.http.call(f"create datasource {body['name']!r}",
                              lambda api: api.datasource.create_datasource(body), write=True, reconcile=reconcile)

    def update(self, uid: str, body: dict[str, Any], reconcile: Callable[[Any], Any]) -> dict[str, Any]:
        return self.http.call(f"update datasource {body['name']!r}",
                              lambda api: api.datasource.update_datasource_by_uid(uid, body), write=True,
                              reconcile=reconcile)

    def delete(self, uid: str) -> None:
        _absent_on_404(lambda: self.http.call(f"delete datasource {uid!r}",
                                              lambda api: api.datasource.delete_datasource_by_uid(uid), write=True))


class InstanceAPI:
    """GET /api/health: the version, and whether this URL is a Grafana at all."""

    def __init__(self, http: Transport) -> None:
        self.http = http

    def health(self) -> dict[str, Any]:
        try:
            answer = self.http.call("health check", lambda api: api.client.GET("/health"))
        except GrafanaError as exc:
            if exc.status == 404:
                raise GrafanaError(
                    f"no Grafana answers at {self.http.base} (env {self.http.env.name}): GET api/health is 404; "
                    "check the url, and its sub-path when Grafana is behind a proxy (https://host/grafana)",
                    404, exc.body) from None
            raise
        if not isinstance(answer, dict) or "version" not in answer:
            raise GrafanaError(f"{self.http.base} (env {self.http.env.name}) answered api/health without a "
                               "version: is this Grafana? check the url and its sub-path")
        return answer


class AppsAPI:
    """GET /apis: the Kubernetes-style API groups and versions the server serves (an APIGroupList)."""

    def __init__(self, http: Transport) -> None:
        self.http = http

    def groups(self) -> dict[str, tuple[str, ...]]:
        """API group -> served versions, preferred first; empty where /apis is absent or hidden."""
        try:
            answer = self.http.call("API discovery (/apis)", lambda api: api.client.GET(APIS))
        except GrafanaError as exc:
            if exc.status in (404, 403):  # absent, or not exposed to this token
                return {}
            raise
        out: dict[str, tuple[str, ...]] = {}
        for group in (answer or {}).get("groups") or [] if isinstance(answer, dict) else []:
            versions = [v.get("version") for v in group.get("versions") or [] if v.get("version")]
            preferred = (group.get("preferredVersion") or {}).get("version")
            ordered = ([preferred] if preferred in versions else []) + [v for v in versions if v != preferred]
            out[group.get("name") or ""] = tuple(ordered)
        return out


class QueryLibraryAPI(ResourceAPI):
    """/apis/queries.grafana.app/v1/namespaces/{ns}/queries (Grafana Enterprise and Cloud)."""

    GROUP_VERSION = "queries.grafana.app/v1"

    def __init__(self, http: Transport, namespace: str) -> None:
        super().__init__(http, self.GROUP_VERSION, "queries", namespace, "saved query")
