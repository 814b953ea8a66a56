"""The routing table: method, path pattern, the spec's path template and the handler's name (h_<name>)."""

from __future__ import annotations

import re

from . import apis_common

Route = tuple[str, re.Pattern, str, str]  # method, regex, spec template, handler name


def _route(method: str, template: str, handler: str, base: str = "/api") -> Route:
    pattern = "^" + base + re.sub(r"\{[^}]+\}", r"([^/]+)", template) + "/?$"
    return method, re.compile(pattern), template if base == "/api" else base + template, handler


ROUTES: list[Route] = [
    _route("GET", "/health", "health"),
    _route("GET", "", "api_groups", "/apis"),
    _route("GET", "/frontend/settings", "frontend_settings"),
    _route("GET", "/org", "get_org"),
    _route("GET", "/user", "get_user"),
    _route("GET", "/search", "search"),
    _route("POST", "/dashboards/db", "save_dashboard"),
    _route("GET", "/dashboards/uid/{uid}/versions/{DashboardVersionID}", "get_version"),
    _route("GET", "/dashboards/uid/{uid}/versions", "get_versions"),
    _route("POST", "/dashboards/uid/{uid}/restore", "restore"),
    _route("GET", "/dashboards/uid/{uid}", "get_dashboard"),
    _route("DELETE", "/dashboards/uid/{uid}", "delete_dashboard"),
    _route("GET", "/folders", "list_folders"),
    _route("POST", "/folders", "create_folder"),
    _route("POST", "/folders/{folder_uid}/move", "move_folder"),
    _route("GET", "/folders/{folder_uid}", "get_folder"),
    _route("PUT", "/folders/{folder_uid}", "update_folder"),
    _route("DELETE", "/folders/{folder_uid}", "delete_folder"),
    _route("GET", "/datasources", "list_datasources"),
    _route("POST", "/datasources", "create_datasource"),
    _route("GET", "/datasources/id/{name}", "datasource_id"),
    _route("GET", "/datasources/name/{name}", "get_datasource_by_name"),
    _route("GET", "/datasources/uid/{uid}", "get_datasource"),
    _route("PUT", "/datasources/uid/{uid}", "update_datasource"),
    _route("DELETE", "/datasources/uid/{uid}", "delete_datasource"),
]
# The query library (Grafana Enterprise and Cloud); served only when Emulator.query_library is on.
QUERY_ROUTES: list[Route] = [
    _route("GET", "/queries.grafana.app/v1", "queries_discovery", "/apis"),
    _route("GET", "/queries.grafana.app/v1/namespaces/{namespace}/queries", "list_queries", "/apis"),
    _route("POST", "/queries.grafana.app/v1/namespaces/{namespace}/queries", "create_query", "/apis"),
    _route("GET", "/queries.grafana.app/v1/namespaces/{namespace}/queries/{name}", "get_query", "/apis"),
    _route("PUT", "/queries.grafana.app/v1/namespaces/{namespace}/queries/{name}", "update_query", "/apis"),
    _route("DELETE", "/queries.grafana.app/v1/namespaces/{namespace}/queries/{name}", "delete_query", "/apis"),
]
# dashboard.grafana.app and folder.grafana.app (Grafana 12, 13); the handlers answer 404 for a version the mode
# does not serve (modes.py), as the apiserver does for an unknown path.
ROUTES += [*apis_common.resource_routes(_route, "dashboard.grafana.app", "dashboards", "dashboard"),
           *apis_common.resource_routes(_route, "folder.grafana.app", "folders", "folder")]
WRITES = {"POST", "PUT", "DELETE", "PATCH"}


def find(method: str, path: str, query_library: bool) -> Route | None:
    """The first route that matches; the query library's only when it is served."""
    routes = ROUTES + (QUERY_ROUTES if query_library else [])
    return next(((m, rx, t, h) for m, rx, t, h in routes if m == method and rx.match(path)), None)
