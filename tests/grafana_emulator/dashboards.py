"""Dashboards and their versions (behaviour.md §1): the rules, and the /api/dashboards endpoints."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from . import kube
from .model import UID_CHARS, DashboardVersion, Org, StoredDashboard, User, clone, err, new_uid, now, slugify
from .modes import Mode

if TYPE_CHECKING:
    from .server import Emulator

Answer = tuple[int, Any]


def _invalid_dashboard(dash: dict[str, Any], title: str) -> Answer | None:
    """The title, tag and uid checks of a save (behaviour.md §1.3)."""
    if not title:
        return 400, err("Dashboard title cannot be empty", "empty-name")
    if len(title.encode()) > 5000:
        return 400, err("Dashboard title cannot contain more than 5 000 characters", "title-too-long")
    for tag in dash.get("tags") or []:
        if isinstance(tag, str) and len(tag.encode()) > 50:
            return 400, err("dashboard tag too long, max 50 characters", "tag-too-long")
    uid = dash.get("uid") or ""
    if not isinstance(uid, str) or not UID_CHARS.match(uid):
        return 400, err("uid contains illegal characters")
    if len(uid) > 40:
        return 400, err("uid too long, max 40 characters")
    return None


def _target_folder(org: Org, body: dict[str, Any]) -> tuple[str, Answer | None]:
    """The folder a save goes to: folderUid wins over the deprecated folderId; "" is the root."""
    folder_uid = body.get("folderUid")
    if folder_uid is None and body.get("folderId"):
        by_id = [f for f in org.folders.values() if f.id == body["folderId"]]
        if not by_id:
            return "", (400, err("folder not found"))
        folder_uid = by_id[0].uid
    folder_uid = folder_uid or ""
    if folder_uid and folder_uid not in org.folders:
        return "", (400, err("folder not found"))
    return folder_uid, None


def _existing_for_update(org: Org, dash: dict[str, Any], body: dict[str, Any],
                         mode: Mode) -> tuple[StoredDashboard | None, Answer | None]:
    """The dashboard a save replaces, by id then uid, with the version check (behaviour.md §1.2)."""
    uid = dash.get("uid") or ""
    existing = None
    dash_id = dash.get("id")
    if isinstance(dash_id, int) and dash_id > 0:
        existing = next((d for d in org.dashboards.values() if d.id == dash_id), None)
        if existing is None:
            return None, (404, err("Dashboard not found", "not-found"))
    if uid:
        by_uid = org.dashboards.get(uid)
        if by_uid is not None and existing is not None and by_uid.id != existing.id:
            return None, (400, err("A dashboard with the same uid already exists"))
        existing = existing or by_uid
    if uid and uid in org.folders:
        return None, (400, err("A dashboard with the same uid already exists"))
    if existing is not None:
        if existing.provisioned:
            return None, (400, err("Cannot save provisioned dashboard"))
        if dash.get("version", 0) != existing.version and not body.get("overwrite"):
            if mode.stale_save_conflict:  # 13.x saveDashboardViaK8s
                return None, (409, err("Dashboard already exists. Use overwrite flag to update."))
            return None, (412, err("The dashboard has been changed by someone else", "version-mismatch"))
    return existing, None


def listed_message(v: DashboardVersion) -> str:
    """The message the versions *list* shows: GetDashboardVersions (pkg/api/dashboard.go, 11.x to 13.x)
    rewrites it; only GET .../versions/{n} (GetDashboardVersion) returns the message as saved."""
    message = v.message
    if v.restored_from == v.version:
        message = "Initial save (created by migration)"
    if v.restored_from > 0:
        message = f"Restored from version {v.restored_from}"
    if v.parent_version == 0:
        message = "Initial save"
    return message


class DashboardRules:
    """The dashboard rules of `Grafana` (state.py), which provides `next_id`."""

    def dashboard_meta(self, org: Org, d: StoredDashboard) -> dict[str, Any]:
        folder = org.folders.get(d.folder_uid)
        slug = slugify(d.json.get("title", ""))
        return {
            "type": "db", "canSave": True, "canEdit": True, "canAdmin": True, "canStar": True,
            "canDelete": True, "slug": slug, "url": f"/d/{d.uid}/{slug}", "expires": "0001-01-01T00:00:00Z",
            "created": d.created, "updated": d.updated, "updatedBy": d.updated_by, "createdBy": d.created_by,
            "version": d.version, "hasAcl": False, "isFolder": False,
            "folderId": folder.id if folder else 0, "folderUid": d.folder_uid,
            "folderTitle": folder.title if folder else "General",
            "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}" if folder else "",
            "provisioned": d.provisioned, "provisionedExternalId": "",
            "annotationsPermissions": {
                "dashboard": {"canAdd": True, "canEdit": True, "canDelete": True},
                "organization": {"canAdd": True, "canEdit": True, "canDelete": True},
            },
            "isStarred": False, "isSnapshot": False, "publicDashboardEnabled": False,
            "apiVersion": "v1",
        }

    def save_dashboard(self, org: Org, user: User, body: Any) -> Answer:
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            return 400, err("bad request data")
        if body.get("isFolder"):
            return 400, err("Use folders endpoint for saving folders.")
        message = body.get("message") or ""
        if len(message) > 500:
            return 400, err("message too long, max 500 characters")
        dash = clone(body["dashboard"])
        title = (dash.get("title") or "").strip() if isinstance(dash.get("title"), str) else ""
        problem = _invalid_dashboard(dash, title)
        if problem:
            return problem
        folder_uid, problem = _target_folder(org, body)
        if problem:
            return problem
        if user.role == "Viewer":
            return 403, err("Access denied to save dashboard")
        existing, problem = _existing_for_update(org, dash, body, self.mode)
        if problem:
            return problem
        stored = self._store_dashboard(org, user, existing, dash, folder_uid, title, message)
        slug = slugify(title)
        return 200, {
            "id": stored.id, "uid": stored.uid, "url": f"/d/{stored.uid}/{slug}", "status": "success",
            "version": stored.version, "slug": slug, "folderUid": folder_uid,
        }

    def _store_dashboard(self, org: Org, user: User, existing: StoredDashboard | None, dash: dict[str, Any],
                         folder_uid: str, title: str, message: str,
                         annotations: dict[str, str] | None = None) -> StoredDashboard:
        """Create (version 1) or update (version + 1) and record the new version (behaviour.md §1.2); the
        /apis view's metadata too (kube.stamp: `annotations` are an /apis client's, None for /api)."""
        raw_message, stamp = message, now()
        if existing is None:
            uid = dash.get("uid") or new_uid()
            stored = StoredDashboard(self.next_id(), uid, {}, 1, folder_uid, stamp, stamp, user.login, user.login)
            if self.mode.unified_storage:
                stored.searchable_at = time.monotonic() + self.search_lag
            org.dashboards[uid] = stored
            message = message or "Initial save"
        else:
            stored = existing
            stored.version += 1
            stored.folder_uid = folder_uid  # an update without folderUid moves it to the root
            stored.updated, stored.updated_by = stamp, user.login
        dash.update({"id": stored.id, "uid": stored.uid, "version": stored.version, "title": title})
        dash.pop("meta", None)
        stored.json = dash
        parent = stored.versions[0].version if stored.versions else 0
        stored.versions.insert(0, DashboardVersion(
            self.next_id(), stored.version, parent, 0, stamp, user.login, message, clone(dash)))
        kube.stamp(stored.k8s, kube.identity(user), existing is None, True, stored.version, dash, folder_uid,
                   raw_message, stamp, self.next_rv(), annotations)
        return stored

    def restore_dashboard(self, org: Org, user: User, uid: str, body: Any) -> Answer:
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found", "not-found")
        wanted = body.get("version") if isinstance(body, dict) else None
        old = next((v for v in d.versions if v.version == wanted), None)
        if old is None:
            return 404, err("Dashboard version not found")
        strip = lambda j: {k: v for k, v in j.items() if k not in ("id", "version")}  # noqa: E731
        if strip(old.data) == strip(d.json):
            return 400, err("Current dashboard is identical to the specified version")
        d.version += 1
        stamp = now()
        d.json = {**clone(old.data), "version": d.version}
        d.updated, d.updated_by = stamp, user.login
        message = f"Restored from version {old.version}"
        d.versions.insert(0, DashboardVersion(self.next_id(), d.version, d.version - 1, old.version, stamp, user.login,
                                              message, clone(d.json)))
        kube.stamp(d.k8s, kube.identity(user), False, True, d.version, d.json, d.folder_uid, message, stamp,
                   self.next_rv())
        slug = slugify(d.json.get("title", ""))
        return 200, {"id": d.id, "uid": d.uid, "url": f"/d/{d.uid}/{slug}", "status": "success",
                     "version": d.version, "slug": slug, "folderUid": d.folder_uid}

    def version_dto(self, d: StoredDashboard, v: DashboardVersion, with_data: bool) -> dict[str, Any]:
        dto = {"id": v.id, "dashboardId": d.id, "uid": d.uid, "parentVersion": v.parent_version,
               "restoredFrom": v.restored_from, "version": v.version, "created": v.created,
               "createdBy": v.created_by, "message": v.message if with_data else listed_message(v)}
        if with_data:
            dto["data"] = clone(v.data)
        return dto


class DashboardEndpoints:
    """The /api/dashboards handlers of the request handler (server.py)."""

    app: Emulator

    def h_save_dashboard(self, user, org, query, body):
        return self.app.grafana.save_dashboard(org, user, body)

    def h_get_dashboard(self, user, org: Org, query, body, uid):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        if d.api_version.startswith("v2") and self.app.grafana.mode.v2_not_acceptable:
            namespace = kube.namespace_for(org.id, self.app.grafana.stack_id)
            url = f"/apis/dashboard.grafana.app/{d.api_version}/namespaces/{namespace}/dashboards/{d.uid}"
            return 406, err(f"dashboard api version not supported, use {url} instead")
        # No copy: a stored dashboard is replaced on save, never changed in place, and is encoded at once.
        return 200, {"dashboard": d.json, "meta": self.app.grafana.dashboard_meta(org, d)}

    def h_delete_dashboard(self, user: User, org: Org, query, body, uid):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        if d.provisioned:
            return 400, err("provisioned dashboard cannot be deleted")
        if user.role == "Viewer":
            return 403, err("Access denied to this dashboard")
        del org.dashboards[uid]
        title = d.json.get("title", "")
        return 200, {"title": title, "message": f"Dashboard {title} deleted", "uid": uid}

    def h_get_versions(self, user, org: Org, query, body, uid):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        try:
            limit = int((query.get("limit") or ["1000"])[0])
            start = int((query.get("start") or ["0"])[0])
        except ValueError:
            return 400, err("bad request data")
        chosen = d.versions[start:start + limit]
        more = start + limit < len(d.versions)
        return 200, {"continueToken": str(start + limit) if more else "",
                     "versions": [self.app.grafana.version_dto(d, v, False) for v in chosen]}

    def h_get_version(self, user, org: Org, query, body, uid, version):
        d = org.dashboards.get(uid)
        if d is None:
            return 404, err("Dashboard not found")
        found = next((v for v in d.versions if str(v.version) == version), None)
        if found is None:
            return 404, err("Dashboard version not found")
        return 200, self.app.grafana.version_dto(d, found, True)

    def h_restore(self, user, org, query, body, uid):
        return self.app.grafana.restore_dashboard(org, user, uid, body)
