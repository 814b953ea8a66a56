"""The `dash` command line.

Only click and the standard library are imported at module level, so that
`dash --help` stays fast; each command imports what it needs (grafanalib,
jsonschema, grafana-client...) when it runs.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, NoReturn

import click

OUTPUTS = click.Choice(["text", "json"])


def _fail(message: str, code: int = 1) -> NoReturn:
    click.secho(f"error: {message}", fg="red", err=True)
    sys.exit(code)


def _print_json(obj: Any) -> None:
    click.echo(json.dumps(obj, indent=2, sort_keys=True))


class Context:
    """What every command shares: the config file and where the dashboards live."""

    def __init__(self, config_path: str | None, dashboards_dir: str | None) -> None:
        self.config_path = config_path
        self.dashboards_option = dashboards_dir
        self._config = None

    @property
    def config(self):
        if self._config is None:
            from .config import ConfigError, load_config

            try:
                self._config = load_config(self.config_path)
            except ConfigError as exc:
                _fail(str(exc))
        return self._config

    def dashboards_dir(self) -> Path | None:
        """--dashboards, else the config's `dashboards` key, else the built-in dashboards."""
        if self.dashboards_option:
            return Path(self.dashboards_option)
        return self.config.dashboards

    def discover(self):
        from .discovery import discover

        return discover(self.dashboards_dir())

    def alerting(self):
        """The alerting definition: dash.yaml's `alerts:`, else the guide's with the guide's dashboards."""
        from alerts.loader import load_alerting

        return load_alerting(self.config.alerts, builtin=self.dashboards_dir() is None)

    def environment(self, name: str | None):
        return None if name is None else _or_fail(lambda: self.config.environment(name))


pass_ctx = click.make_pass_decorator(Context)


class _Group(click.Group):
    """Reports an unexpected exception in one line instead of a traceback (DASH_DEBUG=1 shows it)."""

    def invoke(self, ctx: click.Context) -> Any:
        import os

        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("DASH_DEBUG"):
                raise
            from .secrets import redact

            _fail(redact(f"internal error: {type(exc).__name__}: {exc} (run with DASH_DEBUG=1 for the traceback, "
                         "and please report it)"))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="grafana-dash", prog_name="dash")
@click.option(
    "--config",
    "config_path",
    envvar="DASH_CONFIG",
    metavar="FILE",
    help="Configuration file [default: ./dash.yaml if present; env DASH_CONFIG].",
)
@click.option(
    "--dashboards",
    "dashboards_dir",
    envvar="DASH_DASHBOARDS",
    metavar="DIR",
    help="Directory of dashboard modules [default: the config's `dashboards` key, else the built-in ones].",
)
@click.pass_context
def main(ctx: click.Context, config_path: str | None, dashboards_dir: str | None) -> None:
    """dash: Grafana dashboards as code.

    Author dashboards in Python, build them to JSON, lint them offline, and
    publish them to each environment with a diff you can trust.
    """
    ctx.obj = Context(config_path, dashboards_dir)


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, metavar="DIR", help="Output directory.")
@click.option("--env", "env_name", metavar="NAME",
              help="Environment whose scrape targets, Alertmanagers and Grafana URL the alerting files use.")
@click.option("--output", type=OUTPUTS, default="text", show_default=True, help="Summary format.")
@pass_ctx
def build(ctx: Context, out_dir: str, env_name: str | None, output: str) -> None:
    """Render every dashboard to OUT/<folder>/<uid>.json, and the rest of the stack around them.

    Also writes Grafana's provisioning tree (OUT/grafana/provisioning), the
    Prometheus and Alertmanager files (OUT/prometheus, OUT/alertmanager) and the
    guide's docker-compose.yml.
    """
    started = time.perf_counter()
    from .build import build as run_build

    env = ctx.environment(env_name)
    result = run_build(ctx.discover(), Path(out_dir), ctx.alerting(), env)
    seconds = time.perf_counter() - started
    if output == "json":
        _print_json({**result.to_json(), "seconds": round(seconds, 3)})
    else:
        for item in result.written:
            state = "wrote    " if item.changed else "unchanged"
            click.echo(f"  {state} {Path(out_dir) / item.path}  ({item.panels} panels)")
        for path, changed in result.other_files:
            click.echo(f"  {'wrote    ' if changed else 'unchanged'} {Path(out_dir) / path}")
        for path in result.removed:
            click.echo(f"  removed   {Path(out_dir) / path}  (no longer declared)")
        for error in result.errors:
            click.secho(f"error: {error}", fg="red", err=True)
        changed = sum(1 for w in result.written if w.changed)
        changed += sum(1 for _, c in result.other_files if c)
        click.echo(
            f"built {len(result.written)} dashboards and {len(result.other_files)} other files into {out_dir}/ "
            f"({changed} changed, {len(result.errors)} errors) in {seconds:.2f}s"
        )
    sys.exit(0 if result.ok else 1)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=True))
@click.option("--output", type=OUTPUTS, default="text", show_default=True, help="Findings format.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (missing descriptions or units).")
@pass_ctx
def lint(ctx: Context, files: tuple[str, ...], output: str, strict: bool) -> None:
    """Check dashboards offline: uids, layout, queries, variables and Grafana's schema.

    With FILES (dashboard JSON files or directories of them), lint those
    instead of the Python dashboards: useful for hand-edited or exported JSON.
    Exits 1 when any error is found.
    """
    from .lint import lint_dashboards, load_json_dashboards

    datasource_uids = None
    alerting = None
    if files:
        dashboards, errors = load_json_dashboards([Path(f) for f in files])
    else:
        from .build import render_all

        discovery = ctx.discover()
        dashboards, errors = render_all(discovery)
        datasource_uids = set(discovery.datasources())
        alerting = ctx.alerting()
        if alerting.error is not None:
            errors.append(alerting.error)
    report = lint_dashboards(dashboards, load_errors=errors, datasource_uids=datasource_uids, strict=strict,
                             alerting=alerting.alerting if alerting else None,
                             alerting_source=alerting.source if alerting else None)
    if output == "json":
        _print_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if report.ok else 1)


def _datasources(dashboard) -> list:
    from dashboards.sdk import DashboardError

    try:
        return dashboard.datasources()
    except DashboardError:
        return []  # reported when the dashboard is rendered


@main.command(name="list")
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@pass_ctx
def list_(ctx: Context, output: str) -> None:
    """List the dashboards dash knows about, and where each is declared."""
    from .discovery import display_path

    discovery = ctx.discover()
    rows = []
    for found in discovery.found:
        d = found.dashboard
        file, line = d.declared_at
        rows.append({
            "uid": d.uid,
            "title": d.title,
            "folder": d.folder,
            "panels": sum(1 for _ in d.iter_panels()),
            "source": f"{display_path(file)}:{line}",
        })
    if output == "json":
        _print_json({"dashboards": rows, "errors": [e.to_json() for e in discovery.errors]})
    else:
        if rows:
            widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in rows[0]}
            click.echo("  ".join(k.upper().ljust(widths[k]) for k in widths).rstrip())
            for r in rows:
                click.echo("  ".join(str(r[k]).ljust(widths[k]) for k in widths).rstrip())
        for error in discovery.errors:
            click.secho(f"error: {error}", fg="red", err=True)
    sys.exit(1 if discovery.errors else 0)


@main.command()
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@pass_ctx
def envs(ctx: Context, output: str) -> None:
    """List the environments of dash.yaml (secrets are shown as references only)."""
    config = ctx.config
    rows = [
        {
            "name": env.name,
            "target": env.target,
            "org_id": env.org_id,
            "folder": env.folder or "",
            "auth": env.auth_description(),
            "tls": ("verify" if env.verify_tls else "NO VERIFY") + (f", CA {env.ca_bundle}" if env.ca_bundle else ""),
            "concurrency": f"{env.reads} reads, {env.writes} writes",
            "datasources": ", ".join(sorted(env.datasources)),
        }
        for env in config.environments.values()
    ]
    if output == "json":
        _print_json({"config": str(config.path) if config.path else None, "environments": rows})
        return
    if not rows:
        click.echo(f"no environments defined ({config.path or 'no dash.yaml here'})")
        return
    keys = list(rows[0])
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in keys}
    click.echo("  ".join(k.upper().ljust(widths[k]) for k in keys).rstrip())
    for r in rows:
        click.echo("  ".join(str(r[k]).ljust(widths[k]) for k in keys).rstrip())


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, metavar="DIR", help="Where to build.")
@click.option("--env", "env_name", metavar="NAME", help="Environment to build the alerting files for.")
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@pass_ctx
def check(ctx: Context, out_dir: str, env_name: str | None, output: str) -> None:
    """Build, then check the Prometheus and Alertmanager files with the real promtool and amtool.

    Runs promtool check config, check rules and test rules (the alert test cases
    declared in Python), amtool check-config, and amtool config routes test for
    every routing case. Exits 1 when a check fails or a tool is missing.
    """
    from alerts.check import missing_tools, run_checks

    from .build import build as run_build

    env = ctx.environment(env_name)
    result = run_build(ctx.discover(), Path(out_dir), ctx.alerting(), env)
    for error in result.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    if not result.other_files:
        _fail("there is no alerting to check (set `alerts:` in dash.yaml to a file that defines ALERTING)")
    missing = missing_tools()
    if missing:
        for line in missing:
            click.secho(f"error: {line}", fg="red", err=True)
        _fail("cannot check the alerting files without these tools")
    checks = run_checks(Path(out_dir))
    failed = [c for c in checks if not c.ok]
    if output == "json":
        _print_json({"checks": [c.to_json() for c in checks], "ok": not failed and result.ok})
    else:
        for item in checks:
            click.echo(f"{'ok    ' if item.ok else 'FAILED'}  {item.name}")
            if not item.ok:
                click.echo("\n".join("        " + line for line in item.output.splitlines()))
        click.echo(f"{len(checks) - len(failed)} of {len(checks)} checks passed.")
    sys.exit(1 if failed or not result.ok else 0)


def _prepare(ctx: Context, env_name: str, skip_lint: bool):
    """Config, dashboards, lint and desired state; every problem ends here with a clear error."""
    from .build import render_all, unique
    from .desired import desired_state

    env = _or_fail(lambda: ctx.config.environment(env_name))
    discovery = ctx.discover()
    rendered, errors = render_all(discovery)
    rendered = unique(rendered, errors)
    if errors:
        for error in errors:
            click.secho(f"error: {error}", fg="red", err=True)
        _fail(f"{len(errors)} dashboard module(s) failed; nothing was written to env {env.name} "
              "(publishing the rest could make their dashboards look deleted)")
    if not skip_lint:
        from .lint import lint_dashboards

        report = lint_dashboards(rendered, datasource_uids=set(discovery.datasources()))
        if not report.ok:
            for finding in report.errors:
                click.echo(finding.line(), err=True)
            _fail(f"dash lint found {len(report.errors)} error(s); fix them, or pass --skip-lint")
    used = {ds.uid for d in discovery.dashboards for ds in _datasources(d)}
    state = _or_fail(lambda: desired_state(rendered, discovery.datasources(), env, used, discovery.log_queries))
    return env, state, rendered, discovery


def _directory_plan(env, rendered, discovery, prune: bool, verbose: bool):
    """The plan for a directory environment: its provisioning tree against the files there."""
    from provisioning.tree import tree_files

    from . import directory

    files = tree_files(rendered, discovery.datasources(), env)
    return directory.plan(env.directory, files, prune, verbose)


def _or_fail(fn):
    from .client import GrafanaError
    from .config import ConfigError

    try:
        return fn()
    except (ConfigError, GrafanaError) as exc:
        _fail(str(exc))


def _connect(env):
    from .client import Grafana

    return _or_fail(lambda: Grafana(env))


def _plan(grafana, state, prune: bool, verbose: bool):
    from .engine import make_plan
    from .handlers import PlanOptions

    return _or_fail(lambda: make_plan(grafana, state, PlanOptions(prune=prune, verbose=verbose)))


@main.command()
@click.option("--env", "env_name", required=True, metavar="NAME", help="Environment of dash.yaml.")
@click.option("--prune", is_flag=True, help="Also list managed objects that are no longer declared (to delete).")
@click.option("--verbose", "-v", is_flag=True, help="Add a unified JSON diff of each change.")
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@click.option("--skip-lint", is_flag=True, help="Do not refuse dashboards that fail `dash lint`.")
@pass_ctx
def diff(ctx: Context, env_name: str, prune: bool, verbose: bool, output: str, skip_lint: bool) -> None:
    """Show what `dash publish --env NAME` would change in Grafana.

    Exit status: 0 = no changes, 2 = changes, 1 = error.
    """
    from .report import plan_json, plan_lines

    env, state, rendered, discovery = _prepare(ctx, env_name, skip_lint)
    if env.directory is not None:
        plan, target = _directory_plan(env, rendered, discovery, prune, verbose), f"directory {env.directory}"
    else:
        with _connect(env) as grafana:
            plan = _plan(grafana, state, prune, verbose)
        target = f"{grafana.target.base_url} (org {env.org_id})"
    if output == "json":
        _print_json(plan_json(plan, env, target))
    else:
        header = f"dash diff: env {env.name} -> {target}"
        for line in plan_lines(plan, header, verbose):
            click.echo(line)
    sys.exit(2 if plan.pending else 0)


@main.command()
@click.option("--env", "env_name", required=True, metavar="NAME", help="Environment of dash.yaml.")
@click.option("--dry-run", is_flag=True, help="Show the diff and write nothing (exit 0 or 2, as `dash diff`).")
@click.option("--force", is_flag=True, help="Overwrite dashboards that were changed in Grafana since dash published them.")
@click.option("--prune", is_flag=True, help="Delete managed objects that are no longer declared.")
@click.option("--message", "-m", metavar="TEXT", help="Version message [default: names the git commit].")
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@click.option("--skip-lint", is_flag=True, help="Do not refuse dashboards that fail `dash lint`.")
@pass_ctx
def publish(ctx: Context, env_name: str, dry_run: bool, force: bool, prune: bool, message: str | None, output: str,
            skip_lint: bool) -> None:
    """Make Grafana match the code: folders, then datasources, then dashboards.

    Idempotent: a second publish writes nothing. A dashboard changed in
    Grafana since dash published it is not overwritten unless --force.
    Exit status: 0 = done, 1 = an error or a refused or failed object.
    """
    from .engine import apply
    from .gitinfo import default_message
    from .handlers import ApplyOptions
    from .report import Progress, plan_json, plan_lines, print_summary, totals

    env, state, rendered, discovery = _prepare(ctx, env_name, skip_lint)
    if env.directory is not None:
        _publish_directory(env, _directory_plan(env, rendered, discovery, prune, False), dry_run, force, output)
    with _connect(env) as grafana:
        plan = _plan(grafana, state, prune, verbose=False)
        header = f"dash publish: env {env.name} -> {grafana.target.base_url} (org {env.org_id})"
        if dry_run:
            if output == "json":
                _print_json(plan_json(plan, env, grafana.target.base_url))
            else:
                for line in plan_lines(plan, header.replace("publish", "publish --dry-run", 1)):
                    click.echo(line)
            sys.exit(2 if plan.pending else 0)
        options = ApplyOptions(force=force, message=message or default_message(Path.cwd()))
        text = output == "text"
        if text:
            for line in plan_lines(plan, header, force=force):
                click.echo(line)
        progress = Progress(len(plan.pending), force_plain=not text)
        try:
            outcomes = apply(grafana, plan, options, progress if text else (lambda outcome: None))
        finally:
            progress.close()
    counts = totals(outcomes, plan)
    if output == "json":
        _print_json({**plan_json(plan, env, grafana.target.base_url),
                     "results": [o.to_json() for o in outcomes], "totals": counts,
                     "retries": grafana.retries, "ok": counts["failed"] == 0,
                     "write_concurrency": {"ceiling": grafana.write_limit.ceiling, "lowest": grafana.write_limit.lowest,
                                           "final": grafana.write_limit.limit}})
    else:
        if outcomes:
            print_summary(outcomes, plan, progress.tty, click.echo)
        click.echo(
            f"Published to {env.name}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['deleted']} deleted, {counts['unchanged']} unchanged, {counts['failed']} failed, "
            f"{counts['skipped']} skipped" + (f" ({grafana.retries} retries)" if grafana.retries else "") + "."
        )
    sys.exit(1 if counts["failed"] else 0)


def _publish_directory(env, plan, dry_run: bool, force: bool, output: str) -> None:
    """Publish to a directory environment: write the provisioning tree; never returns."""
    from . import directory
    from .report import Progress, plan_json, plan_lines, print_summary, totals

    target = f"directory {env.directory}"
    header = f"dash publish{' --dry-run' if dry_run else ''}: env {env.name} -> {target}"
    text = output == "text"
    if dry_run:
        if text:
            for line in plan_lines(plan, header, force=force):
                click.echo(line)
        else:
            _print_json(plan_json(plan, env, target))
        sys.exit(2 if plan.pending else 0)
    if text:
        for line in plan_lines(plan, header, force=force):
            click.echo(line)
    progress = Progress(len(plan.pending), force_plain=not text)
    try:
        outcomes = directory.apply(env.directory, plan, force, progress if text else (lambda outcome: None))
    finally:
        progress.close()
    counts = totals(outcomes, plan)
    if text:
        if outcomes:
            print_summary(outcomes, plan, progress.tty, click.echo)
        click.echo(f"Published to {env.name} ({env.directory}): {counts['created']} created, {counts['updated']} "
                   f"updated, {counts['deleted']} deleted, {counts['unchanged']} unchanged, {counts['failed']} failed.")
    else:
        _print_json({**plan_json(plan, env, target), "results": [o.to_json() for o in outcomes], "totals": counts,
                     "ok": counts["failed"] == 0})
    sys.exit(1 if counts["failed"] else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
