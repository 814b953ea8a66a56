"""A project: the dashboards, datasources, saved queries and alerting its Python declares.

Rules: every `*.py` file below the dashboards directory is a dashboard
module, except files or directories whose name starts with `_` or `.`, and
`__pycache__`; shared helpers therefore live in `_shared.py` and the like. A
module that fails to import is reported with its file and line; the others
still load. The alerting file (dash.yaml's `alerts:`) defines `ALERTING`.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .loader import LoadError, LoadFailed, display_path, load_file, project_modules, use_directory

if TYPE_CHECKING:
    from alerts.model import Alerting

    from .sdk import Dashboard, Datasource, LogQuery

SKIP_DIRS = {"__pycache__"}


@attrs.define
class Project:
    root: Path | None
    dashboards: "list[Dashboard]" = attrs.field(factory=list)  # in discovery order
    datasources: "dict[str, Datasource]" = attrs.field(factory=dict)  # every one declared, by uid
    log_queries: "list[LogQuery]" = attrs.field(factory=list)
    saved_queries_dashboard: "Dashboard | None" = None  # stands in for a query library; built from log_queries
    alerting: "Alerting | None" = None
    alerting_source: str | None = None
    errors: list[LoadError] = attrs.field(factory=list)
    warnings: list[LoadError] = attrs.field(factory=list)  # what modules printed while imported


def module_files(root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(("_", ".")))
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith(("_", ".")):
                files.append(Path(dirpath) / name)
    return files


def _module_name(path: Path, root: Path) -> str:
    dotted = ".".join(path.relative_to(root).with_suffix("").parts)
    return "dash_project." + re.sub(r"[^A-Za-z0-9_.]", "_", dotted)


def _values(module: Any, kind: type) -> list[Any]:
    """Module-level values of `kind`, alone or in a list or tuple."""
    out = []
    for value in vars(module).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        out.extend(v for v in items if isinstance(v, kind))
    return out


def _add_unique(into: list[Any], items: list[Any]) -> None:
    for item in items:
        if all(item is not seen for seen in into):
            into.append(item)


def _no_dashboard(module: Any) -> str:
    """Why a module gave no dashboard, with the likely mistake named."""
    plain = [v for v in vars(module).values() if type(v).__name__ == "Dashboard"
             and type(v).__module__.startswith("grafanalib")]
    if plain:
        return ("declares a grafanalib Dashboard, which dash does not collect: build it with publisher.sdk's "
                "Dashboard (`from publisher.sdk import Dashboard`), which renders through grafanalib and adds "
                "layout, datasources and checks")
    return ("declares no dashboard: assign a Dashboard(...) to a module-level name, or rename the file to start "
            "with '_' if it only holds helpers")


def load_dashboards(project: Project, root: Path) -> None:
    from .sdk import Dashboard, Datasource, LogQuery

    root = root.resolve()
    if root.is_file() and root.suffix == ".py":
        files, root = [root], root.parent  # one module on its own
    elif root.is_dir():
        files = module_files(root)
    else:
        project.errors.append(LoadError(display_path(root), 0, "no such directory or .py file of dashboard modules"))
        return
    project.root = root
    use_directory(root)
    for path in files:
        try:
            module = load_file(path, _module_name(path, root), project.warnings)
        except LoadFailed as failed:
            project.errors.append(failed.error)
            continue
        dashboards, queries = _values(module, Dashboard), _values(module, LogQuery)
        if not dashboards and not queries:
            project.errors.append(LoadError(display_path(path), 1, _no_dashboard(module)))
        _add_unique(project.dashboards, dashboards)
        if queries and not project.log_queries:
            first_queries = display_path(path)
        _add_unique(project.log_queries, queries)
    _collect_datasources(project, root, Datasource)
    if project.log_queries:
        _saved_queries_dashboard(project, first_queries)


def _saved_queries_dashboard(project: Project, where: str) -> None:
    from .sdk import DashboardError, saved_queries_dashboard

    try:
        dashboard = saved_queries_dashboard(project.log_queries)
    except DashboardError as exc:
        project.errors.append(LoadError(where, 1, str(exc)))
        return
    dashboard.declared_at = (where, 1)  # the module that declares the queries, not dash's own code
    project.saved_queries_dashboard = dashboard


def _collect_datasources(project: Project, root: Path, kind: type) -> None:
    """Those the dashboards use, then those declared at module level in the modules and their helpers."""
    from .sdk import DashboardError

    found: dict[str, Any] = {}
    for dashboard in project.dashboards:
        try:
            used = dashboard.datasources()
        except DashboardError:
            continue  # reported when the dashboard is rendered
        for ds in used:
            found.setdefault(ds.uid, ds)
    for query in project.log_queries:
        found.setdefault(query.datasource.uid, query.datasource)
    for module in project_modules(root):
        for ds in _values(module, kind):
            found.setdefault(ds.uid, ds)
    project.datasources = found


def load_alerting(project: Project, path: Path) -> None:
    from alerts.model import Alerting

    shown = display_path(path)
    project.alerting_source = shown
    if not path.is_file():
        project.errors.append(LoadError(shown, 0, "no such alerts file (from `alerts:` in dash.yaml)"))
        return
    try:
        module = load_file(path, "dash_project_alerts", project.warnings)
    except LoadFailed as failed:
        project.errors.append(failed.error)
        return
    alerting = getattr(module, "ALERTING", None)
    if not isinstance(alerting, Alerting):
        project.errors.append(LoadError(shown, 1, "defines no ALERTING = Alerting(...)"))
        return
    project.alerting = alerting


def load_project(dashboards: Path | None, alerts: Path | None) -> Project:
    """Import the project's modules: the dashboards directory (or file) and the alerting file."""
    project = Project(root=None)
    if dashboards is None:
        project.errors.append(LoadError(
            "dash.yaml", 0, "no dashboards directory: create ./dashboards, set `dashboards:` in dash.yaml, "
            "or pass --dashboards DIR"))
    else:
        load_dashboards(project, dashboards)
    if alerts is not None:
        load_alerting(project, alerts)
    return project
