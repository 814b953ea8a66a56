"""Find the dashboards: import each module of a directory and collect its Dashboards.

A module that cannot be imported (a syntax error, an exception, no dashboard)
becomes a LoadError with its file, its line and the error, never a traceback;
the other modules still load.

Rules: every `*.py` file below the directory is a dashboard module, except
files or directories whose name starts with `_` or `.`, `__init__.py`, and the
`sdk` package. Shared helpers therefore live in `_shared.py` and the like.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import attrs

SKIP_DIRS = {"sdk", "__pycache__", "tests"}


@attrs.frozen
class LoadError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}


@attrs.frozen
class Found:
    dashboard: Any  # dashboards.sdk.Dashboard
    module_file: str


@attrs.define
class Discovery:
    root: Path
    found: list[Found] = attrs.field(factory=list)
    errors: list[LoadError] = attrs.field(factory=list)
    module_datasources: list[Any] = attrs.field(factory=list)  # Datasource objects at module level
    log_queries: list[Any] = attrs.field(factory=list)  # provisioning.log_queries.LogQuery objects

    @property
    def dashboards(self) -> list[Any]:
        return [f.dashboard for f in self.found]

    def datasources(self) -> dict[str, Any]:
        """Every declared datasource by uid: those the dashboards use and those at module level."""
        from dashboards.sdk import DashboardError

        out: dict[str, Any] = {}
        for dashboard in self.dashboards:
            try:
                used = dashboard.datasources()
            except DashboardError:
                continue  # reported when the dashboard is rendered
            for ds in used:
                out.setdefault(ds.uid, ds)
        for ds in self.module_datasources:
            out.setdefault(ds.uid, ds)
        return out


def builtin_dir() -> Path:
    """The directory of the `dashboards` package that ships with dash."""
    spec = importlib.util.find_spec("dashboards")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the dashboards package is not installed")
    return Path(list(spec.submodule_search_locations)[0]).resolve()


def display_path(path: str | Path) -> str:
    """A path relative to the current directory when it lies below it."""
    try:
        return os.path.relpath(path) if not os.path.relpath(path).startswith("..") else str(path)
    except ValueError:
        return str(path)


def module_files(root: Path) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP_DIRS and not d.startswith(("_", ".")))
        for name in sorted(filenames):
            if name.endswith(".py") and not name.startswith(("_", ".")):
                files.append(Path(dirpath) / name)
    return files


def _error_line(exc: BaseException, file: Path) -> int:
    """The line of `file` where the exception passed last (the user's own line)."""
    line = 1
    target = str(file.resolve())
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and os.path.abspath(frame.filename) == target:
            line = frame.lineno or line
    return line


def _import(path: Path, root: Path, builtin: bool):
    relative = path.relative_to(root).with_suffix("")
    if builtin:
        return importlib.import_module("dashboards." + ".".join(relative.parts))
    name = "dash_user_dashboards." + ".".join(relative.parts)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _datasources_in(module) -> list[Any]:
    from dashboards.sdk import Datasource

    return [value for value in vars(module).values() if isinstance(value, Datasource)]


def _log_queries_in(module) -> list[Any]:
    log_queries = sys.modules.get("provisioning.log_queries")
    if log_queries is None:
        return []  # nobody imported it, so no module can hold a LogQuery (and we skip its import)
    LogQuery = log_queries.LogQuery
    out = []
    for value in vars(module).values():
        items = value if isinstance(value, (list, tuple)) else [value]
        out.extend(v for v in items if isinstance(v, LogQuery))
    return out


def _dashboards_in(module) -> list[Any]:
    from dashboards.sdk import Dashboard

    out = []
    for value in vars(module).values():
        if isinstance(value, Dashboard):
            out.append(value)
        elif isinstance(value, (list, tuple)) and value and all(isinstance(v, Dashboard) for v in value):
            out.extend(value)
    return out


def discover(root: Path | None = None) -> Discovery:
    """Import every dashboard module under `root` (default: the built-in dashboards).

    `root` may also be a single .py file.
    """
    builtin = root is None or Path(root).resolve() == builtin_dir()
    root = builtin_dir() if root is None else Path(root).resolve()
    result = Discovery(root=root)
    if root.is_file() and root.suffix == ".py":
        files, root = [root], root.parent  # one module on its own
    elif root.is_dir():
        files = module_files(root)
    else:
        result.errors.append(LoadError(display_path(root), 0, "no such directory or .py file of dashboard modules"))
        return result
    if not builtin and str(root) not in sys.path:
        sys.path.insert(0, str(root))  # so that modules can import their `_shared` helpers
    seen: set[int] = set()
    for path in files:
        shown = display_path(path)
        try:
            module = _import(path, root, builtin)
        except SyntaxError as exc:
            result.errors.append(LoadError(shown, exc.lineno or 1, f"SyntaxError: {exc.msg}"))
            continue
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - errors in user code are reported, not raised
            result.errors.append(LoadError(shown, _error_line(exc, path), f"{type(exc).__name__}: {exc}"))
            continue
        for query in _log_queries_in(module):
            if all(query is not q for q in result.log_queries):
                result.log_queries.append(query)
        found = _dashboards_in(module)
        if not found:
            result.errors.append(
                LoadError(shown, 1, "declares no dashboard: assign a Dashboard(...) to a module-level name, "
                          "or rename the file to start with '_' if it only holds helpers")
            )
        for dashboard in found:
            if id(dashboard) not in seen:
                seen.add(id(dashboard))
                result.found.append(Found(dashboard, shown))
    # Datasources declared at module level, in dashboard modules or in the helpers they import.
    seen_ds: set[int] = set()
    prefix = str(root) + os.sep
    for module in list(sys.modules.values()):
        file = getattr(module, "__file__", None)
        # A string test, not Path.resolve() (a syscall per module): modules below root were loaded by path.
        if file and file.startswith(prefix) and f"{os.sep}sdk{os.sep}" not in file:
            for ds in _datasources_in(module):
                if id(ds) not in seen_ds:
                    seen_ds.add(id(ds))
                    result.module_datasources.append(ds)
    return result
