"""Dashboards on a Grafana server: compare panel by panel, refuse to overwrite edits made in Grafana.

Drift protection. Every save dash makes carries, in its version message, a
hash of what it published, content and folder (`[dash sha256:...]`). Before
updating or deleting a dashboard, dash hashes the live content and folder and
looks for that hash among the versions' messages, newest first. Grafana's
versions list rewrites the message of a first version ("Initial save") and of
a restore ("Restored from version N") (GetDashboardVersions in
pkg/api/dashboard.go), so for those dash reads the one version, whose message
is as saved (GetDashboardVersion). If the hash is nowhere, someone changed or
moved the dashboard in Grafana since; dash names who and when (from meta) and
refuses, unless --force. The save sends the version dash read with
`overwrite: false`, so an edit made between the read and the write gets
Grafana's 412 version-mismatch (409 on 13.x, saveDashboardViaK8s) instead of
being overwritten. Whether a dashboard exists is decided by a GET by uid, not
by search, which may lag behind writes under unified storage.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from ..grafana import GrafanaError
from ..grafana.api import DashboardAPI
from ..model import (
    CREATE,
    DELETE,
    HASH_MARK,
    MANAGED_TAG,
    PROJECT_TAG,
    UNCHANGED,
    UPDATE,
    Change,
    DesiredDashboard,
    DesiredState,
    Drift,
    LiveDashboard,
    Outcome,
    project_of,
)
from ..output import content_hash
from .base import ApplyOptions, PlanOptions, other_project
from .dashboard_words import dashboard_words, normalise, unified

VERSIONS_SEARCHED = 200  # how far back a published mark is looked for before the dashboard counts as changed
MESSAGE_LIMIT = 500  # Grafana refuses longer version messages
_HASH = re.compile(re.escape(HASH_MARK) + r"([0-9a-f]{16})\]")


def version_message(message: str, digest: str) -> str:
    mark = f" {HASH_MARK}{digest}]"
    return message[: MESSAGE_LIMIT - len(mark)] + mark


def published_hash(normalised: dict[str, Any], folder_uid: str) -> str:
    """The mark of what dash published: the content and where it lives, so that a move is a change too."""
    return content_hash({"dashboard": normalised, "folderUid": folder_uid})


def _rewritten(version: dict[str, Any]) -> bool:
    """Whether the versions list shows another message than the one saved (GetDashboardVersions)."""
    message = version.get("message") or ""
    return (version.get("parentVersion") == 0 or (version.get("restoredFrom") or 0) > 0
            or message.startswith(("Initial save", "Restored from version ")))


def _is_conflict(exc: GrafanaError) -> bool:
    """A save that met a newer version: 412 version-mismatch, 13.x's 409 (saveDashboardViaK8s), or /apis'
    409 Status (Conflict: a stale resourceVersion; AlreadyExists: created meanwhile)."""
    body = exc.body if isinstance(exc.body, dict) else {}
    return (exc.status == 412 and body.get("status") == "version-mismatch") or \
        (exc.status == 409 and "overwrite flag" in str(body.get("message") or "")) or \
        (exc.status == 409 and body.get("kind") == "Status" and body.get("reason") in ("Conflict", "AlreadyExists"))


def _live(answer: dict[str, Any]) -> LiveDashboard:
    meta = answer.get("meta") or {}
    data = answer["dashboard"]
    return LiveDashboard(
        uid=data.get("uid") or "", title=data.get("title") or "",
        version=data.get("version") or meta.get("version") or 0,
        folder_uid=meta.get("folderUid") or "", folder_title=meta.get("folderTitle") or "General",
        updated_by=meta.get("updatedBy") or "", updated=meta.get("updated") or "",
        json=data, tags=tuple(data.get("tags") or ()), stored_as_v2=bool(meta.get("storedAsV2")),
        resource_version=meta.get("resourceVersion"),
    )


class DashboardHandler:
    kind = "dashboard"
    notes_orphans = True

    def __init__(self, api: DashboardAPI, managed: Callable[[list[str]], list[dict[str, Any]]]) -> None:
        self.api = api  # api.DashboardAPI (/api) or native.NativeDashboardAPI (/apis): the same methods
        self.managed = managed  # tags -> the dashboards carrying all of them, as search hits

    def wanted(self, state: DesiredState) -> list[DesiredDashboard]:
        return state.dashboards

    def read(self, desired: DesiredDashboard) -> LiveDashboard | None:
        return self._read(desired.uid)

    def _read(self, uid: str) -> LiveDashboard | None:
        try:
            answer = self.api.get(uid)
        except GrafanaError as exc:
            if exc.status != 406:
                raise
            # Stored as v2 (12.x answers 406 on /api): there, but not readable as the JSON dash publishes.
            return LiveDashboard(uid, "", 0, "", "", "", "", {}, (), stored_as_v2=True)
        return _live(answer) if answer is not None else None

    def owned(self, state: DesiredState) -> list[LiveDashboard]:
        hits = self.managed([MANAGED_TAG, PROJECT_TAG + state.project])
        return [LiveDashboard(h["uid"], h.get("title") or "", 0, h.get("folderUid") or "", "", "", "", {},
                              tuple(h.get("tags") or ())) for h in sorted(hits, key=lambda h: h["uid"])]

    def notes(self, state: DesiredState, lives: list[Any]) -> list[str]:
        return []

    def held(self, state: DesiredState) -> set[str]:
        """Dashboards declared but not built this run: not orphans."""
        return {uid for uid, _ in state.held}

    def compare(self, desired: DesiredDashboard, live: LiveDashboard | None, options: PlanOptions) -> Change:
        ours = normalise(desired.json)
        parent = desired.folder_uid or None
        if live is None:
            diff = unified(None, ours, f"{desired.uid}.json") if options.verbose else None
            return Change(self.kind, desired.uid, desired.title, CREATE, (f"in folder {desired.folder_path!r}",),
                          desired=desired, unified_diff=diff, parent=parent)
        if live.stored_as_v2:
            return Change(self.kind, desired.uid, desired.title, UPDATE,
                          ("stored as v2 in Grafana; dash publishes v1 (the classic JSON model)",), desired, live,
                          Drift("", "", "converted to the v2 schema in Grafana, which /api cannot read"),
                          parent=parent)
        theirs = normalise(live.json)
        blocked = other_project(project_of(live.tags), project_of(desired.json.get("tags")),
                                f"dashboard {desired.uid!r}")
        if blocked is not None:
            return Change(self.kind, desired.uid, desired.title, UPDATE, ("belongs to another project",), desired,
                          live, blocked, parent=parent)
        details = []
        if live.folder_uid != desired.folder_uid:
            details.append(f"moved from folder {live.folder_title!r} to {desired.folder_path!r}")
        if theirs != ours:
            details.extend(dashboard_words(theirs, ours) or ["content changed"])
        if not details:
            return Change(self.kind, desired.uid, desired.title, UNCHANGED, desired=desired, live=live, parent=parent)
        diff = unified(theirs, ours, f"{desired.uid}.json") if options.verbose else None
        return Change(self.kind, desired.uid, desired.title, UPDATE, tuple(details), desired, live,
                      self._drift(live, theirs), unified_diff=diff, parent=parent)

    def _drift(self, live: LiveDashboard, theirs: dict[str, Any]) -> Drift | None:
        if MANAGED_TAG not in live.tags:
            return Drift(live.updated_by, live.updated, "exists in Grafana but was not published by dash")
        # The content alone: the mark of dash before it hashed the folder too, adopted once.
        wanted = {published_hash(theirs, live.folder_uid), content_hash(theirs)}
        found, last_ours = self._published(live.uid, wanted)
        if found:
            return None
        return Drift(live.updated_by, live.updated, "changed in Grafana since dash published it",
                     edits=self._edits(live, theirs, last_ours))

    def _published(self, uid: str, wanted: set[str]) -> tuple[bool, int | None]:
        """Whether one of the versions, newest first, carries one of the `wanted` marks; and the newest version
        that carries any mark of dash's (what dash last published)."""
        newest_ours = None
        for searched, version in enumerate(self.api.history(uid)):
            if searched >= VERSIONS_SEARCHED:
                break
            marks = set(_HASH.findall(version.get("message") or ""))
            if not marks and _rewritten(version):
                saved = self.api.version(uid, version["version"]) or {}
                marks = set(_HASH.findall(saved.get("message") or ""))
            if marks & wanted:
                return True, version["version"]
            if marks and newest_ours is None:
                newest_ours = version["version"]
        return False, newest_ours

    def _edits(self, live: LiveDashboard, theirs: dict[str, Any], number: int | None) -> tuple[str, ...]:
        """What was changed in Grafana: the words from the version dash last published to the live one (the
        direction the person took it, the reverse of publish's). One more read, for drifted dashboards only."""
        if number is None:
            return ()
        saved = self.api.version(live.uid, number) or {}
        data = saved.get("data")
        if not isinstance(data, dict):  # /apis: one version's spec comes from the history list
            data = next((r.get("data") for r in self.api.revisions(live.uid) if r.get("version") == number), None)
        if not isinstance(data, dict):
            return ()
        return tuple(dashboard_words(normalise(data), theirs)) or ("content changed",)

    def plan_delete(self, live: LiveDashboard, state: DesiredState) -> Change | None:
        current = self._read(live.uid)  # search may be stale: look at the object itself
        if current is None:
            return None
        drift = None if current.stored_as_v2 else self._drift(current, normalise(current.json))
        return Change(self.kind, current.uid, current.title or live.title, DELETE, live=current, drift=drift,
                      parent=current.folder_uid or live.folder_uid or None)

    def orphan_note(self, orphans: list[LiveDashboard]) -> str:
        return (f"{len(orphans)} dashboard(s) published by dash are no longer declared "
                f"({', '.join(sorted(o.uid for o in orphans)[:5])}); --prune deletes them")

    def apply(self, change: Change, options: ApplyOptions) -> Outcome:
        if change.action == DELETE:
            self.api.delete(change.uid)
            return Outcome(change, True, "deleted")
        d: DesiredDashboard = change.desired
        ours = normalise(d.json)
        dashboard = {k: v for k, v in d.json.items() if k not in ("id", "version")}
        dashboard["uid"] = d.uid
        if change.action == UPDATE:
            dashboard["version"] = change.live.version
        body = {
            "dashboard": dashboard,
            "folderUid": d.folder_uid,
            "overwrite": options.forces(d.uid) and change.action == UPDATE,
            "message": version_message(options.message, published_hash(ours, d.folder_uid)),
        }
        if change.action == UPDATE and change.live.resource_version:  # /apis: the optimistic lock
            body["resourceVersion"] = change.live.resource_version

        def already(_: Any) -> dict[str, Any] | None:
            # A retried save whose first attempt landed meets 412: fine if Grafana now holds our content.
            answer = self.api.get(d.uid)
            same = answer is not None and normalise(answer["dashboard"]) == ours and \
                (answer.get("meta") or {}).get("folderUid", "") == d.folder_uid
            return {"version": answer["dashboard"].get("version")} if same else None

        try:
            answer = self.api.save(body, reconcile=already)
        except GrafanaError as exc:
            if _is_conflict(exc):
                raise GrafanaError(
                    f"dashboard {d.uid!r} was changed in Grafana while dash was publishing it (HTTP {exc.status} "
                    f"{'version-mismatch' if exc.status == 412 else 'conflict'}); nothing was overwritten; run "
                    "`dash diff` and publish again", exc.status, exc.body) from None
            raise
        return Outcome(change, True, "created" if change.action == CREATE else "updated", answer.get("version"))
