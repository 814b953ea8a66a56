"""The emulator's Grafana: orgs, dashboards with versions, nested folders, datasources.

Every rule, status code and error body here follows shared/grafana/behaviour.md
(the section is named next to each rule). Handlers return (status, body).
"""

from __future__ import annotations

import copy
import re
import secrets
import threading
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

UID_CHARS = re.compile(r"^[a-zA-Z0-9\-_]*$")
MAX_FOLDER_DEPTH = 4  # [folder] max_nested_folder_depth default (behaviour.md §3)
VERSION = "12.3.0"


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def slugify(title: str) -> str:
    """Grafana's slugify (pkg/infra/slugify), close enough for ASCII and Latin letters."""
    text = unicodedata.normalize("NFKD", title.lower().replace("&", "and").replace("@", "at"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def err(message: str, status: str | None = None) -> dict[str, Any]:
    """Shapes 1 and 2 of behaviour.md §0: {"message"} or {"status", "message"}."""
    return {"message": message} if status is None else {"status": status, "message": message}


def errutil(status_code: int, message_id: str, message: str) -> dict[str, Any]:
    """Shape 3 of behaviour.md §0 (errutil)."""
    return {"extra": None, "message": message, "messageId": message_id, "statusCode": status_code, "traceID": ""}


def new_uid() -> str:
    return "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(14))


@dataclass
class User:
    login: str
    role: str = "Admin"  # Admin, Editor or Viewer
    orgs: tuple[int, ...] = (1,)
    service_account: bool = False


@dataclass
class DashboardVersion:
    id: int
    version: int
    parent_version: int
    restored_from: int
    created: str
    created_by: str
    message: str
    data: dict[str, Any]


@dataclass
class StoredDashboard:
    id: int
    uid: str
    json: dict[str, Any]
    version: int
    folder_uid: str
    created: str
    updated: str
    created_by: str
    updated_by: str
    versions: list[DashboardVersion] = field(default_factory=list)
    provisioned: bool = False


@dataclass
class StoredFolder:
    id: int
    uid: str
    title: str
    parent_uid: str
    version: int
    created: str
    updated: str
    created_by: str
    updated_by: str
    description: str = ""


@dataclass
class StoredDatasource:
    id: int
    uid: str
    body: dict[str, Any]  # everything but the secrets
    secure: dict[str, str]
    version: int
    read_only: bool = False


@dataclass
class Org:
    id: int
    name: str
    dashboards: dict[str, StoredDashboard] = field(default_factory=dict)
    folders: dict[str, StoredFolder] = field(default_factory=dict)
    datasources: dict[str, StoredDatasource] = field(default_factory=dict)
    queries: dict[str, dict[str, Any]] = field(default_factory=dict)  # the query library (queries.grafana.app)


class Grafana:
    """All state, behind one lock (Grafana's own database serialises writes too)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.orgs: dict[int, Org] = {1: Org(1, "Main Org."), 2: Org(2, "Second Org.")}
        self._ids = 0

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    def org(self, org_id: int) -> Org:
        return self.orgs.setdefault(org_id, Org(org_id, f"Org {org_id}"))

    # --- folders (behaviour.md §3) ---------------------------------------------------

    def folder_dto(self, org: Org, f: StoredFolder) -> dict[str, Any]:
        parents = []
        parent = org.folders.get(f.parent_uid)
        while parent is not None:
            parents.insert(0, self.folder_dto_flat(org, parent))
            parent = org.folders.get(parent.parent_uid)
        dto = self.folder_dto_flat(org, f)
        dto["parents"] = parents
        return dto

    def folder_dto_flat(self, org: Org, f: StoredFolder) -> dict[str, Any]:
        dto = {
            "id": f.id, "uid": f.uid, "orgId": org.id, "title": f.title,
            "url": f"/dashboards/f/{f.uid}/{slugify(f.title)}",
            "hasAcl": False, "canSave": True, "canEdit": True, "canAdmin": True, "canDelete": True,
            "createdBy": f.created_by, "created": f.created, "updatedBy": f.updated_by, "updated": f.updated,
            "version": f.version,
        }
        if f.parent_uid:
            dto["parentUid"] = f.parent_uid
        return dto

    def depth(self, org: Org, uid: str) -> int:
        depth, current = 0, org.folders.get(uid)
        while current is not None:
            depth += 1
            current = org.folders.get(current.parent_uid)
        return depth

    def create_folder(self, org: Org, user: User, body: dict[str, Any]) -> tuple[int, Any]:
        title = (body.get("title") or "").strip()
        uid = body.get("uid") or new_uid()
        parent = body.get("parentUid") or ""
        if not title:
            return 400, err("folder title cannot be empty")
        if not UID_CHARS.match(uid):
            return 400, err("uid contains illegal characters")
        if len(uid) > 40:
            return 400, err("uid too long, max 40 characters")
        if uid in org.folders or uid in org.dashboards:
            return 409, err("a folder/dashboard with the same uid already exists")
        if parent and parent not in org.folders:
            return 404, err("folder not found", "not-found")
        if parent and self.depth(org, parent) + 1 > MAX_FOLDER_DEPTH:
            return 400, errutil(400, "folder.maximum-depth-reached", "Maximum nested folder depth reached")
        stamp = now()
        folder = StoredFolder(self.next_id(), uid, title, parent, 1, stamp, stamp, user.login, user.login,
                              body.get("description") or "")
        org.folders[uid] = folder
        return 200, self.folder_dto(org, folder)

    def update_folder(self, org: Org, user: User, uid: str, body: dict[str, Any]) -> tuple[int, Any]:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, err("folder not found", "not-found")
        if "title" in body and not (body.get("title") or "").strip():
            return 400, err("folder title cannot be empty")
        if not body.get("overwrite") and body.get("version", 0) != folder.version:
            return 412, err("the folder has been changed by someone else", "version-mismatch")
        if body.get("title"):
            folder.title = body["title"].strip()
        if "description" in body:
            folder.description = body.get("description") or ""
        folder.version += 1
        folder.updated, folder.updated_by = now(), user.login
        return 200, self.folder_dto(org, folder)

    def move_folder(self, org: Org, user: User, uid: str, body: dict[str, Any]) -> tuple[int, Any]:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, err("folder not found", "not-found")
        parent = body.get("parentUid") or ""
        if parent and parent not in org.folders:
            return 404, err("folder not found", "not-found")
        ancestor = org.folders.get(parent)
        while ancestor is not None:
            if ancestor.uid == uid:
                return 400, errutil(400, "folder.circular-reference", "Circular reference detected")
            ancestor = org.folders.get(ancestor.parent_uid)
        if parent and self.depth(org, parent) + self._subtree_height(org, uid) > MAX_FOLDER_DEPTH:
            return 400, errutil(400, "folder.maximum-depth-reached", "Maximum nested folder depth reached")
        folder.parent_uid = parent
        folder.version += 1
        folder.updated, folder.updated_by = now(), user.login
        return 200, self.folder_dto(org, folder)

    def _subtree_height(self, org: Org, uid: str) -> int:
        children = [f.uid for f in org.folders.values() if f.parent_uid == uid]
        return 1 + max((self._subtree_height(org, c) for c in children), default=0)

    def delete_folder(self, org: Org, uid: str) -> tuple[int, Any]:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, err("folder not found", "not-found")
        # Deleting a folder deletes its dashboards and subfolders (behaviour.md §3).
        doomed = {uid}
        changed = True
        while changed:
            changed = False
            for f in org.folders.values():
                if f.parent_uid in doomed and f.uid not in doomed:
                    doomed.add(f.uid)
                    changed = True
        for d_uid in [d.uid for d in org.dashboards.values() if d.folder_uid in doomed]:
            del org.dashboards[d_uid]
        for f_uid in doomed:
            del org.folders[f_uid]
        # Real body {"message","id"} (behaviour.md §3); the spec also requires "title".
        return 200, {"id": folder.id, "title": folder.title, "message": "Folder deleted"}

    # --- dashboards (behaviour.md §1) ------------------------------------------------

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

    def save_dashboard(self, org: Org, user: User, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("dashboard"), dict):
            return 400, err("bad request data")
        if body.get("isFolder"):
            return 400, err("Use folders endpoint for saving folders.")
        message = body.get("message") or ""
        if len(message) > 500:
            return 400, err("message too long, max 500 characters")
        dash = copy.deepcopy(body["dashboard"])
        title = (dash.get("title") or "").strip() if isinstance(dash.get("title"), str) else ""
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
        folder_uid = body.get("folderUid")
        if folder_uid is None and body.get("folderId"):
            by_id = [f for f in org.folders.values() if f.id == body["folderId"]]
            if not by_id:
                return 400, err("folder not found")
            folder_uid = by_id[0].uid
        folder_uid = folder_uid or ""
        if folder_uid and folder_uid not in org.folders:
            return 400, err("folder not found")
        if user.role == "Viewer":
            return 403, err("Access denied to save dashboard")

        existing = None
        dash_id = dash.get("id")
        if isinstance(dash_id, int) and dash_id > 0:
            existing = next((d for d in org.dashboards.values() if d.id == dash_id), None)
            if existing is None:
                return 404, err("Dashboard not found", "not-found")
        if uid:
            by_uid = org.dashboards.get(uid)
            if by_uid is not None and existing is not None and by_uid.id != existing.id:
                return 400, err("A dashboard with the same uid already exists")
            existing = existing or by_uid
        if uid and uid in org.folders:
            return 400, err("A dashboard with the same uid already exists")
        if existing is not None:
            if existing.provisioned:
                return 400, err("Cannot save provisioned dashboard")
            if dash.get("version", 0) != existing.version and not body.get("overwrite"):
                return 412, err("The dashboard has been changed by someone else", "version-mismatch")

        stamp = now()
        if existing is None:
            uid = uid or new_uid()
            stored = StoredDashboard(self.next_id(), uid, {}, 1, folder_uid, stamp, stamp, user.login, user.login)
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
            self.next_id(), stored.version, parent, 0, stamp, user.login, message, copy.deepcopy(dash)))
        slug = slugify(title)
        return 200, {
            "id": stored.id, "uid": stored.uid, "url": f"/d/{stored.uid}/{slug}", "status": "success",
            "version": stored.version, "slug": slug, "folderUid": folder_uid,
        }

    def restore_dashboard(self, org: Org, user: User, uid: str, body: Any) -> tuple[int, Any]:
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
        d.json = {**copy.deepcopy(old.data), "version": d.version}
        d.updated, d.updated_by = stamp, user.login
        d.versions.insert(0, DashboardVersion(self.next_id(), d.version, d.version - 1, old.version, stamp,
                                              user.login, f"Restored from version {old.version}", copy.deepcopy(d.json)))
        slug = slugify(d.json.get("title", ""))
        return 200, {"id": d.id, "uid": d.uid, "url": f"/d/{d.uid}/{slug}", "status": "success",
                     "version": d.version, "slug": slug, "folderUid": d.folder_uid}

    def version_dto(self, d: StoredDashboard, v: DashboardVersion, with_data: bool) -> dict[str, Any]:
        dto = {"id": v.id, "dashboardId": d.id, "uid": d.uid, "parentVersion": v.parent_version,
               "restoredFrom": v.restored_from, "version": v.version, "created": v.created,
               "createdBy": v.created_by, "message": v.message}
        if with_data:
            dto["data"] = copy.deepcopy(v.data)
        return dto

    # --- datasources (behaviour.md §4) -----------------------------------------------

    def datasource_dto(self, org: Org, ds: StoredDatasource) -> dict[str, Any]:
        body = ds.body
        return {
            "id": ds.id, "uid": ds.uid, "orgId": org.id, "name": body["name"], "type": body["type"],
            "typeLogoUrl": f"public/app/plugins/datasource/{body['type']}/img/logo.svg",
            "access": body.get("access") or "proxy", "url": body.get("url") or "", "user": body.get("user") or "",
            "database": body.get("database") or "", "basicAuth": bool(body.get("basicAuth")),
            "basicAuthUser": body.get("basicAuthUser") or "", "withCredentials": bool(body.get("withCredentials")),
            "isDefault": bool(body.get("isDefault")), "jsonData": copy.deepcopy(body.get("jsonData") or {}),
            "secureJsonFields": {k: True for k in sorted(ds.secure)}, "version": ds.version,
            "readOnly": ds.read_only,
        }

    def _ds_invalid(self, body: dict[str, Any]) -> tuple[int, Any] | None:
        uid = body.get("uid") or ""
        if not isinstance(uid, str) or not UID_CHARS.match(uid):
            return 400, err("uid contains illegal characters")
        if len(uid) > 40:
            return 400, err("uid too long, max 40 characters")
        url = body.get("url") or ""
        if url and not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://[^\s/]+", url):
            return 400, err("Validation error, invalid URL")
        return None

    def create_datasource(self, org: Org, user: User, body: Any) -> tuple[int, Any]:
        if not isinstance(body, dict) or not (body.get("name") or "").strip() or not body.get("type"):
            return 400, err("bad request data")
        invalid = self._ds_invalid(body)
        if invalid:
            return invalid
        if user.role != "Admin":
            return 403, err("Permission denied")
        if any(d.body["name"] == body["name"] for d in org.datasources.values()):
            return 409, err("data source with the same name already exists")
        uid = body.get("uid") or new_uid()
        if uid in org.datasources:
            return 409, err("data source with the same uid already exists")
        fields = {k: copy.deepcopy(v) for k, v in body.items() if k not in ("secureJsonData", "uid", "version")}
        ds = StoredDatasource(self.next_id(), uid, fields, dict(body.get("secureJsonData") or {}), 1)
        org.datasources[uid] = ds
        return 200, {"message": "Datasource added", "id": ds.id, "name": fields["name"],
                     "datasource": self.datasource_dto(org, ds)}

    def update_datasource(self, org: Org, user: User, uid: str, body: Any) -> tuple[int, Any]:
        ds = org.datasources.get(uid)
        if ds is None:
            return 404, err("Data source not found")
        if not isinstance(body, dict) or not (body.get("name") or "").strip():
            return 400, err("bad request data")
        if ds.read_only:
            return 403, err("Cannot update read-only data source")
        invalid = self._ds_invalid({**body, "uid": body.get("uid") or uid})
        if invalid:
            return invalid
        if user.role != "Admin":
            return 403, err("Permission denied")
        if any(d.body["name"] == body["name"] and d.uid != uid for d in org.datasources.values()):
            return 409, err("Failed to update datasource: data source with the same name already exists")
        sent_version = body.get("version") or 0
        # Optimistic lock: the update matches only while stored <= sent (pkg/.../store.go).
        if sent_version and ds.version > sent_version:
            return 409, err("Datasource has already been updated by someone else. Please reload and try again")
        ds.body = {k: copy.deepcopy(v) for k, v in body.items() if k not in ("secureJsonData", "uid", "version")}
        ds.secure.update(body.get("secureJsonData") or {})  # keys not sent are kept
        ds.version = sent_version + 1 if sent_version else ds.version + 1
        return 200, {"message": "Datasource updated", "id": ds.id, "name": ds.body["name"],
                     "datasource": self.datasource_dto(org, ds)}


# --- the query library: Kubernetes-style /apis/queries.grafana.app/v1 ------------------------------

QUERIES_GV = "queries.grafana.app/v1"
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def k8s_status(code: int, reason: str, message: str, name: str | None = None) -> dict[str, Any]:
    """A Kubernetes Status, the error body of every /apis endpoint."""
    status = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
              "reason": reason, "code": code}
    if name is not None:
        status["details"] = {"name": name, "group": "queries.grafana.app", "kind": "queries"}
    return status


class QueryLibrary:
    """Saved queries of one Grafana, by org; resourceVersion is a global counter, as in Kubernetes."""

    def __init__(self, grafana: Grafana) -> None:
        self.grafana = grafana
        self.version = 0

    def _stamp(self, obj: dict[str, Any], org: Org, user: User, created: dict[str, Any] | None) -> dict[str, Any]:
        self.version += 1
        meta = dict(obj.get("metadata") or {})
        meta["namespace"] = "default" if org.id == 1 else f"org-{org.id}"
        meta["resourceVersion"] = str(self.version)
        meta["uid"] = (created or {}).get("metadata", {}).get("uid") or secrets.token_hex(16)
        meta["creationTimestamp"] = (created or {}).get("metadata", {}).get("creationTimestamp") or now()
        meta["generation"] = (created or {}).get("metadata", {}).get("generation", 0) + 1
        annotations = dict(meta.get("annotations") or {})
        annotations.setdefault("grafana.app/createdBy", (created or {}).get("metadata", {}).get(
            "annotations", {}).get("grafana.app/createdBy", f"user:{user.login}"))
        annotations["grafana.app/updatedBy"] = f"user:{user.login}"
        meta["annotations"] = annotations
        return {"apiVersion": QUERIES_GV, "kind": "Query", "metadata": meta, "spec": copy.deepcopy(obj.get("spec") or {})}

    def _invalid(self, obj: Any, name: str | None = None) -> tuple[int, Any] | None:
        if not isinstance(obj, dict) or obj.get("kind") not in (None, "Query") or not isinstance(obj.get("spec"), dict):
            return 400, k8s_status(400, "BadRequest", "the body must be a Query object with a spec")
        spec = obj["spec"]
        if not isinstance(spec.get("title"), str) or not spec["title"].strip():
            return 422, k8s_status(422, "Invalid", "Query.queries.grafana.app is invalid: spec.title: Required value", name)
        if not isinstance(spec.get("targets"), list) or not spec["targets"]:
            return 422, k8s_status(422, "Invalid", "Query.queries.grafana.app is invalid: spec.targets: Required value", name)
        return None

    def create(self, org: Org, user: User, obj: Any) -> tuple[int, Any]:
        invalid = self._invalid(obj)
        if invalid:
            return invalid
        name = (obj.get("metadata") or {}).get("name") or ""
        if not name and (obj.get("metadata") or {}).get("generateName"):
            name = obj["metadata"]["generateName"] + secrets.token_hex(3)
        if not _NAME.match(name):
            return 422, k8s_status(422, "Invalid", f"Query.queries.grafana.app \"{name}\" is invalid: metadata.name: "
                                   "Invalid value: a lowercase RFC 1123 subdomain must consist of lower case "
                                   "alphanumeric characters or '-'", name)
        if name in org.queries:
            return 409, k8s_status(409, "AlreadyExists", f"queries.queries.grafana.app \"{name}\" already exists", name)
        stored = self._stamp({**obj, "metadata": {**obj.get("metadata", {}), "name": name}}, org, user, None)
        org.queries[name] = stored
        return 201, copy.deepcopy(stored)

    def get(self, org: Org, name: str) -> tuple[int, Any]:
        if name not in org.queries:
            return 404, k8s_status(404, "NotFound", f"queries.queries.grafana.app \"{name}\" not found", name)
        return 200, copy.deepcopy(org.queries[name])

    def update(self, org: Org, user: User, name: str, obj: Any) -> tuple[int, Any]:
        if name not in org.queries:
            return 404, k8s_status(404, "NotFound", f"queries.queries.grafana.app \"{name}\" not found", name)
        invalid = self._invalid(obj, name)
        if invalid:
            return invalid
        sent = (obj.get("metadata") or {}).get("resourceVersion")
        current = org.queries[name]["metadata"]["resourceVersion"]
        if not sent:
            return 422, k8s_status(422, "Invalid", f"Query.queries.grafana.app \"{name}\" is invalid: "
                                   "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update", name)
        if sent != current:
            return 409, k8s_status(409, "Conflict", f"Operation cannot be fulfilled on queries.queries.grafana.app "
                                   f"\"{name}\": the object has been modified; please apply your changes to the "
                                   "latest version and try again", name)
        stored = self._stamp({**obj, "metadata": {**obj.get("metadata", {}), "name": name}}, org, user, org.queries[name])
        org.queries[name] = stored
        return 200, copy.deepcopy(stored)

    def delete(self, org: Org, name: str) -> tuple[int, Any]:
        if name not in org.queries:
            return 404, k8s_status(404, "NotFound", f"queries.queries.grafana.app \"{name}\" not found", name)
        gone = org.queries.pop(name)
        return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                     "details": {"name": name, "group": "queries.grafana.app", "kind": "queries",
                                 "uid": gone["metadata"]["uid"]}}

    def list(self, org: Org, limit: int, token: str) -> tuple[int, Any]:
        names = sorted(org.queries)
        start = int(token) if token.isdigit() else 0
        chosen = names[start:start + limit] if limit > 0 else names[start:]
        more = limit > 0 and start + limit < len(names)
        return 200, {"apiVersion": QUERIES_GV, "kind": "QueryList",
                     "metadata": {"resourceVersion": str(self.version), **({"continue": str(start + limit)} if more else {})},
                     "items": [copy.deepcopy(org.queries[n]) for n in chosen]}
