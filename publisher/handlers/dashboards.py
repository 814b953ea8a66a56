"""Dashboards: compare panel by panel, refuse to overwrite edits made in Grafana, save by version.

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

import attrs

from .. import normalize
from ..client import Grafana, GrafanaError
from ..desired import DesiredDashboard, DesiredState
from ..diffing import dashboard_words, unified
from ..model import CREATE, DELETE, HASH_MARK, MANAGED_TAG, UNCHANGED, UPDATE, Change, Drift, Outcome, content_hash
from .base import ApplyOptions, KindPlan, PlanOptions

VERSIONS_SEARCHED = 20
MESSAGE_LIMIT = 500  # Grafana refuses longer version messages
_HASH = re.compile(re.escape(HASH_MARK) + r"([0-9a-f]{16})\]")


@attrs.frozen
class LiveDashboard:
    version: int
    folder_uid: str
    folder_title: str
    updated_by: str
    updated: str
    normalized: dict[str, Any]


def version_message(message: str, digest: str) -> str:
    mark = f" {HASH_MARK}{digest}]"
    return message[: MESSAGE_LIMIT - len(mark)] + mark


class DashboardHandler:
    kind = "dashboard"

    def plan(self, grafana: Grafana, state: DesiredState, options: PlanOptions) -> KindPlan:
        desired = state.dashboards
        existing = {hit["uid"] for hit in grafana.search_uids([d.uid for d in desired])}
        results = grafana.map_reads(
            desired, lambda d: self._compare(grafana, d, options) if d.uid in existing else self._create(d, options)
        )
        changes = []
        for result in results:
            if isinstance(result, BaseException):
                raise result
            changes.append(result)
        notes = []
        wanted = {d.uid for d in desired}
        orphans = [h for h in grafana.search(tag=[MANAGED_TAG], type_="dash-db") if h["uid"] not in wanted]
        if options.prune:
            changes[:0] = [Change(self.kind, h["uid"], h["title"], DELETE, live=h, parent=h.get("folderUid"))
                           for h in sorted(orphans, key=lambda h: h["uid"])]
        elif orphans:
            notes.append(f"{len(orphans)} dashboard(s) published by dash are no longer declared "
                         f"({', '.join(sorted(h['uid'] for h in orphans)[:5])}); --prune deletes them")
        return KindPlan(changes, notes)

    def _create(self, d: DesiredDashboard, options: PlanOptions) -> Change:
        ours = normalize.dashboard(d.json)
        details = (f"in folder {d.folder_path!r}",)
        diff = unified(None, ours, f"{d.uid}.json") if options.verbose else None
        return Change(self.kind, d.uid, d.title, CREATE, details, desired=d, unified_diff=diff,
                      parent=d.folder_uid or None)

    def _compare(self, grafana: Grafana, d: DesiredDashboard, options: PlanOptions) -> Change:
        answer = grafana.get_or_none(f"dashboard {d.uid!r}", lambda api: api.dashboard.get_dashboard(d.uid))
        if answer is None:  # deleted since the search
            return self._create(d, options)
        meta = answer.get("meta") or {}
        theirs = normalize.dashboard(answer["dashboard"])
        ours = normalize.dashboard(d.json)
        live = LiveDashboard(
            version=answer["dashboard"].get("version") or meta.get("version") or 0,
            folder_uid=meta.get("folderUid") or "",
            folder_title=meta.get("folderTitle") or "General",
            updated_by=meta.get("updatedBy") or "",
            updated=meta.get("updated") or "",
            normalized=theirs,
        )
        details = []
        if live.folder_uid != d.folder_uid:
            details.append(f"moved from folder {live.folder_title!r} to {d.folder_path!r}")
        if theirs != ours:
            details.extend(dashboard_words(theirs, ours) or ["content changed"])
        if not details:
            return Change(self.kind, d.uid, d.title, UNCHANGED, desired=d, live=live, parent=d.folder_uid or None)
        drift = self._drift(grafana, d, answer["dashboard"], live)
        diff = unified(theirs, ours, f"{d.uid}.json") if options.verbose else None
        return Change(self.kind, d.uid, d.title, UPDATE, tuple(details), d, live, drift, unified_diff=diff,
                      parent=d.folder_uid or None)

    def _drift(self, grafana: Grafana, d: DesiredDashboard, raw: dict[str, Any], live: LiveDashboard) -> Drift | None:
        if MANAGED_TAG not in (raw.get("tags") or []):
            return Drift(live.updated_by, live.updated, "exists in Grafana but was not published by dash")
        versions = grafana.dashboard_versions(d.uid, limit=VERSIONS_SEARCHED)
        published = {m.group(1) for v in versions for m in [_HASH.search(v.get("message") or "")] if m}
        if content_hash(live.normalized) in published:
            return None
        return Drift(live.updated_by, live.updated, "changed in Grafana since dash published it")

    def apply(self, grafana: Grafana, change: Change, options: ApplyOptions) -> Outcome:
        uid = change.uid
        if change.action == DELETE:
            grafana.delete(f"delete dashboard {uid!r}", lambda api: api.dashboard.delete_dashboard(uid))
            return Outcome(change, True, "deleted")
        if change.drift is not None and not options.force:
            return Outcome(change, False, f"refused: {change.drift.describe()}; review it with `dash diff`, "
                           "then publish with --force to overwrite", skipped=False)
        d: DesiredDashboard = change.desired
        ours = normalize.dashboard(d.json)
        digest = content_hash(ours)
        dashboard = {k: v for k, v in d.json.items() if k not in ("id", "version")}
        dashboard["uid"] = uid
        if change.action == UPDATE:
            dashboard["version"] = change.live.version
        body = {
            "dashboard": dashboard,
            "folderUid": d.folder_uid,
            "overwrite": bool(options.force and change.action == UPDATE),
            "message": version_message(options.message, digest),
        }

        def already(api: Any) -> dict[str, Any] | None:
            # A retried save whose first attempt landed meets 412: fine if Grafana now holds our content.
            answer = api.dashboard.get_dashboard(uid)
            same = normalize.dashboard(answer["dashboard"]) == ours and \
                (answer.get("meta") or {}).get("folderUid", "") == d.folder_uid
            return {"version": answer["dashboard"].get("version")} if same else None

        try:
            answer = grafana.call(f"save dashboard {uid!r}", lambda api: api.dashboard.update_dashboard(body),
                                  write=True, reconcile=already)
        except GrafanaError as exc:
            if exc.status == 412 and isinstance(exc.body, dict) and exc.body.get("status") == "version-mismatch":
                raise GrafanaError(
                    f"dashboard {uid!r} was changed in Grafana while dash was publishing it (HTTP 412 "
                    "version-mismatch); nothing was overwritten; run `dash diff` and publish again",
                    412, exc.body) from None
            raise
        return Outcome(change, True, "created" if change.action == CREATE else "updated", answer.get("version"))
