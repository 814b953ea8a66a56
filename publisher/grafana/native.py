"""Dashboards and folders through Grafana 12/13's /apis (dashboard.grafana.app, folder.grafana.app).

Each class has the methods of its legacy counterpart in api.py and answers in
the legacy shapes (`{dashboard, meta}`, a folder DTO), so that one handler
holds the semantics (drift, ownership, prune) for both paths. What differs is
on the wire (tests/grafana_emulator/README.md cites the source of each rule):
- `metadata.name` is the uid; the spec is the dashboard JSON without id, uid
  and version; `metadata.generation` is the legacy version; the folder and the
  version message are the annotations `grafana.app/folder` and `grafana.app/message`
  (pkg/apimachinery/utils/meta.go);
- an update carries the `resourceVersion` dash read, and a stale one is 409
  Conflict; `--force` sends none (an unconditional update);
- history is a LIST with `labelSelector=grafana.app/get-history=true` and the
  name as field selector, newest first, with messages as saved (no rewrite);
- one paged LIST reads every dashboard with its spec, so a plan costs
  O(N / page) requests: `get` answers from it once per uid, then reads again.
"""

from __future__ import annotations

import threading
from typing import Any, Callable, Iterator

from .resources import ResourceAPI
from .transport import Transport

FOLDER = "grafana.app/folder"
MESSAGE = "grafana.app/message"
CREATED_BY, UPDATED_BY, UPDATED_AT = "grafana.app/createdBy", "grafana.app/updatedBy", "grafana.app/updatedTimestamp"
# Who manages the object, as Grafana's UI shows it. `kubectl` is the kind for a generic API client (Grafana's own
# CLI uses it); `repo` would hand the object to Git Sync, which refuses anyone else (apistore/managed.go).
MANAGED_BY, MANAGER_ID = "grafana.app/managedBy", "grafana.app/managerId"
ALLOWS_EDITS = "grafana.app/managerAllowsEdits"
SOURCE_PATH = "grafana.app/sourcePath"
HISTORY = "grafana.app/get-history=true"
HISTORY_PAGE = 20


def manager_annotations(project: str, source: str | None = None) -> dict[str, str]:
    """dash, and which project, as the manager; edits in the UI stay allowed (dash reports them as drift)."""
    out = {MANAGED_BY: "kubectl", MANAGER_ID: f"dash/{project}", ALLOWS_EDITS: "true"}
    if source:
        out[SOURCE_PATH] = source
    return out


def _annotations(obj: dict[str, Any]) -> dict[str, str]:
    return (obj.get("metadata") or {}).get("annotations") or {}


def _stored_as_v2(obj: dict[str, Any]) -> bool:
    conversion = (obj.get("status") or {}).get("conversion") or {}
    return str(conversion.get("storedVersion") or "").startswith("v2")


class ListedOnce:
    """A resource read by one paged LIST per run: each object's first `get` answers from it, later ones GET.

    The first answer is the plan's bulk read; a second `get` of the same name
    (a check before a write) must see what is in Grafana now.
    """

    def __init__(self, resource: ResourceAPI) -> None:
        self.resource = resource
        self._all: list[dict[str, Any]] | None = None
        self._unread: dict[str, dict[str, Any]] = {}  # what get() has not yet answered from the LIST
        self._asked: set[str] = set()
        self._lock = threading.Lock()

    def listed(self) -> list[dict[str, Any]]:
        """Every object, by name; the LIST is made on the first call (and shared by every thread)."""
        with self._lock:
            if self._all is None:
                self._all = sorted(self.resource.list(), key=lambda o: o["metadata"]["name"])
                self._unread = {o["metadata"]["name"]: o for o in self._all}
            return self._all

    def get(self, name: str) -> dict[str, Any] | None:
        self.listed()
        with self._lock:
            first = name not in self._asked
            self._asked.add(name)
            obj = self._unread.pop(name, None) if first else None
        return obj if first else self.resource.get(name)


class NativeDashboardAPI:
    """dashboard.grafana.app: get, save, delete, history, list; in DashboardAPI's shapes."""

    def __init__(self, http: Transport, version: str, namespace: str) -> None:
        self.resource = ResourceAPI(http, f"dashboard.grafana.app/{version}", "dashboards", namespace, "dashboard")
        self._reads = ListedOnce(self.resource)
        self.manager: dict[str, str] = {}  # annotations every write carries (set by the target)

    def prefetch(self) -> None:
        """Make the run's LIST now (while the project loads), so that the plan only reads memory."""
        self._reads.listed()

    def everything(self) -> list[dict[str, Any]]:
        """Every dashboard in the namespace, in the legacy shape, from the one LIST."""
        return [self._legacy(o) for o in self._reads.listed()]

    def get(self, uid: str) -> dict[str, Any] | None:
        """{dashboard, meta}, or None: the first time from the LIST (the plan's bulk read), then by a GET."""
        obj = self._reads.get(uid)
        return self._legacy(obj) if obj is not None else None

    def _legacy(self, obj: dict[str, Any]) -> dict[str, Any]:
        meta, notes = obj.get("metadata") or {}, _annotations(obj)
        data = {**(obj.get("spec") or {}), "uid": meta.get("name"), "version": meta.get("generation")}
        return {"dashboard": data, "meta": {
            "folderUid": notes.get(FOLDER, ""), "folderTitle": notes.get(FOLDER, "") or "General",
            "updatedBy": notes.get(UPDATED_BY) or notes.get(CREATED_BY, ""),
            "updated": notes.get(UPDATED_AT) or meta.get("creationTimestamp", ""),
            "version": meta.get("generation"), "resourceVersion": meta.get("resourceVersion"),
            "storedAsV2": _stored_as_v2(obj)}}

    def save(self, body: dict[str, Any], reconcile: Callable[[Any], Any] | None = None) -> dict[str, Any]:
        """The legacy save body as a create (no version) or an update (conditional on `resourceVersion`)."""
        dashboard = dict(body["dashboard"])
        uid, updating = dashboard.pop("uid"), "version" in dashboard
        dashboard.pop("version", None)
        annotations = {**self.manager, MESSAGE: body.get("message") or ""}
        if body.get("folderUid"):
            annotations[FOLDER] = body["folderUid"]
        metadata: dict[str, Any] = {"name": uid, "annotations": annotations}
        if updating and not body.get("overwrite") and body.get("resourceVersion"):
            metadata["resourceVersion"] = body["resourceVersion"]
        obj = {"apiVersion": self.resource.group_version, "kind": "Dashboard", "metadata": metadata,
               "spec": dashboard}
        saved = self.resource.update(obj, reconcile) if updating else self.resource.create(obj, reconcile)
        return {"uid": uid, "version": (saved.get("metadata") or {}).get("generation")}

    def delete(self, uid: str) -> None:
        self.resource.delete(uid)

    def version(self, uid: str, version: int) -> dict[str, Any] | None:
        """One version's {version, message}, from the history (whose messages are as saved)."""
        return next((v for v in self.history(uid) if v["version"] == version), None)

    def history(self, uid: str) -> Iterator[dict[str, Any]]:
        """Versions newest first as {version, message}, each message as saved."""
        for page in self.resource.pages(labelSelector=HISTORY, fieldSelector=f"metadata.name={uid}",
                                        limit=HISTORY_PAGE):
            for obj in page:
                yield {"version": (obj.get("metadata") or {}).get("generation"),
                       "message": _annotations(obj).get(MESSAGE, "")}

    def revisions(self, uid: str) -> Iterator[dict[str, Any]]:
        """Every version for `dash rollback`, newest first, in the legacy version shape: {version, message,
        created, data}, from the same history LIST (pkg/services/dashboardversion/dashverimpl: "list all versions
        and filter", labelSelector grafana.app/get-history=true, fieldSelector metadata.name=<uid>). Restoring is
        a save of `data` ("restore a dashboard by reading it from history, then creating it again",
        RestoreDashboardVersion in pkg/api/dashboard.go)."""
        for page in self.resource.pages(labelSelector=HISTORY, fieldSelector=f"metadata.name={uid}",
                                        limit=HISTORY_PAGE):
            for obj in page:
                meta, notes = obj.get("metadata") or {}, _annotations(obj)
                yield {"version": meta.get("generation"), "message": notes.get(MESSAGE, ""),
                       "created": notes.get(UPDATED_AT) or meta.get("creationTimestamp", ""),
                       "data": {**(obj.get("spec") or {}), "uid": meta.get("name"), "version": meta.get("generation")}}


class NativeFolderAPI:
    """folder.grafana.app: get, create, update, move, delete; in FolderAPI's shapes."""

    def __init__(self, http: Transport, version: str, namespace: str) -> None:
        self.resource = ResourceAPI(http, f"folder.grafana.app/{version}", "folders", namespace, "folder")
        self._reads = ListedOnce(self.resource)
        self.manager: dict[str, str] = {}

    @staticmethod
    def _legacy(obj: dict[str, Any]) -> dict[str, Any]:
        meta = obj.get("metadata") or {}
        return {"uid": meta.get("name"), "title": (obj.get("spec") or {}).get("title") or "",
                "parentUid": _annotations(obj).get(FOLDER, ""), "version": meta.get("generation")}

    def get(self, uid: str) -> dict[str, Any] | None:
        """A folder DTO, or None: the first time from the LIST (the plan's bulk read), then by a GET."""
        obj = self._reads.get(uid)
        return self._legacy(obj) if obj is not None else None

    def prefetch(self) -> None:
        self._reads.listed()

    def create(self, title: str, uid: str, parent_uid: str, reconcile: Callable[[Any], Any]) -> dict[str, Any]:
        annotations = {**self.manager, **({FOLDER: parent_uid} if parent_uid else {})}
        obj = {"apiVersion": self.resource.group_version, "kind": "Folder",
               "metadata": {"name": uid, "annotations": annotations}, "spec": {"title": title}}
        return self._legacy(self.resource.create(obj, reconcile))

    def _change(self, uid: str, change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
        """Read, change, write back conditionally on what was read (409 if it moved on meanwhile)."""
        obj = self.resource.get(uid)
        if obj is None:
            from .errors import GrafanaError

            raise GrafanaError(f"folder {uid!r} is gone from Grafana", 404)
        obj["metadata"]["annotations"] = {**_annotations(obj), **self.manager}
        change(obj)
        return self._legacy(self.resource.update(obj))

    def update(self, uid: str, title: str, version: int, overwrite: bool) -> dict[str, Any]:
        return self._change(uid, lambda obj: obj["spec"].__setitem__("title", title))

    def move(self, uid: str, parent_uid: str) -> dict[str, Any]:
        def move(obj: dict[str, Any]) -> None:
            annotations = obj["metadata"]["annotations"]
            annotations.pop(FOLDER, None)
            if parent_uid:
                annotations[FOLDER] = parent_uid
        return self._change(uid, move)

    def delete(self, uid: str) -> None:
        self.resource.delete(uid)
