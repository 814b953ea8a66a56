"""`dash build`: render every dashboard to `OUT/<folder>/<uid>.json`.

Files are JSON with sorted keys and 2-space indentation, written atomically
and only when their content changed; the same input gives byte-identical
files. A manifest (`OUT/.dash-build.json`) lists what the last build wrote, so
a dashboard that was removed from the code loses its file too.
"""

from __future__ import annotations

import json
import time
from pathlib import Path, PurePosixPath
from typing import Any, Iterable

import attrs

from .discovery import Discovery, LoadError, display_path
from .fsutil import write_atomic

MANIFEST = ".dash-build.json"
# Top-level names under OUT that other build steps own; a folder may not take them.
RESERVED_DIRS = frozenset({"prometheus", "alertmanager", "grafana", "provisioning", "loki", "blackbox", "secrets"})
PROVISIONING_DIR = "grafana/provisioning"


def dumps(obj: Any) -> bytes:
    """The one JSON encoding dash writes: sorted keys, 2-space indent, UTF-8, final newline.

    orjson, because the json module falls back to its pure-Python encoder
    whenever `indent` is set, and encoding was most of a build's time.
    """
    import orjson

    return orjson.dumps(obj, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


@attrs.frozen
class Rendered:
    uid: str
    title: str
    folder: str
    json: dict[str, Any]
    source: str  # file:line that declared it
    panel_sources: dict[int, str] = attrs.field(factory=dict, eq=False, repr=False)  # panel id -> file:line
    _encoded: list[bytes] = attrs.field(factory=list, eq=False, repr=False)  # a one-slot cache

    @property
    def encoded(self) -> bytes:
        """The file's bytes, encoded once however many places the dashboard is written to."""
        if not self._encoded:
            self._encoded.append(dumps(self.json))
        return self._encoded[0]

    @property
    def relpath(self) -> PurePosixPath:
        return PurePosixPath(*self.folder.split("/"), f"{self.uid}.json")

    @property
    def panel_count(self) -> int:
        count = 0
        for panel in self.json.get("panels", []):
            if panel.get("type") == "row":
                count += len(panel.get("panels", []))
            else:
                count += 1
        return count


def render_all(discovery: Discovery) -> tuple[list[Rendered], list[LoadError]]:
    """Render each discovered dashboard; a dashboard that fails becomes an error."""
    from dashboards.sdk import DashboardError

    rendered: list[Rendered] = []
    errors: list[LoadError] = list(discovery.errors)
    for found in discovery.found:
        dash = found.dashboard
        file, line = dash.declared_at
        where = (display_path(file), line)
        try:
            data = dash.to_json()
        except DashboardError as exc:
            errors.append(LoadError(*where, str(exc)))
            continue
        if dash.folder.split("/")[0].lower() in RESERVED_DIRS:
            errors.append(LoadError(*where, f"dashboard {dash.uid!r}: folder {dash.folder!r} clashes with the "
                                    f"build's own output directory; choose another folder title"))
            continue
        panel_sources = {pid: f"{display_path(f)}:{n}" for pid, (f, n) in dash.panel_sources.items()}
        rendered.append(Rendered(dash.uid, dash.title, dash.folder, data, f"{where[0]}:{where[1]}", panel_sources))
    return rendered, errors


def unique(rendered: list[Rendered], errors: list[LoadError]) -> list[Rendered]:
    """Drop (and report) a second dashboard with a uid already taken: both would be one file."""
    by_uid: dict[str, Rendered] = {}
    for item in rendered:
        other = by_uid.get(item.uid)
        if other is not None:
            file, line = item.source.rsplit(":", 1)
            errors.append(LoadError(file, int(line), f"dashboard uid {item.uid!r} is already used by "
                                    f"{other.source}; each dashboard needs its own uid"))
            continue
        by_uid[item.uid] = item
    return list(by_uid.values())


@attrs.frozen
class Written:
    uid: str
    title: str
    folder: str
    path: str
    panels: int
    changed: bool

    def to_json(self) -> dict[str, Any]:
        return attrs.asdict(self)


@attrs.frozen
class BuildResult:
    out: Path
    written: list[Written]
    removed: list[str]
    errors: list[LoadError]
    seconds: float
    other_files: list[tuple[str, bool]] = attrs.field(factory=list)  # (path, changed): alerting and the like

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_json(self) -> dict[str, Any]:
        return {
            "out": str(self.out),
            "dashboards": [w.to_json() for w in self.written],
            "files": [{"path": p, "changed": c} for p, c in self.other_files],
            "removed": self.removed,
            "errors": [e.to_json() for e in self.errors],
            "seconds": round(self.seconds, 3),
            "ok": self.ok,
        }


def _previous(out: Path) -> set[str]:
    try:
        return set(json.loads((out / MANIFEST).read_text()).get("files", []))
    except (FileNotFoundError, ValueError, AttributeError):
        return set()


def _remove_stale(out: Path, stale: Iterable[str]) -> list[str]:
    removed = []
    for rel in sorted(stale):
        path = out / rel
        try:
            path.unlink()
            removed.append(rel)
        except FileNotFoundError:
            continue
        parent = path.parent
        while parent != out and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return removed


def write(rendered: list[Rendered], errors: list[LoadError], out: Path, started: float,
          other: dict[str, bytes] | None = None) -> BuildResult:
    """Write the dashboards and `other` files (relative path -> bytes); remove what the last build wrote and
    this one did not."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for item in sorted(rendered, key=lambda r: (r.folder, r.uid)):
        changed = write_atomic(out / item.relpath, item.encoded)
        written.append(Written(item.uid, item.title, item.folder, str(item.relpath), item.panel_count, changed))
    others = [(rel, write_atomic(out / rel, data)) for rel, data in sorted((other or {}).items())]
    files = {w.path for w in written} | {rel for rel, _ in others}
    previous = _previous(out)
    # After a failure, what failed keeps its last good files rather than vanishing.
    failed_files = previous - files if errors else set()
    removed = _remove_stale(out, previous - files - failed_files)
    write_atomic(out / MANIFEST, dumps({"files": sorted(files | failed_files)}))
    return BuildResult(out, written, removed, errors, time.perf_counter() - started, others)


def alerting_files(loaded: Any, rendered: list[Rendered], env: Any | None, errors: list[LoadError]) -> dict[str, bytes]:
    """The Prometheus and Alertmanager files, or none (with an error) when they cannot be made."""
    if loaded is None:
        return {}
    if loaded.error is not None:
        errors.append(loaded.error)
        return {}
    if loaded.alerting is None:
        return {}
    from alerts.build import render_files
    from alerts.model import AlertsError
    from alerts.render import Panels

    try:
        panels = Panels.from_dashboards(rendered, env.url if env is not None else "")
        files = render_files(loaded.alerting, panels, env, loaded.source)
    except AlertsError as exc:
        errors.append(LoadError(loaded.source, 0, str(exc)))
        return {}
    return {rel: text.encode() for rel, text in files.files.items()}


def provisioning_files(discovery: Discovery, rendered: list[Rendered], env: Any | None) -> dict[str, bytes]:
    """Grafana's provisioning tree, under grafana/provisioning (the guide's compose mount)."""
    from provisioning.tree import tree_files

    files = tree_files(rendered, discovery.datasources(), env)
    return {f"{PROVISIONING_DIR}/{rel}": data for rel, data in files.items()}


def build(discovery: Discovery, out: Path, alerting: Any = None, env: Any = None) -> BuildResult:
    """Dashboards; Grafana's provisioning tree; and, when `alerting` (an alerts.loader.Loaded) has any,
    the Prometheus and Alertmanager files and the guide's docker-compose stack."""
    started = time.perf_counter()
    rendered, errors = render_all(discovery)
    rendered = unique(rendered, errors)
    other = alerting_files(alerting, rendered, env, errors)
    other.update(provisioning_files(discovery, rendered, env))
    if alerting is not None and alerting.alerting is not None:
        from provisioning.compose import stack_files

        secrets_dir = getattr(getattr(env, "alerting", None), "secrets_dir", None) or alerting.alerting.alertmanager.secrets_dir
        other.update(stack_files(secrets_dir))
    return write(rendered, errors, out, started, other)
