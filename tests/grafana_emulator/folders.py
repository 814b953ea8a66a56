"""Nested folders (behaviour.md §3): the rules, and the /api/folders endpoints."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import kube
from .model import MAX_FOLDER_DEPTH, UID_CHARS, Org, StoredFolder, User, err, errutil, new_uid, now, slugify

if TYPE_CHECKING:
    from .server import Emulator

# "General" is the root's name: a folder may not take it, in any case and at any depth (the folder
# validator's strings.EqualFold(title, RootFolderName); ErrDashboardFolderNameExists in
# pkg/services/dashboards/errors.go: 400 "A folder with that name already exists").
ROOT_FOLDER_NAME = "general"
GENERAL_TAKEN = "A folder with that name already exists"
# 11.6 with the nestedFolders toggle off (pkg/api/folder.go MoveFolder); the toggle is gone from 12.2 (PR #109212).
NESTING_OFF = "To use this service, you need to activate nested folder feature."


def folder_spec(f: StoredFolder) -> dict[str, Any]:
    """folder.grafana.app spec: title, and description when set (pkg/registry/apis/folders/conversions.go)."""
    return {"title": f.title, **({"description": f.description} if f.description else {})}


class FolderRules:
    """The folder rules of `Grafana` (state.py), which provides `next_id`."""

    def nesting(self) -> bool:
        """Nested folders: the `nestedFolders` toggle in 11.6 (Emulator.nested_folders), always on from 12.2."""
        return self.nested_folders or not self.mode.nested_folders_toggle

    def stamp_folder(self, f: StoredFolder, user: User, created: bool, changed: bool,
                     annotations: dict[str, str] | None = None) -> None:
        """The /apis view's metadata for a folder write (kube.stamp)."""
        kube.stamp(f.k8s, kube.identity(user), created, changed, f.version, folder_spec(f), f.parent_uid, "",
                   f.updated, self.next_rv(), annotations)

    def folder_dto(self, org: Org, f: StoredFolder) -> dict[str, Any]:
        if not self.nesting():  # newToFolderDto returns before the parents; the folder table is not read
            return self.folder_dto_flat(org, f)
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
        if f.parent_uid and self.nesting():
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
        if title.lower() == ROOT_FOLDER_NAME:
            return 400, err(GENERAL_TAKEN)
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
        folder = self.insert_folder(org, user, uid, title, parent, body.get("description") or "")
        dto = self.folder_dto(org, folder)
        if parent and not self.nesting():  # folderimpl Create: the parent comes back from the folder store
            dto["parentUid"] = parent
        return 200, dto

    def insert_folder(self, org: Org, user: User, uid: str, title: str, parent: str, description: str,
                      annotations: dict[str, str] | None = None) -> StoredFolder:
        stamp = now()
        folder = StoredFolder(self.next_id(), uid, title, parent, 1, stamp, stamp, user.login, user.login, description)
        org.folders[uid] = folder
        self.stamp_folder(folder, user, True, True, annotations)
        return folder

    def update_folder(self, org: Org, user: User, uid: str, body: dict[str, Any]) -> tuple[int, Any]:
        folder = org.folders.get(uid)
        if folder is None:
            return 404, err("folder not found", "not-found")
        if "title" in body and not (body.get("title") or "").strip():
            return 400, err("folder title cannot be empty")
        if (body.get("title") or "").strip().lower() == ROOT_FOLDER_NAME:
            return 400, err(GENERAL_TAKEN)
        if not body.get("overwrite") and body.get("version", 0) != folder.version:
            return 412, err("the folder has been changed by someone else", "version-mismatch")
        if body.get("title"):
            folder.title = body["title"].strip()
        if "description" in body:
            folder.description = body.get("description") or ""
        folder.version += 1
        folder.updated, folder.updated_by = now(), user.login
        self.stamp_folder(folder, user, False, True)
        return 200, self.folder_dto(org, folder)

    def move_folder(self, org: Org, user: User, uid: str, body: dict[str, Any]) -> tuple[int, Any]:
        if not self.nesting():
            return 404, {"message": NESTING_OFF}
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
        self.stamp_folder(folder, user, False, True)
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


class FolderEndpoints:
    """The /api/folders handlers of the request handler (server.py)."""

    app: Emulator

    def h_list_folders(self, user, org: Org, query, body):
        parent = (query.get("parentUid") or [""])[0]
        limit = int((query.get("limit") or ["1000"])[0])
        page = max(1, int((query.get("page") or ["1"])[0]))
        nesting = self.app.grafana.nesting()  # off: searchFolders, every folder, no parentUid (GetFolders)
        children = sorted((f for f in org.folders.values() if not nesting or f.parent_uid == parent),
                          key=lambda f: f.title.lower())
        chosen = children[(page - 1) * limit: page * limit]
        out = []
        for f in chosen:
            hit = {"id": f.id, "uid": f.uid, "title": f.title}
            if f.parent_uid and nesting:
                hit["parentUid"] = f.parent_uid
            out.append(hit)
        return 200, out

    def h_create_folder(self, user: User, org, query, body):
        if user.role == "Viewer":
            return 403, err("Access denied")
        return self.app.grafana.create_folder(org, user, body if isinstance(body, dict) else {})

    def h_get_folder(self, user, org: Org, query, body, uid):
        f = org.folders.get(uid)
        if f is None:
            return 404, err("folder not found", "not-found")
        return 200, self.app.grafana.folder_dto(org, f)

    def h_update_folder(self, user, org, query, body, uid):
        return self.app.grafana.update_folder(org, user, uid, body if isinstance(body, dict) else {})

    def h_move_folder(self, user, org, query, body, uid):
        return self.app.grafana.move_folder(org, user, uid, body if isinstance(body, dict) else {})

    def h_delete_folder(self, user, org, query, body, uid):
        return self.app.grafana.delete_folder(org, uid)
