"""Render: a project's Dashboard objects become Grafana JSON, once each.

A dashboard that fails to render becomes a LoadError naming its file and
line; the others still render. Two dashboards with one uid are one error (the
second is dropped by `unique`: both would be one file and one Grafana object). Where the
project declares saved log queries, the dashboard that stands in for a query
library is rendered too, marked as such, so that lint checks it and the
desired state can leave it out where the server has a library.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import attrs

from .dashboard_json import walk_panels
from .loader import LoadError, display_path
from .output import json_bytes
from .project import Project

DASHBOARD = "dashboard"
SAVED_QUERIES_FALLBACK = "saved-queries-fallback"  # stands in for the query library


@attrs.frozen
class Rendered:
    uid: str
    title: str
    folder: str
    json: dict[str, Any]
    source: str  # file:line that declared it
    datasources: tuple[str, ...] = ()  # uids of the datasources it uses
    panel_sources: dict[int, str] = attrs.field(factory=dict, eq=False, repr=False)  # panel id -> file:line
    role: str = DASHBOARD
    _encoded: list[bytes] = attrs.field(factory=list, eq=False, repr=False)  # a one-slot cache

    @property
    def encoded(self) -> bytes:
        """The file's bytes, encoded once however many places the dashboard is written to."""
        if not self._encoded:
            self._encoded.append(json_bytes(self.json))
        return self._encoded[0]

    @property
    def relpath(self) -> PurePosixPath:
        return PurePosixPath(*self.folder.split("/"), f"{self.uid}.json")

    @property
    def panel_count(self) -> int:
        return sum(1 for at in walk_panels(self.json) if at.panel.get("type") != "row")


@attrs.frozen
class RenderResult:
    dashboards: list[Rendered]
    errors: list[LoadError]


def _render_one(dashboard: Any, role: str) -> Rendered:
    """Raises DashboardError."""
    file, line = dashboard.declared_at
    data = dashboard.to_json()
    uids = tuple(ds.uid for ds in dashboard.datasources())
    panel_sources = {pid: f"{display_path(f)}:{n}" for pid, (f, n) in dashboard.panel_sources.items()}
    return Rendered(dashboard.uid, dashboard.title, dashboard.folder, data, f"{display_path(file)}:{line}", uids,
                    panel_sources, role)


def render(project: Project) -> RenderResult:
    """Every dashboard of the project, and the saved queries' stand-in dashboard when there are queries."""
    from .sdk import DashboardError

    errors: list[LoadError] = list(project.errors)
    todo = [(d, DASHBOARD) for d in project.dashboards]
    if project.saved_queries_dashboard is not None:
        todo.append((project.saved_queries_dashboard, SAVED_QUERIES_FALLBACK))
    rendered = []
    for dashboard, role in todo:
        try:
            rendered.append(_render_one(dashboard, role))
        except DashboardError as exc:
            file, line = dashboard.declared_at
            errors.append(LoadError(display_path(file), line, str(exc)))
    return RenderResult(rendered, errors)


def unique(result: RenderResult) -> RenderResult:
    """Without a second dashboard that takes a uid already taken (reported): both would be one object."""
    by_uid: dict[str, Rendered] = {}
    errors = list(result.errors)
    for item in result.dashboards:
        other = by_uid.get(item.uid)
        if other is not None:
            file, line = item.source.rsplit(":", 1)
            errors.append(LoadError(file, int(line), f"dashboard uid {item.uid!r} is already used by "
                                    f"{other.source}; each dashboard needs its own uid"))
            continue
        by_uid[item.uid] = item
    return RenderResult(list(by_uid.values()), errors)
