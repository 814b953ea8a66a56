"""Dashboards on a Grafana server: compare panel by panel, refuse to overwrite edits made in Grafana.

Drift protection. Every save dash makes carries, in its version message, a
hash of the content it published (`[dash sha256:...]`). Before updating a
dashboard, dash hashes the live content and looks for that hash among the
recent versions' messages. If it is not there, someone changed the dashboard
in Grafana since dash published it; dash names who and when (from meta) and
refuses, unless --force. The save itself sends the version dash read with
`overwrite: false`, so an edit made between the read and the write gets
Grafana's 412 version-mismatch instead of being overwritten.
"""

from __future__ import annotations

import re
from typing import Any

from ..grafana import GrafanaError
from ..grafana.api import DashboardAPI, SearchAPI
from ..model import (
    CREATE,
    DELETE,
    HASH_MARK,
    MANAGED_TAG,
    UNCHANGED,
    UPDATE,
    Change,
    DesiredDashboard,
    DesiredState,
    Drift,
    LiveDashboard,
    Outcome,
)
from ..output import content_hash
from .base import ApplyOptions, PlanOptions
from .dashboard_words import dashboard_words, normalise, unified

VERSIONS_SEARCHED = 20
MESSAGE_LIMIT = 500  # Grafana refuses longer version messages
_HASH = re.compile(re.escape(HASH_MARK) + r"([0-9a-f]{16})\]")


def version_message(message: str, digest: str) -> str:
    mark = f" {HASH_MARK}{digest}]"
    return message[: MESSAGE_LIMIT - len(mark)] + mark


def _live(answer: dict[str, Any]) -> LiveDashboard:
    meta = answer.get("meta") or {}
    data = answer["dashboard"]
    return LiveDashboard(
        uid=data.get("uid") or "", title=data.get("title") or "",
        version=data.get("version") or meta.get("version") or 0,
        folder_uid=meta.get("folderUid") or "", folder_title=meta.get("folderTitle") or "General",
        updated_by=meta.get("updatedBy") or "", updated=meta.get("updated") or "",
        json=data, tags=tuple(data.get("tags") or ()),
    )


class DashboardHandler:
    kind = "dashboard"
    notes_orphans = True

    def __init__(self, api: DashboardAPI, search: SearchAPI) -> None:
        self.api = api
        self.search = search
        self._existing: set[str] | None = None  # uids a search found, so that absent ones are not read

    def wanted(self, state: DesiredState) -> list[DesiredDashboard]:
        return state.dashboards

    def prepare(self, wanted: list[DesiredDashboard]) -> None:
        self._existing = {hit["uid"] for hit in self.search.dashboards_by_uid([d.uid for d in wanted])}

    def read(self, desired: DesiredDashboard) -> LiveDashboard | None:
        if self._existing is not None and desired.uid not in self._existing:
            return None
        answer = self.api.get(desired.uid)
        return _live(answer) if answer is not None else None

    def owned(self) -> list[LiveDashboard]:
        hits = self.search.search(tag=[MANAGED_TAG], type_="dash-db")
        return [LiveDashboard(h["uid"], h.get("title") or "", 0, h.get("folderUid") or "", "", "", "", {},
                              tuple(h.get("tags") or ())) for h in sorted(hits, key=lambda h: h["uid"])]

    def notes(self, state: DesiredState, lives: list[Any]) -> list[str]:
        return []

    def compare(self, desired: DesiredDashboard, live: LiveDashboard | None, options: PlanOptions) -> Change:
        ours = normalise(desired.json)
        parent = desired.folder_uid or None
        if live is None:
            diff = unified(None, ours, f"{desired.uid}.json") if options.verbose else None
            return Change(self.kind, desired.uid, desired.title, CREATE, (f"in folder {desired.folder_path!r}",),
                          desired=desired, unified_diff=diff, parent=parent)
        theirs = normalise(live.json)
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
        versions = self.api.versions(live.uid, limit=VERSIONS_SEARCHED)
        published = {m.group(1) for v in versions for m in [_HASH.search(v.get("message") or "")] if m}
        if content_hash(theirs) in published:
            return None
        return Drift(live.updated_by, live.updated, "changed in Grafana since dash published it")

    def plan_delete(self, live: LiveDashboard, state: DesiredState) -> Change:
        return Change(self.kind, live.uid, live.title, DELETE, live=live, parent=live.folder_uid or None)

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
            "overwrite": bool(options.force and change.action == UPDATE),
            "message": version_message(options.message, content_hash(ours)),
        }

        def already(_: Any) -> dict[str, Any] | None:
            # A retried save whose first attempt landed meets 412: fine if Grafana now holds our content.
            answer = self.api.get(d.uid)
            same = answer is not None and normalise(answer["dashboard"]) == ours and \
                (answer.get("meta") or {}).get("folderUid", "") == d.folder_uid
            return {"version": answer["dashboard"].get("version")} if same else None

        try:
            answer = self.api.save(body, reconcile=already)
        except GrafanaError as exc:
            if exc.status == 412 and isinstance(exc.body, dict) and exc.body.get("status") == "version-mismatch":
                raise GrafanaError(
                    f"dashboard {d.uid!r} was changed in Grafana while dash was publishing it (HTTP 412 "
                    "version-mismatch); nothing was overwritten; run `dash diff` and publish again",
                    412, exc.body) from None
            raise
        return Outcome(change, True, "created" if change.action == CREATE else "updated", answer.get("version"))
