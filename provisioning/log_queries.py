"""Saved log queries as code: the guide's LogQL queries for the operations team, and what it implies.

Where the Grafana server has a query library (queries.grafana.app: Grafana
Enterprise and Cloud, GA in 13.2), `dash publish` saves them there. Elsewhere
(Grafana OSS, and file provisioning) they are published as the dashboard
"Saved log queries" built here: one panel per query, with its description and
a link that opens it in Explore.

The fields the queries read are part of the application's log contract, as the
business metrics are: JSON records with `level`, `logger`, `timestamp` and
`message` (the guide's formatter), plus `duration` on query logs, `user_id` on
authentication logs and `client_ip` on authentication failures; and uvicorn's
access lines (`<client> - "<method> <path> HTTP/1.1" <status>`).
"""

from __future__ import annotations

import json
import re
from typing import Iterable
from urllib.parse import quote

import attrs

from dashboards.sdk import Dashboard, Datasource, DashboardError, Query, logs, timeseries

from . import logql
from .datasources import LOKI

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
    datasource: Datasource = LOKI
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
        encoded = quote(json.dumps(panes, separators=(",", ":"), sort_keys=True), safe="")
        return f"/explore?schemaVersion=1&orgId={org_id}&panes={encoded}"


API = '{job="api"}'
ACCESS_LINE = '`<client> - "<method> <endpoint> <_>" <status> <_>`'

LOG_QUERIES = (
    LogQuery(
        "api-errors", "API errors",
        "ERROR-level records of the API's JSON logs (the guide's first query).",
        f'{API} |= "error" | json | level="ERROR"', tags=("api", "errors"),
    ),
    LogQuery(
        "slow-database-queries", "Slow database queries",
        "Query logs whose duration is over one second.",
        f'{API} |= "query" | json | duration > 1s', tags=("api", "database"),
    ),
    LogQuery(
        "user-registrations", "User registrations",
        "Each completed sign-up (the 'user registered' event).",
        f'{API} |= "user registered" | json', tags=("api", "business"),
    ),
    LogQuery(
        "authentication-failures", "Authentication failures",
        "Failed logins that name a user.",
        f'{API} |= "authentication failed" | json | user_id != ""', tags=("api", "security"),
    ),
    LogQuery(
        "5xx-by-endpoint", "5xx responses by endpoint",
        "Server errors per endpoint, counted over 5 minutes from uvicorn's access lines.",
        f"sum by (endpoint) (count_over_time({API} | pattern {ACCESS_LINE} | status >= 500 [5m]))",
        tags=("api", "errors"),
    ),
    LogQuery(
        "repeated-auth-failures-by-ip", "Repeated authentication failures by client IP",
        "Client IPs with more than 5 failed logins in 5 minutes: a credential-stuffing or brute-force signal.",
        f'sum by (client_ip) (count_over_time({API} |= "authentication failed" | json [5m])) > 5',
        tags=("api", "security"),
    ),
)


def saved_queries_dashboard(queries: Iterable[LogQuery], folder: str = FALLBACK_FOLDER) -> Dashboard:
    """The fallback: one panel per query, its description, and an Explore link."""
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
        datasource=LOKI,
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
