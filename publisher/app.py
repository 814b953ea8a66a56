"""The application: each command's pipeline, once, returning data (the CLI only shows it).

    project -> render -> lint -> desired state -> target -> plan -> apply

`App` loads the configuration and the project's Python once, renders once, and
hands the same results to build, lint, diff and publish. Problems the user can
fix come out as `AppError` with the lines to show; nothing here prints.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import attrs

from .loader import LoadError

if TYPE_CHECKING:
    from .build import BuildResult
    from .cache import Cache
    from .config import Config, Environment
    from .importer.pull import Pulled
    from .interrupts import Stop
    from .lint import Report
    from .model import Outcome, Plan
    from .project import Project
    from .render import RenderResult
    from .targets import Target


class AppError(Exception):
    """A problem for the user to fix: `details` are shown first (one per line), then the message.

    `errors` are the same problems as data for `--output json`: each with `kind` (module, lint, config, grafana,
    file), `message`, and where known `file` and `line` apart, the lint `code`, the HTTP `status`."""

    def __init__(self, message: str, details: list[str] | None = None,
                 errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.details = details or []
        self.errors = errors if errors is not None else [{"kind": "dash", "message": message}]


@attrs.frozen
class Planned:
    env: "Environment"
    target: "Target"
    plan: "Plan"


@attrs.frozen
class Published:
    planned: Planned
    outcomes: list["Outcome"]
    stop: "Stop | None" = None  # set when a signal cut the run short

    @property
    def interrupted(self) -> str | None:
        """The signal that cut the run short, if one did."""
        return self.stop.signal if self.stop is not None and self.stop.is_set() else None

    @property
    def ok(self) -> bool:
        """Every change made: none failed, none refused for drift, no signal cut the run short."""
        return not self.interrupted and not any(o.result in ("failed", "refused") for o in self.outcomes)


def user_errors(fn: Callable[[], Any], where: str = "dash") -> Any:
    """Problems the user can fix as AppError: configuration, Grafana's answers, the file system (`where`)."""
    from .config import ConfigError
    from .grafana import GrafanaError

    try:
        return fn()
    except ConfigError as exc:
        raise AppError(str(exc), errors=[{"kind": "config", "message": str(exc), "file": exc.file,
                                          "line": exc.line, "key": exc.key}]) from None
    except GrafanaError as exc:
        raise AppError(str(exc), errors=[{"kind": "grafana", "message": str(exc), "status": exc.status or None,
                                          "where": where}]) from None
    except OSError as exc:
        from .oserror import describe

        message = describe(exc, where)
        raise AppError(message, errors=[{"kind": "file", "message": message, "file": exc.filename}]) from None


def _in_background(fn: Callable[[], Any]) -> Callable[[], Any]:
    """Start `fn` on a daemon thread (nothing waits for it if the caller fails first); the returned callable
    waits and gives its result or raises its exception."""
    import threading

    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who raises it
            box["error"] = exc

    thread = threading.Thread(target=run, name="dash-connect", daemon=True)
    thread.start()

    def result() -> Any:
        thread.join()
        if "error" in box:
            raise box["error"]
        return box["value"]
    return result


class App:
    def __init__(self, config_path: str | None = None, dashboards: str | None = None,
                 warn: Callable[[str], None] = lambda line: None, use_cache: bool = True) -> None:
        self.config_path = config_path
        self.dashboards_option = dashboards
        self.warn = warn  # hears each warning once, as a line (the CLI sends them to stderr)
        self.use_cache = use_cache  # False: --no-cache (DASH_NO_CACHE=1 also turns it off)
        self._config: Config | None = None
        self._project: Project | None = None
        self._rendered: RenderResult | None = None

    @property
    def config(self) -> "Config":
        if self._config is None:
            from .config import load_config

            self._config = user_errors(lambda: load_config(self.config_path))
        return self._config

    def environment(self, name: str | None) -> "Environment | None":
        return None if name is None else user_errors(lambda: self.config.environment(name))

    def project(self) -> "Project":
        if self._project is None:
            from .project import load_project

            root = Path(self.dashboards_option) if self.dashboards_option else self.config.dashboards
            home = self.config.path.parent if self.config.path else None
            self._project = load_project(root, self.config.alerts, None if self.use_cache else False, home)
            for warning in self._project.warnings:
                self.warn(f"warning: {warning}")
        return self._project

    def rendered(self) -> "RenderResult":
        """Every dashboard rendered, duplicates included (lint reports them)."""
        if self._rendered is None:
            from .render import render

            self._rendered = render(self.project())
        return self._rendered

    # --- build, lint, check ----------------------------------------------------------

    def build(self, out: Path, env_name: str | None) -> "BuildResult":
        from .build import build
        from .render import unique

        env = self.environment(env_name)
        result = unique(self.rendered())
        try:
            return build(self.project(), result.dashboards, result.errors, out, env, stack=self.config.stack)
        except OSError as exc:
            from .oserror import describe

            raise AppError(describe(exc, f"--out {out}")) from None

    def lint(self, strict: bool = False, alerts: bool = True) -> "Report":
        """Lint the rendered dashboards; with `alerts`, the alerts' links to them too."""
        from .lint import lint_dashboards

        project, result = self.project(), self.rendered()
        alerting = project.alerting if alerts else None
        with self._cache("lint") as cache:
            return lint_dashboards(result.dashboards, load_errors=result.errors,
                                   datasource_uids=set(project.datasources), strict=strict, alerting=alerting,
                                   alerting_source=project.alerting_source, cache=cache, settings=self.config.lint,
                                   datasource_conflicts=project.datasource_conflicts)

    def lint_files(self, files: list[Path], strict: bool = False) -> "Report":
        from .lint import lint_dashboards, load_json_dashboards

        dashboards, errors = load_json_dashboards(files)
        with self._cache("lint") as cache:
            return lint_dashboards(dashboards, load_errors=errors, strict=strict, cache=cache,
                                   settings=self.config.lint)

    @contextlib.contextmanager
    def _cache(self, namespace: str) -> Iterator["Cache"]:
        """A cache of pure results for one step, saved after it (publisher/cache.py)."""
        from .cache import Cache

        cache = Cache(namespace, on=None if self.use_cache else False)
        yield cache
        cache.save()

    # --- diff and publish ------------------------------------------------------------

    def _publishable(self, env: "Environment", skip_lint: bool) -> Any:
        """The unique rendered dashboards; every module failure or lint error stops here."""
        from .render import unique

        result = unique(self.rendered())
        if result.errors:
            raise AppError(f"{len(result.errors)} dashboard module(s) failed; nothing was written to env {env.name} "
                           "(publishing the rest could make their dashboards look deleted)",
                           [f"error: {e}" for e in result.errors],
                           [{"kind": "module", **e.to_json()} for e in result.errors])
        if not skip_lint:
            report = self.lint(alerts=False)  # what is published is dashboards; alerts are checked by `dash lint`
            if not report.ok:
                raise AppError(f"dash lint found {len(report.errors)} error(s); fix them, or pass --skip-lint",
                               [finding.line() for finding in report.errors],
                               [{"kind": "lint", **finding.to_json()} for finding in report.errors])
        return result.dashboards

    def connect(self, env: "Environment") -> "Target":
        if env.directory is not None:
            from .oserror import in_the_way
            from .targets.directory import DirectoryTarget

            blocker = in_the_way(env.directory)
            if blocker is not None:
                raise AppError(f"{env.source}: environments.{env.name}.directory: {env.directory} cannot be a "
                               f"provisioning directory: {blocker} is a file; remove it or choose another directory")
            return DirectoryTarget(env.directory, env.org_id)
        from .targets.server import ServerTarget

        return user_errors(lambda: ServerTarget(env, project=self.config.project))

    def _connect_and_prefetch(self, env: "Environment") -> "Target":
        target = self.connect(env)
        prefetch = getattr(target, "prefetch", None)
        if prefetch is not None:
            prefetch()
        return target

    def pull(self, env_name: str, uid: str) -> "Pulled":
        """The live version of a dashboard dash manages, imported as a module, and what it changed."""
        from .importer.pull import pulled

        env = self.environment(env_name)
        if env is None or env.directory is not None:
            raise AppError(f"env {env_name} writes a provisioning directory: there is no live version to pull "
                           "(pull from an environment with a Grafana url)")
        result = self.rendered()
        target = self.connect(env)
        return user_errors(lambda: pulled(result.dashboards, target, env.name, uid), f"env {env.name}")

    def probe(self, env: "Environment") -> dict[str, Any]:
        """What the environment's target is, as data: lines for people, fields for JSON; never raises."""
        if env.directory is not None:
            return {"target": str(env.directory), "lines": [f"directory {env.directory} (file provisioning)"]}
        try:
            target = self.connect(env)
        except AppError as exc:
            return {"target": env.url, "error": str(exc), "lines": [f"error: {exc}"]}
        caps = target.capabilities
        path = (f"/apis (dashboard.grafana.app/{caps.native('dashboard.grafana.app')}, folder.grafana.app/"
                f"{caps.native('folder.grafana.app')})" if target.api_path == "apis" else "/api (legacy)")
        return {"target": target.description, "version": caps.version, "namespace": caps.namespace,
                "groups": {g: list(v) for g, v in sorted(caps.groups.items())}, "query_library": caps.query_library,
                "api": target.api_path, "lines": [*caps.lines(), f"dashboards and folders through {path}"]}

    def plan(self, env_name: str, prune: bool = False, verbose: bool = False, skip_lint: bool = False,
             only: tuple[str, ...] = (), forced: tuple[str, ...] = ()) -> Planned:
        """What publish would change in env `env_name`; `only`: just those objects (--only), `forced`: the uids
        of --force UID, checked to name objects of the plan."""
        from .desired import desired_state
        from .engine import make_plan
        from .handlers import PlanOptions
        from .selection import SelectionError, check_names
        from .selection import only as narrowed

        env = self.environment(env_name)
        # The server is probed and its bulk reads made while the project loads: the two wait on different things.
        connected = _in_background(lambda: self._connect_and_prefetch(env))
        rendered = self._publishable(env, skip_lint)
        project = self.project()
        if prune and not project.rendered and not project.held:
            raise AppError(f"refusing to prune: {project.root or 'the dashboards directory'} declares no dashboard, so "
                           f"--prune would delete everything dash published to env {env.name}; check --dashboards "
                           "and dash.yaml's `dashboards:`")
        target = connected()
        state = user_errors(lambda: desired_state(rendered, project.datasources, env, project.log_queries,
                                                   target.traits, self.config.project, project.held))
        plan = user_errors(lambda: make_plan(target, state, PlanOptions(prune=prune, verbose=verbose)),
                            f"env {env.name} ({target.description})")
        try:
            plan = narrowed(plan, only) if only else plan
            check_names(plan, forced, "--force")
        except SelectionError as exc:
            raise AppError(f"env {env.name}: {exc}", errors=[{"kind": "usage", "message": str(exc)}]) from None
        return Planned(env, target, plan)

    def publish(self, planned: Planned, force: bool = False, message: str | None = None,
                progress: Callable[["Outcome"], None] = lambda outcome: None, stop: "Stop | None" = None,
                ) -> Published:
        from .engine import apply
        from .gitinfo import default_message, marked
        from .handlers import ApplyOptions

        # A --message gets the commit's mark too, so that `dash rollback` finds that version by its commit.
        text = marked(message, Path.cwd()) if message else default_message(Path.cwd())
        options = ApplyOptions(force=force, message=text)
        return Published(planned, apply(planned.target, planned.plan, options, progress, stop), stop)


__all__ = ["App", "AppError", "LoadError", "Planned", "Published", "user_errors"]
