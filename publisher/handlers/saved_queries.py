"""Saved queries in Grafana's query library (queries.grafana.app/v1, Enterprise and Cloud).

One Kubernetes-style object per query, named by the query's uid, so that
re-publishing updates the same object and never adds a second one. Updates
send the resourceVersion dash read, so an edit made in between gets a 409
conflict instead of being overwritten. Managed objects carry the tag
`dash-managed`; prune deletes only those.

The shape follows Grafana's "Queries HTTP API" docs and the Terraform
resource grafana_apps_queries_query_v1: spec {title, description, isVisible,
tags, targets: [{properties: <dataquery>, variables: {}}]}.
"""

from __future__ import annotations

from typing import Any

from ..grafana import GrafanaError
from ..grafana.api import QueryLibraryAPI
from ..model import (
    CREATE,
    DELETE,
    MANAGED_TAG,
    PROJECT_TAG,
    UNCHANGED,
    UPDATE,
    Change,
    DesiredQuery,
    DesiredState,
    LiveQuery,
    Outcome,
    project_of,
)
from .base import ApplyOptions, PlanOptions, other_project


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = dict(obj.get("spec") or {})
    spec.setdefault("description", "")
    spec.setdefault("tags", [])
    spec.setdefault("isVisible", True)
    return spec


def _live(raw: dict[str, Any]) -> LiveQuery:
    spec = _spec(raw)
    name = raw["metadata"]["name"]
    return LiveQuery(name, spec.get("title", name), spec, (raw.get("metadata") or {}).get("resourceVersion", ""))


class SavedQueryHandler:
    kind = "saved-query"
    notes_orphans = False  # without --prune, only dashboards are listed as no longer declared

    def __init__(self, api: QueryLibraryAPI | None) -> None:
        self.api = api  # None: this Grafana has no query library (the queries go out as a dashboard)

    def wanted(self, state: DesiredState) -> list[DesiredQuery]:
        return state.saved_queries if self.api is not None else []

    def read(self, desired: DesiredQuery) -> LiveQuery | None:
        raw = self.api.get(desired.uid) if self.api is not None else None
        return _live(raw) if raw is not None else None

    def owned(self, state: DesiredState) -> list[LiveQuery]:
        if self.api is None:
            return []
        mark = PROJECT_TAG + state.project
        return [q for q in map(_live, self.api.list()) if {MANAGED_TAG, mark} <= set(q.spec.get("tags") or [])]

    def notes(self, state: DesiredState, lives: list[Any]) -> list[str]:
        return []

    def compare(self, desired: DesiredQuery, live: LiveQuery | None, options: PlanOptions) -> Change:
        if live is None:
            return Change(self.kind, desired.uid, desired.name, CREATE, ("in the query library",), desired)
        ours = desired.object["spec"]
        blocked = other_project(project_of(live.spec.get("tags")), project_of(ours.get("tags")),
                                f"saved query {desired.uid!r}")
        if blocked is not None:
            return Change(self.kind, desired.uid, desired.name, UPDATE, ("belongs to another project",), desired,
                          live, blocked)
        keys = sorted(set(live.spec) | set(ours))
        details = [f"{key} changed" for key in keys if live.spec.get(key) != ours.get(key)]
        return Change(self.kind, desired.uid, desired.name, UPDATE if details else UNCHANGED, tuple(details),
                      desired, live)

    def plan_delete(self, live: LiveQuery, state: DesiredState) -> Change:
        return Change(self.kind, live.uid, live.title, DELETE, live=live)

    def orphan_note(self, orphans: list[LiveQuery]) -> str:
        return f"{len(orphans)} saved quer(ies) published by dash are no longer declared; --prune deletes them"

    def apply(self, change: Change, options: ApplyOptions) -> Outcome:
        assert self.api is not None  # the plan has no saved-query change without a library
        if change.action == DELETE:
            self.api.delete(change.uid)
            return Outcome(change, True, "deleted")
        ours: DesiredQuery = change.desired

        def already(_: Any) -> dict[str, Any] | None:
            live = self.read(ours)
            return {"metadata": {}} if live is not None and live.spec == ours.object["spec"] else None

        if change.action == CREATE:
            answer = self.api.create(ours.object, reconcile=already)
        else:
            obj = {**ours.object, "metadata": {**ours.object["metadata"],
                                               "resourceVersion": change.live.resource_version}}
            try:
                answer = self.api.update(obj, reconcile=already)
            except GrafanaError as exc:
                if exc.status == 409:
                    raise GrafanaError(f"saved query {ours.uid!r} was changed in Grafana while dash was publishing "
                                       "it (HTTP 409 conflict); nothing was overwritten; publish again", 409,
                                       exc.body) from None
                raise
        version = (answer.get("metadata") or {}).get("generation")
        return Outcome(change, True, "created" if change.action == CREATE else "updated", version)
