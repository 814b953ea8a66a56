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
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .loader import (
    LoadError,
    LoadFailed,
    also_use_directory,
    display_path,
    load_file,
    project_modules,
    use_directory,
)
from .output import bytes_hash, json_bytes
from .rendered import DASHBOARD, SAVED_QUERIES_FALLBACK, Rendered, pack

if TYPE_CHECKING:
    from alerts.model import Alerting

    from .sdk import Dashboard, Datasource, LogQuery

SKIP_DIRS = {"__pycache__"}


@attrs.define
class Project:
    root: Path | None
    # Every dashboard rendered, in discovery order, duplicate uids included (lint reports them); the last one
    # stands in for a query library when there are saved queries (role SAVED_QUERIES_FALLBACK).
    rendered: list[Rendered] = attrs.field(factory=list)
    datasources: "dict[str, Datasource]" = attrs.field(factory=dict)  # every one declared, by uid
    log_queries: "list[LogQuery]" = attrs.field(factory=list)
    alerting: "Alerting | None" = None
    alerting_source: str | None = None
    errors: list[LoadError] = attrs.field(factory=list)
    # A datasource uid declared again with other settings (lint's DASH024), at the module that did.
    datasource_conflicts: list[LoadError] = attrs.field(factory=list)
    warnings: list[LoadError] = attrs.field(factory=list)  # what modules printed while imported
    cache_hits: int = 0  # modules whose cached result was used (publisher/module_cache.py)
    cache_misses: int = 0
    # Where `.dash-cache/` is (grafana.com files): dash.yaml's directory, else the current one.
    home: Path = attrs.field(factory=Path.cwd)
    # (uid, folder) of declared dashboards that could not be built now (a grafana.com file not fetched):
    # left as they are wherever they are published, never planned for deletion.
    held: list[tuple[str, str]] = attrs.field(factory=list)


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


def load_dashboards(project: Project, root: Path, use_cache: bool | None = None) -> None:
    """Each module in turn: its cached result while nothing it read has changed, else imported and rendered."""
    from .module_cache import ModuleCache

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
    cache = ModuleCache(root, use_cache)
    merged = _Merged(project)
    for path in files:
        try:
            text = path.read_bytes()
        except OSError as exc:
            project.errors.append(LoadError(display_path(path), 0, f"cannot be read: {exc.strerror or exc}"))
            continue
        cached = cache.get(path, text)
        if cached is not None:
            merged.add(path, *cached)
            continue
        fresh = _load_module(project, path, _module_name(path, root), root)
        if fresh is not None:
            result, blobs, inputs = fresh
            if inputs is not None:
                cache.put(path, text, result, blobs, inputs)
            merged.add(path, result, blobs)
    if project.log_queries:
        _saved_queries_dashboard(project, merged.first_queries or "")
    cache.finish()
    project.cache_hits, project.cache_misses = cache.hits, cache.misses


def _load_module(project: Project, path: Path, name: str, root: Path,
                 ) -> tuple[dict[str, Any], list[bytes], Any] | None:
    """Import and render one module: (result, dashboard bytes, what it read or None if it must not be cached), or
    None after an error."""
    from . import trace
    from .loader import helper_reads
    from .module_cache import installed_packages
    from .sdk import Dashboard, Datasource, LogQuery
    from .sdk.grafana_com import GrafanaCom

    printed: list[LoadError] = []
    errors_before, held_before = len(project.errors), len(project.held)
    with trace.recording() as reads:
        try:
            module = load_file(path, name, printed)
        except LoadFailed as failed:
            from .sdk.args import unexpected_keyword_hint

            project.warnings.extend(printed)
            error = failed.error
            project.errors.append(attrs.evolve(error, message=unexpected_keyword_hint(error.message)))
            return None
        try:
            dashboards, queries = _values(module, Dashboard), _values(module, LogQuery)
            downloads = _values(module, GrafanaCom)
            if not dashboards and not queries and not downloads:
                project.errors.append(LoadError(display_path(path), 1, _no_dashboard(module)))
            rendered = [_render(d, project.errors) for d in dashboards]
            rendered += [r for r in (_render_download(d, project) for d in downloads) if r is not None]
            uses = [ds for d in dashboards for ds in d.datasources()]
            uses += [ds for d in downloads for ds in d.all_datasources()]
            declared = _declared_datasources(uses, queries, project_modules(module), Datasource)
        except Exception as exc:  # noqa: BLE001 - one module's failure, even dash's own, never stops the others
            if os.environ.get("DASH_DEBUG"):
                raise
            project.warnings.extend(printed)
            project.errors.append(LoadError(display_path(path), 1, f"could not be collected: {type(exc).__name__}: "
                                            f"{exc} (DASH_DEBUG=1 shows the traceback)"))
            return None
        finally:
            sys.modules.pop(name, None)  # its objects can go once rendered: memory does not grow with modules
    if len(project.errors) > errors_before:
        project.warnings.extend(printed)
        return None  # not cached; what it printed is shown here, as for a module that failed to import
    helpers = helper_reads()
    inputs = trace.Inputs.of(reads.files.union(*(h.files for h in helpers)) - {str(path)},
                             reads.dirs.union(*(h.dirs for h in helpers)), reads.env.union(*(h.env for h in helpers)),
                             installed_packages(str(root)))
    result = {
        "dashboards": [entry for entry, _ in rendered],
        "datasources": [attrs.asdict(ds) for ds in declared],
        "queries": [attrs.asdict(q) for q in queries],
        "printed": [e.message for e in printed],
    }
    # A dashboard held back (not fetched) is fetched again next run: such a result is used, never cached.
    return result, [blob for _, blob in rendered], inputs if len(project.held) == held_before else None


def _render(dashboard: "Dashboard", errors: list[LoadError], role: str = DASHBOARD) -> tuple[dict[str, Any], bytes]:
    """One dashboard's cache entry (where it was declared, what it uses) and file bytes; errors noted."""
    from .sdk import DashboardError

    file, line = dashboard.declared_at
    try:
        data = dashboard.to_json()
        uids = [ds.uid for ds in dashboard.datasources()]
    except DashboardError as exc:
        errors.append(LoadError(display_path(file), line, str(exc)))
        return {}, b""
    except Exception as exc:  # noqa: BLE001 - dash's own failure on this dashboard must not stop the others
        errors.append(LoadError(display_path(file), line, _unexpected(dashboard, exc)))
        return {}, b""
    entry = {"uid": dashboard.uid, "title": dashboard.title, "folder": dashboard.folder, "file": str(file),
             "line": line, "datasources": uids, "role": role,
             "panels": [[pid, str(f), n] for pid, (f, n) in sorted(dashboard.panel_sources.items())]}
    return entry, pack(json_bytes(data))


def _unexpected(dashboard: "Dashboard", exc: Exception) -> str:
    """An exception the SDK did not turn into a DashboardError: most likely an argument of a type it did not
    expect. Reported on the dashboard's line; DASH_DEBUG=1 raises it for the traceback."""
    if os.environ.get("DASH_DEBUG"):
        raise exc
    return (f"dashboard {dashboard.title!r} could not be rendered: {type(exc).__name__}: {exc}. Check the "
            "arguments' types against publisher.sdk's documentation (docs/sdk.md); if they are right, this is a bug "
            "in dash: run with DASH_DEBUG=1 for the traceback and report it")


def _render_download(declared: Any, project: Project) -> tuple[dict[str, Any], bytes] | None:
    """A grafana.com dashboard's cache entry and file bytes; None (noted as an error, or held) if it has none."""
    from . import grafana_com

    file, line = declared.declared_at
    try:
        data = grafana_com.dashboard_json(declared, grafana_com.fetch(declared, project.home))
    except grafana_com.Unavailable as exc:
        project.held.append((declared.dashboard_uid, declared.folder))
        project.warnings.append(LoadError(display_path(file), line,
                                          grafana_com.unavailable_hint(declared, project.home, str(exc))))
        return None
    except grafana_com.GrafanaComError as exc:
        project.errors.append(LoadError(display_path(file), line, str(exc)))
        return None
    entry = {"uid": declared.dashboard_uid, "title": data.get("title") or declared.label, "folder": declared.folder,
             "file": str(file), "line": line, "datasources": [ds.uid for ds in declared.all_datasources()],
             "role": DASHBOARD, "panels": []}
    return entry, pack(json_bytes(data))


def _declared_datasources(uses: list[Any], queries: list[Any], modules: list[Any], kind: type) -> list[Any]:
    """Those the dashboards use, those of the saved queries, then those declared at module level (helpers too):
    each distinct one once, two that share a uid both (the merge reports them)."""
    found: list[Any] = []
    everything = [*uses, *(q.datasource for q in queries), *(ds for m in modules for ds in _values(m, kind))]
    for ds in everything:
        if ds not in found:
            found.append(ds)
    return found


def _rendered(entry: dict[str, Any], blob: bytes) -> Rendered:  # blob: packed (rendered.pack)
    """A cache entry's dashboard, with its file:line places as the current directory shows them."""
    shown_as: dict[str, str] = {}  # a dashboard's panels are mostly declared in one or two files

    def at(file: str, line: int) -> str:
        if file not in shown_as:
            shown_as[file] = display_path(file)
        return f"{shown_as[file]}:{line}"
    return Rendered(entry["uid"], entry["title"], entry["folder"], blob, at(entry["file"], entry["line"]),
                    tuple(entry["datasources"]), {pid: at(f, n) for pid, f, n in entry["panels"]}, entry["role"])


class _Merged:
    """Module results into the project, in discovery order; a dashboard two modules export is one dashboard."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.first_queries: str | None = None  # the module that declared the first saved query
        self._seen: set[tuple[str, int, str, str]] = set()

    def add(self, path: Path, result: dict[str, Any], blobs: list[bytes]) -> None:
        from .sdk.datasources import Datasource

        project = self.project
        shown = display_path(path)
        project.warnings.extend(LoadError(shown, 1, message) for message in result["printed"])
        for entry, blob in zip(result["dashboards"], blobs):
            same = (entry["file"], entry["line"], entry["uid"], bytes_hash(blob))
            if same in self._seen:
                continue  # the very object another module exported too (a shared helper's dashboard)
            self._seen.add(same)
            project.rendered.append(_rendered(entry, blob))
        for ds in result["datasources"]:
            declared = Datasource(**ds)
            first = project.datasources.setdefault(declared.uid, declared)
            if first != declared:
                project.datasource_conflicts.append(LoadError(shown, 1, _conflict(first, declared)))
        if not result["queries"]:
            return
        from .sdk.log_queries import LogQuery  # with the dashboard code: only where there are saved queries

        if self.first_queries is None:
            self.first_queries = shown
        known = {q.uid: q for q in project.log_queries}
        for q in result["queries"]:
            query = LogQuery(**{**q, "datasource": Datasource(**q["datasource"])})
            if known.get(query.uid) != query:
                project.log_queries.append(query)
                known[query.uid] = query


def _conflict(first: Any, second: Any) -> str:
    """Two datasources with one uid: Grafana keeps one per uid, so one of them would silently be lost."""
    differ = [f for f in ("name", "type", "settings", "description", "url") if getattr(first, f) != getattr(second, f)]
    shown = "; ".join(f"{f} {getattr(first, f)!r} vs {getattr(second, f)!r}" for f in differ)
    return f"datasource uid {first.uid!r} is declared twice with different settings ({shown})"


def _saved_queries_dashboard(project: Project, where: str) -> None:
    from .sdk import DashboardError, saved_queries_dashboard

    try:
        dashboard = saved_queries_dashboard(project.log_queries)
    except DashboardError as exc:
        project.errors.append(LoadError(where, 1, str(exc)))
        return
    dashboard.declared_at = (where, 1)  # the module that declares the queries, not dash's own code
    entry, blob = _render(dashboard, project.errors, SAVED_QUERIES_FALLBACK)
    if entry:  # its panels are declared in dash's own code: findings point at the module that has the queries
        project.rendered.append(_rendered({**entry, "panels": []}, blob))


def load_alerting(project: Project, path: Path) -> None:
    from alerts.model import Alerting

    shown = display_path(path)
    project.alerting_source = shown
    if path.is_dir():
        project.errors.append(LoadError(shown, 0, "is a directory: `alerts:` in dash.yaml names one Python file that "
                                        "defines ALERTING = Alerting(...); it may import the rule modules beside it "
                                        "(`from payments import RULES`)"))
        return
    if not path.is_file():
        project.errors.append(LoadError(shown, 0, "no such alerts file (from `alerts:` in dash.yaml)"))
        return
    also_use_directory(path.parent)
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


def load_project(dashboards: Path | None, alerts: Path | None, use_cache: bool | None = None,
                 home: Path | None = None) -> Project:
    """Load the project: the dashboards directory (or file), rendered, and the alerting file.

    `use_cache`: None follows DASH_NO_CACHE; False is --no-cache. `home`: where `.dash-cache/` is (dash.yaml's
    directory; default the current one)."""
    project = Project(root=None, home=home or Path.cwd())
    if dashboards is None:
        project.errors.append(LoadError(
            "dash.yaml", 0, "no dashboards directory: create ./dashboards, set `dashboards:` in dash.yaml, "
            "or pass --dashboards DIR"))
    else:
        load_dashboards(project, dashboards, use_cache)
    if alerts is not None:
        load_alerting(project, alerts)
    return project
