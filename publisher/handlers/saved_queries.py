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

from ..client import Grafana, GrafanaError
from ..model import CREATE, DELETE, MANAGED_TAG, UNCHANGED, UPDATE, Change, Outcome
from .base import ApplyOptions, KindPlan, PlanOptions

GROUP_VERSION = "queries.grafana.app/v1"
LIST_PAGE = 500


def desired_object(query: Any) -> dict[str, Any]:
    tags = list(query.tags) + ([MANAGED_TAG] if MANAGED_TAG not in query.tags else [])
    return {
        "apiVersion": GROUP_VERSION,
        "kind": "Query",
        "metadata": {"name": query.uid},
        "spec": {
            "title": query.name,
            "description": query.description,
            "isVisible": True,
            "tags": tags,
            "targets": [{"properties": query.target(), "variables": {}}],
        },
    }


def _spec(obj: dict[str, Any]) -> dict[str, Any]:
    spec = dict(obj.get("spec") or {})
    spec.setdefault("description", "")
    spec.setdefault("tags", [])
    spec.setdefault("isVisible", True)
    return spec


class SavedQueryHandler:
    kind = "saved-query"

    def _path(self, grafana: Grafana, name: str = "") -> str:
        suffix = f"/{name}" if name else ""
        return f"/{GROUP_VERSION}/namespaces/{grafana.namespace}/queries{suffix}"

    def plan(self, grafana: Grafana, state: Any, options: PlanOptions) -> KindPlan:
        if not state.query_library:
            return KindPlan([])  # the queries go out as the fallback dashboard
        queries = list(state.saved_queries)
        lives = grafana.map_reads(queries, lambda q: self._get(grafana, q.uid))
        changes = []
        for query, live in zip(queries, lives):
            if isinstance(live, BaseException):
                raise live
            ours = desired_object(query)
            if live is None:
                changes.append(Change(self.kind, query.uid, query.name, CREATE, ("in the query library",), ours))
                continue
            theirs = _spec(live)
            details = [f"{key} changed" for key in sorted(set(theirs) | set(ours["spec"]))
                       if theirs.get(key) != ours["spec"].get(key)]
            changes.append(Change(self.kind, query.uid, query.name, UPDATE if details else UNCHANGED,
                                  tuple(details), ours, live))
        if options.prune:
            wanted = {q.uid for q in queries}
            for item in self._list(grafana):
                name = item["metadata"]["name"]
                if name not in wanted and MANAGED_TAG in (_spec(item).get("tags") or []):
                    changes.insert(0, Change(self.kind, name, _spec(item).get("title", name), DELETE, live=item))
        return KindPlan(changes)

    def _get(self, grafana: Grafana, name: str) -> dict[str, Any] | None:
        try:
            return grafana.call(f"saved query {name!r}", lambda api: api.client.GET(self._path(grafana, name)),
                                base="apis")
        except GrafanaError as exc:
            if exc.status == 404:
                return None
            raise

    def _list(self, grafana: Grafana) -> list[dict[str, Any]]:
        items, token = [], ""
        while True:
            params = {"limit": LIST_PAGE, **({"continue": token} if token else {})}
            page = grafana.call("list saved queries",
                                lambda api: api.client.GET(self._path(grafana), params=params), base="apis")
            items.extend(page.get("items") or [])
            token = (page.get("metadata") or {}).get("continue") or ""
            if not token:
                return items

    def apply(self, grafana: Grafana, change: Change, options: ApplyOptions) -> Outcome:
        name = change.uid
        if change.action == DELETE:
            grafana.delete(f"delete saved query {name!r}", lambda api: api.client.DELETE(self._path(grafana, name)),
                           base="apis")
            return Outcome(change, True, "deleted")
        ours = change.desired

        def already(api: Any) -> dict[str, Any] | None:
            live = api.client.GET(self._path(grafana, name))
            return live if _spec(live) == ours["spec"] else None

        if change.action == CREATE:
            answer = grafana.call(f"save query {name!r}", lambda api: api.client.POST(self._path(grafana), json=ours),
                                  write=True, reconcile=already, base="apis")
        else:
            body = {**ours, "metadata": {**ours["metadata"],
                                         "resourceVersion": change.live["metadata"].get("resourceVersion", "")}}
            try:
                answer = grafana.call(f"update saved query {name!r}",
                                      lambda api: api.client.PUT(self._path(grafana, name), json=body),
                                      write=True, reconcile=already, base="apis")
            except GrafanaError as exc:
                if exc.status == 409:
                    raise GrafanaError(f"saved query {name!r} was changed in Grafana while dash was publishing it "
                                       "(HTTP 409 conflict); nothing was overwritten; publish again", 409, exc.body) from None
                raise
        version = (answer.get("metadata") or {}).get("generation")
        return Outcome(change, True, "created" if change.action == CREATE else "updated", version)
