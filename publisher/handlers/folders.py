"""Folders on a Grafana server: nested, keyed by uid (titles need not be unique since 11.3), parents first."""

from __future__ import annotations

from typing import Any

from ..grafana.api import FolderAPI, SearchAPI
from ..model import (
    CREATE,
    DELETE,
    FOLDER_UID_PREFIX,
    MANAGED_TAG,
    UNCHANGED,
    UPDATE,
    Change,
    DesiredFolder,
    DesiredState,
    LiveFolder,
    Outcome,
)
from .base import ApplyOptions, PlanOptions


def _live(raw: dict[str, Any]) -> LiveFolder:
    return LiveFolder(raw["uid"], raw.get("title") or "", raw.get("parentUid") or raw.get("folderUid") or "",
                      raw.get("version"))


class FolderHandler:
    kind = "folder"
    notes_orphans = False  # without --prune, only dashboards are listed as no longer declared

    def __init__(self, folders: FolderAPI, search: SearchAPI) -> None:
        self.api = folders
        self.search = search
        self._parents: dict[str, str] = {}  # uid -> parent uid of every folder, from the last owned()
        self._wanted_dashboards: set[str] = set()  # what the plan still wants: never deleted with a folder
        self._wanted_folders: set[str] = set()

    def wanted(self, state: DesiredState) -> list[DesiredFolder]:
        return state.folders

    def read(self, desired: DesiredFolder) -> LiveFolder | None:
        raw = self.api.get(desired.uid)
        return _live(raw) if raw is not None else None

    def owned(self, state: DesiredState) -> list[LiveFolder]:
        # Folders carry no project mark: a shared folder is kept by the subtree check of _delete.
        every = [_live(h) for h in self.search.search(type_="dash-folder")]
        self._parents = {f.uid: f.parent_uid for f in every}
        return [f for f in every if f.uid.startswith(FOLDER_UID_PREFIX)]

    def compare(self, desired: DesiredFolder, live: LiveFolder | None, options: PlanOptions) -> Change:
        parent = desired.parent_uid or None
        if live is None:
            return Change(self.kind, desired.uid, desired.path, CREATE, desired=desired, parent=parent,
                          depth=desired.depth)
        details = []
        if live.title != desired.title:
            details.append(f"title changed from {live.title!r} to {desired.title!r}")
        if live.parent_uid != desired.parent_uid:
            details.append(f"moved from parent {live.parent_uid or '(top level)'!r} to "
                           f"{desired.parent_uid or '(top level)'!r}")
        return Change(self.kind, desired.uid, desired.path, UPDATE if details else UNCHANGED, tuple(details),
                      desired, live, parent=parent, depth=desired.depth)

    def plan_delete(self, live: LiveFolder, state: DesiredState) -> Change:
        # Deepest first: apply runs deletes in plan order. The keep-check runs at apply time (see _delete).
        self._wanted_dashboards = {d.uid for d in state.dashboards}
        self._wanted_folders = {f.uid for f in state.folders}
        return Change(self.kind, live.uid, live.title, DELETE, live=live, depth=-self._depth(live.uid))

    def _depth(self, uid: str) -> int:
        depth = 0
        while uid:
            uid, depth = self._parents.get(uid, ""), depth + 1
        return depth

    def orphan_note(self, orphans: list[LiveFolder]) -> str:
        return f"{len(orphans)} folder(s) dash created are no longer used; --prune deletes them"

    def notes(self, state: DesiredState, lives: list[Any]) -> list[str]:
        return []

    def apply(self, change: Change, options: ApplyOptions) -> Outcome:
        if change.action == DELETE:
            return self._delete(change)
        folder: DesiredFolder = change.desired
        if change.action == CREATE:
            def already(_: Any) -> dict[str, Any] | None:
                live = self.read(folder)
                same = live is not None and live.title == folder.title and live.parent_uid == folder.parent_uid
                return {"version": live.version} if same else None

            answer = self.api.create(folder.title, folder.uid, folder.parent_uid, reconcile=already)
            return Outcome(change, True, "created", answer.get("version"))
        live: LiveFolder = change.live
        version = live.version
        if live.parent_uid != folder.parent_uid:
            version = self.api.move(folder.uid, folder.parent_uid).get("version", version)
        if live.title != folder.title:
            overwrite = options.forces(folder.uid)
            version = self.api.update(folder.uid, folder.title, version, overwrite).get("version", version)
        return Outcome(change, True, "updated", version)

    def _subtree(self, uid: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(every folder below `uid`, at any depth; every dashboard in it or below), as Grafana has them now."""
        folders = self.search.search(type_="dash-folder")
        children: dict[str, list[dict[str, Any]]] = {}
        for hit in folders:
            children.setdefault(hit.get("folderUid") or "", []).append(hit)
        below, todo = [], [uid]
        while todo:
            for child in children.get(todo.pop(), []):
                below.append(child)
                todo.append(child["uid"])
        dashboards = self.search.search(type_="dash-db", folder_uids=[uid] + [f["uid"] for f in below])
        return below, dashboards

    def _delete(self, change: Change) -> Outcome:
        """Delete a managed folder, unless something dash must not lose lives in it, at any depth.

        Grafana deletes a folder with its subfolders and their dashboards
        (DeleteFolder, pkg/api/folder.go). So look again, now that the
        dashboards have been applied: a folder dash did not create, a folder
        or dashboard it still wants, or a dashboard it does not manage keeps
        the folder alive.
        """
        below, dashboards = self._subtree(change.uid)
        theirs = [f["title"] for f in below if not f["uid"].startswith(FOLDER_UID_PREFIX)
                  or f["uid"] in self._wanted_folders]
        kept = [d["title"] for d in dashboards if MANAGED_TAG not in (d.get("tags") or [])
                or d["uid"] in self._wanted_dashboards]
        if theirs:
            return Outcome(change, False, f"kept: it holds {len(theirs)} folder(s) dash must not delete "
                           f"({', '.join(repr(t) for t in sorted(theirs)[:3])})", skipped=True)
        if kept:
            return Outcome(change, False, f"kept: it still holds {len(kept)} dashboard(s) dash must not delete "
                           f"({', '.join(repr(t) for t in sorted(kept)[:3])})", skipped=True)
        self.api.delete(change.uid)
        return Outcome(change, True, "deleted")
