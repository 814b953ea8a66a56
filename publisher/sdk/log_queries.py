"""Saved log queries as code: `LogQuery`, and the dashboard that stands in for a query library.

Where the Grafana server has a query library (queries.grafana.app: Grafana
Enterprise and Cloud, GA in 13.2), `dash publish` saves each query there.
Elsewhere (Grafana OSS, and file provisioning) they are published as the
dashboard "Saved log queries" that `saved_queries_dashboard` builds: one
panel per query, with its description and a link that opens it in Explore.
"""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import quote

import attrs

from ..output import canonical
from ..querylang import logql
from .dashboard import Dashboard
from .datasources import Datasource
from .errors import DashboardError
from .panels import logs, timeseries
from .query import Query

FALLBACK_UID = "saved-log-queries"
FALLBACK_FOLDER = "Logs"
_UID = re.compile(r"^[a-z0-9][a-z0-9-]{0,38}[a-z0-9]$")


@attrs.frozen
class LogQuery:
    """One saved query: a stable uid, a name, what it is for, and its LogQL."""

    uid: str
    name: str
    description: str
    expr: str
    datasource: Datasource
    tags: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not _UID.match(self.uid):
            raise DashboardError(f"saved query {self.name!r}: uid {self.uid!r} must be 2-40 characters of "
                                 "a-z, 0-9 and '-' (it is also a Kubernetes object name)")
        if not self.name.strip() or not self.description.strip():
            raise DashboardError(f"saved query {self.uid!r}: give a name and a description")
        problem = logql.check(self.expr)
        if problem:
            raise DashboardError(f"saved query {self.uid!r}: not valid LogQL: {problem}: {self.expr}")

    @property
    def is_metric(self) -> bool:
        return logql.is_metric_query(self.expr)

    def target(self) -> dict[str, object]:
        """The query as Grafana stores it (a Loki dataquery)."""
        return {
            "refId": "A",
            "datasource": self.datasource.ref(),
            "editorMode": "code",
            "expr": self.expr,
            "queryType": "range",
        }

    def explore_path(self, org_id: int = 1) -> str:
        """A Grafana URL path that opens this query in Explore."""
        panes = {"q": {"datasource": self.datasource.uid, "queries": [self.target()],
                       "range": {"from": "now-1h", "to": "now"}}}
        encoded = quote(canonical(panes), safe="")
        return f"/explore?schemaVersion=1&orgId={org_id}&panes={encoded}"


def saved_queries_dashboard(queries: Iterable[LogQuery], folder: str = FALLBACK_FOLDER) -> Dashboard:
    """The fallback: one panel per query, its description, and an Explore link:
    `saved_queries_dashboard([ERRORS, SLOW_REQUESTS])` (dash makes it for the project's LogQuery objects)."""
    queries = list(queries)
    uids = [q.uid for q in queries]
    if len(uids) != len(set(uids)):
        raise DashboardError("two saved queries share a uid")
    dashboard = Dashboard(
        "Saved log queries",
        uid=FALLBACK_UID,
        folder=folder,
        tags=["logs", "saved-queries"],
        description="The operations team's LogQL queries. Each panel runs one; its link opens it in Explore.",
        datasource=queries[0].datasource if queries else None,
        time=("now-1h", "now"),
        refresh="1m",
    )
    panels = []
    for query in queries:
        link = {"title": "Open in Explore", "url": query.explore_path(), "type": "link", "icon": "external link",
                "tooltip": query.name, "tags": [], "asDropdown": False, "targetBlank": True,
                "includeVars": False, "keepTime": True}
        description = f"{query.description}\n\n`{query.expr}`"
        extra = {"links": [link]}
        if query.is_metric:
            panels.append(timeseries(query.name, Query(query.expr, legend=""), unit="short",
                                     description=description, width=24, extra_json=extra))
        else:
            panels.append(logs(query.name, Query(query.expr), description=description, width=24, extra_json=extra))
    dashboard.panels(*panels, per_line=1, height=9)
    return dashboard
