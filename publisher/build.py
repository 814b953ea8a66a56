"""`dash build`: write the rendered dashboards, and the files around them, to an output directory.

    OUT/<folder>/<uid>.json                the dashboards
    OUT/grafana/provisioning/...           Grafana's provisioning tree (the guide's compose mount)
    OUT/prometheus/..., OUT/alertmanager/  the alerting files, when the project declares alerting
    OUT/docker-compose.yml, loki/, blackbox/  the guide's stack, when dash.yaml says `stack: guide`

Files are written atomically and only when their content changed; the same
input gives byte-identical files. A manifest (`OUT/.dash-build.json`) lists
what the last build wrote, so a dashboard removed from the code loses its file;
one that failed this time keeps its last good file. Temp files left by a
killed build are removed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable

import attrs

from .config_values import ConfigError
from .dashboard_json import panel_ids
from .desired import TargetTraits, desired_state
from .loader import LoadError, display_path
from .output import json_bytes, remove_stale_temp_files, write_atomic, yaml_text
from .render import DASHBOARD, Rendered
from .targets.directory import tree_dashboards, tree_files

if TYPE_CHECKING:
    from .config import Environment
    from .project import Project

MANIFEST = ".dash-build.json"
# Top-level names under OUT that other build steps own; a folder may not take them.
RESERVED_DIRS = frozenset({"prometheus", "alertmanager", "grafana", "provisioning", "loki", "blackbox", "secrets"})
PROVISIONING_DIR = "grafana/provisioning"
MAYBE_CAUSED = " (a dashboard module failed to load, see above: it may declare what is missing)"


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
            "ok": self.ok,
        }


def clashes(rendered: list[Rendered], errors: list[LoadError]) -> list[Rendered]:
    """Without the dashboards whose folder would take a directory another build step owns (reported)."""
    kept = []
    for item in rendered:
        if item.folder.split("/")[0].lower() in RESERVED_DIRS:
            file, line = item.source.rsplit(":", 1)
            errors.append(LoadError(file, int(line), f"dashboard {item.uid!r}: folder {item.folder!r} clashes with "
                                    "the build's own output directory; choose another folder title"))
            continue
        kept.append(item)
    return kept


def alerting_files(project: "Project", rendered: list[Rendered], env: "Environment | None",
                   errors: list[LoadError], stack: str | None = None) -> dict[str, bytes]:
    """The Prometheus and Alertmanager files the alerting declares and, with `stack`, the guide's compose stack;
    or none (with an error)."""
    if project.alerting is None:
        return {}
    from alerts.build import render_files
    from alerts.model import AlertsError
    from alerts.render import Panels

    panels = Panels({r.uid: panel_ids(r.json) for r in rendered}, env.url if env is not None else "")
    try:
        files = render_files(project.alerting, panels, env.alerting if env is not None else None,
                             project.alerting_source or "")
    except AlertsError as exc:
        errors.append(LoadError(project.alerting_source or "alerts", 0, str(exc)))
        return {}
    if stack is not None:
        files.update(_stack(project, env, errors))
    return {rel: yaml_text(data, header).encode() for rel, (header, data) in files.items()}


def _stack(project: "Project", env: "Environment | None", errors: list[LoadError]) -> dict[str, Any]:
    """The guide's compose stack, which mounts prometheus.yml and alertmanager.yml: both must be declared."""
    from alerts.build import for_environment
    from provisioning.compose import stack_files

    alerting = project.alerting
    if alerting is None or alerting.prometheus is None or alerting.alertmanager is None:
        errors.append(LoadError(project.alerting_source or "dash.yaml", 0, "`stack: guide` in dash.yaml mounts "
                                "prometheus.yml and alertmanager.yml: the Alerting must give prometheus= and "
                                "alertmanager=, or remove `stack:`"))
        return {}
    return stack_files(for_environment(alerting, env.alerting if env is not None else None).alertmanager.secrets_dir)


def provisioning_files(project: "Project", rendered: list[Rendered], env: "Environment | None",
                       ) -> dict[str, bytes | Callable[[], bytes]]:
    """Grafana's provisioning tree, under grafana/provisioning, with secrets as references; a dashboard's file
    as a function that makes its bytes, so that they exist one at a time."""
    state = desired_state(rendered, project.datasources, env, project.log_queries, TargetTraits(files=True),
                          held=project.held)
    files: dict[str, bytes | Callable[[], bytes]] = dict(tree_files(state, env.org_id if env is not None else 1,
                                                                    dashboards=False))
    files.update((rel, _bytes_of(d)) for rel, d in tree_dashboards(state).items())
    return {f"{PROVISIONING_DIR}/{rel}": data for rel, data in files.items()}


def _config_error(exc: "ConfigError") -> LoadError:
    """dash.yaml's problem as a build error: the good dashboards are still written, the last tree is kept."""
    file = display_path(exc.file) if exc.file else "dash.yaml"
    message = str(exc).removeprefix(f"{exc.file}: ").removeprefix(f"{file}: ")
    return LoadError(file, exc.line or 0, message)


def _bytes_of(desired: Any) -> Callable[[], bytes]:
    return lambda: desired.encoded


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


def write_build(rendered: list[Rendered], errors: list[LoadError], out: Path,
                other: dict[str, bytes | Callable[[], bytes]],
                held: frozenset[str] | set[str] = frozenset()) -> BuildResult:
    """Write the dashboards and `other` files; remove what the last build wrote and this one did not, except the
    files named in `held` (`<uid>.json` of dashboards declared but not built this run: they keep their last
    good files, in the dashboards and in the provisioning tree)."""
    out.mkdir(parents=True, exist_ok=True)
    remove_stale_temp_files(out)
    written = []
    for item in sorted(rendered, key=lambda r: (r.folder, r.uid)):
        changed = write_atomic(out / item.relpath, item.encoded)
        written.append(Written(item.uid, item.title, item.folder, str(item.relpath), item.panel_count, changed))
    others = [(rel, write_atomic(out / rel, data() if callable(data) else data)) for rel, data in sorted(other.items())]
    files = {w.path for w in written} | {rel for rel, _ in others}
    previous = _previous(out)
    # After a failure, what failed keeps its last good files rather than vanishing.
    failed_files = previous - files if errors else {p for p in previous - files if p.rsplit("/", 1)[-1] in held}
    removed = _remove_stale(out, previous - files - failed_files)
    write_atomic(out / MANIFEST, json_bytes({"files": sorted(files | failed_files)}))
    return BuildResult(out, written, removed, errors, others)


def build(project: "Project", rendered: list[Rendered], errors: list[LoadError], out: Path,
          env: "Environment | None", stack: str | None = None) -> BuildResult:
    """Everything `dash build` writes. `rendered` are unique; `errors` so far (more may be added); `stack`:
    dash.yaml's `stack:`."""
    errors = list(errors)
    rendered = clashes(rendered, errors)
    modules_failed, before = bool(errors), len(errors)
    other: dict[str, bytes | Callable[[], bytes]] = dict(alerting_files(project, rendered, env, errors, stack))
    try:
        other.update(provisioning_files(project, rendered, env))
    except ConfigError as exc:  # an environment's datasource declared only by a module that failed, say
        errors.append(_config_error(exc))
    if modules_failed:  # what the alerts link to, or the environment names, may be in the module that failed
        errors[before:] = [attrs.evolve(e, message=e.message + MAYBE_CAUSED) for e in errors[before:]]
    dashboards = [r for r in rendered if r.role == DASHBOARD or project.log_queries]
    return write_build(dashboards, errors, out, other, {f"{uid}.json" for uid, _ in project.held})
