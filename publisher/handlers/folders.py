"""Folders: nested, keyed by uid (titles need not be unique since Grafana 11.3), parents first."""

from __future__ import annotations

from typing import Any

from ..client import Grafana
from ..desired import DesiredFolder, DesiredState
from ..model import CREATE, DELETE, FOLDER_UID_PREFIX, MANAGED_TAG, UNCHANGED, UPDATE, Change, Outcome
from .base import ApplyOptions, KindPlan, PlanOptions


class FolderHandler:
    kind = "folder"

    def plan(self, grafana: Grafana, state: DesiredState, options: PlanOptions) -> KindPlan:
        desired = state.folders
        lives = grafana.map_reads(
            desired, lambda f: grafana.get_or_none(f"folder {f.uid!r}", lambda api: api.folder.get_folder(f.uid))
        )
        changes = []
        for folder, live in zip(desired, lives):
            if isinstance(live, BaseException):
                raise live
            changes.append(self._compare(folder, live))
        if options.prune:
            changes[:0] = self._prune(grafana, state)
        return KindPlan(changes)

    def _compare(self, folder: DesiredFolder, live: dict[str, Any] | None) -> Change:
        if live is None:
            return Change(self.kind, folder.uid, folder.path, CREATE, desired=folder, parent=folder.parent_uid or None)
        details = []
        if live.get("title") != folder.title:
            details.append(f"title changed from {live.get('title')!r} to {folder.title!r}")
        if (live.get("parentUid") or "") != folder.parent_uid:
            details.append(f"moved from parent {live.get('parentUid') or '(top level)'!r} to {folder.parent_uid or '(top level)'!r}")
        action = UPDATE if details else UNCHANGED
        return Change(self.kind, folder.uid, folder.path, action, tuple(details), folder, live, parent=folder.parent_uid or None)

    def _prune(self, grafana: Grafana, state: DesiredState) -> list[Change]:
        """Managed folders no longer desired, deepest first."""
        wanted = {f.uid for f in state.folders}
        hits = grafana.search(type_="dash-folder")
        parents = {h["uid"]: h.get("folderUid") or "" for h in hits}

        def depth(uid: str) -> int:
            return 0 if not uid else 1 + depth(parents.get(uid, ""))

        keep = {d.uid for d in state.dashboards}
        candidates = [h for h in hits if h["uid"].startswith(FOLDER_UID_PREFIX) and h["uid"] not in wanted]
        candidates.sort(key=lambda h: (-depth(h["uid"]), h["uid"]))
        return [Change(self.kind, h["uid"], h["title"], DELETE, desired=frozenset(keep), live=h) for h in candidates]

    def apply(self, grafana: Grafana, change: Change, options: ApplyOptions) -> Outcome:
        uid = change.uid
        if change.action == DELETE:
            return self._delete(grafana, change)
        folder: DesiredFolder = change.desired
        if change.action == CREATE:
            def already(api: Any) -> dict[str, Any] | None:
                live = api.folder.get_folder(uid)
                same = live.get("title") == folder.title and (live.get("parentUid") or "") == folder.parent_uid
                return live if same else None

            answer = grafana.call(
                f"create folder {folder.path!r}",
                lambda api: api.folder.create_folder(folder.title, uid=uid, parent_uid=folder.parent_uid or None),
                write=True, reconcile=already,
            )
            return Outcome(change, True, "created", answer.get("version"))
        live = change.live
        version = live.get("version")
        if (live.get("parentUid") or "") != folder.parent_uid:
            answer = grafana.call(f"move folder {folder.path!r}",
                                  lambda api: api.folder.move_folder(uid, folder.parent_uid), write=True)
            version = answer.get("version", version)
        if live.get("title") != folder.title:
            answer = grafana.call(
                f"rename folder {folder.path!r}",
                lambda api: api.folder.update_folder(uid, title=folder.title, version=version, overwrite=options.force),
                write=True,
            )
            version = answer.get("version", version)
        return Outcome(change, True, "updated", version)


    def _delete(self, grafana: Grafana, change: Change) -> Outcome:
        """Delete a managed folder, unless something dash must not lose still lives in it.

        Grafana deletes a folder's dashboards with it. So look again, now that
        the dashboards have been applied: a dashboard dash does not manage, or
        one it still wants, keeps the folder alive.
        """
        uid = change.uid
        inside = grafana.search(type_="dash-db", folder_uids=[uid])
        kept = [d["title"] for d in inside if MANAGED_TAG not in (d.get("tags") or []) or d["uid"] in change.desired]
        if kept:
            return Outcome(change, False, f"kept: it still holds {len(kept)} dashboard(s) dash must not delete "
                           f"({', '.join(repr(t) for t in sorted(kept)[:3])})", skipped=True)
        grafana.delete(f"delete folder {uid!r}", lambda api: api.folder.delete_folder(uid))
        return Outcome(change, True, "deleted")
