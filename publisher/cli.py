"""The `dash` command line: click options, one call into the application (publisher.app), the report.

Only click and the standard library are imported at module level, so that
`dash --help` stays fast; each command imports what it needs when it runs.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from .app import App

from .cli_common import OUTPUTS, PLAN_OUTPUTS, pass_app  # noqa: F401 - PLAN_OUTPUTS: part of the CLI's surface
from .cli_common import fail as _fail
from .cli_common import print_json as _print_json
from .cli_common import run as _run
from .output import counted


class _Group(click.Group):
    """Reports an unexpected exception in one line instead of a traceback (DASH_DEBUG=1 shows it)."""

    def invoke(self, ctx: click.Context) -> Any:
        import os

        from .interrupts import EXIT_CODES, install, received

        install()
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            name = received() or "SIGINT"
            unwritten = "; nothing was written to Grafana" if ctx.invoked_subcommand in ("diff", "publish") else ""
            _fail(f"interrupted by {name}: `dash {ctx.invoked_subcommand}` stopped before it finished{unwritten}",
                  EXIT_CODES[name])
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `dash diff | head`: the reader has what it wanted; what is left goes nowhere
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(141)  # what a shell reports for a process ended by SIGPIPE (128 + 13)
        except Exception as exc:  # noqa: BLE001
            if os.environ.get("DASH_DEBUG"):
                raise
            from .secrets import redact

            _fail(redact(f"internal error: {type(exc).__name__}: {exc} (run with DASH_DEBUG=1 for the traceback, "
                         "and please report it)"))



@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="grafana-dash", prog_name="dash")
@click.option("--config", "config_path", envvar="DASH_CONFIG", metavar="FILE",
              help="Configuration file [default: ./dash.yaml if present; env DASH_CONFIG].")
@click.option("--dashboards", "dashboards_dir", envvar="DASH_DASHBOARDS", metavar="DIR",
              help="Directory of dashboard modules [default: the config's `dashboards` key, else ./dashboards].")
@click.option("--no-cache", is_flag=True, envvar="DASH_NO_CACHE",
              help="Recompute what the cache holds (lint results of unchanged dashboards) [env DASH_NO_CACHE].")
@click.pass_context
def main(ctx: click.Context, config_path: str | None, dashboards_dir: str | None, no_cache: bool) -> None:
    """dash: Grafana dashboards as code.

    Author dashboards in Python, build them to JSON, lint them offline, and
    publish them to each environment with a diff you can trust.
    """
    from .app import App

    ctx.obj = App(config_path, dashboards_dir, warn=lambda line: click.secho(line, fg="yellow", err=True),
                  use_cache=not no_cache)


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, metavar="DIR", help="Output directory.")
@click.option("--env", "env_name", metavar="NAME",
              help="Environment whose scrape targets, Alertmanagers and Grafana URL the alerting files use.")
@click.option("--output", type=OUTPUTS, default="text", show_default=True, help="Summary format.")
@click.option("--strict", is_flag=True, help="Fail when a declared dashboard could not be built (a grafana.com "
              "dashboard not in the cache and not fetchable now).")
@pass_app
def build(app: "App", out_dir: str, env_name: str | None, output: str, strict: bool) -> None:
    """Render every dashboard to OUT/<folder>/<uid>.json, and the rest of the stack around them.

    Also writes Grafana's provisioning tree (OUT/grafana/provisioning), the
    Prometheus and Alertmanager files the alerting declares (OUT/prometheus,
    OUT/alertmanager) and, with `stack: guide` in dash.yaml, the guide's
    docker-compose.yml.
    """
    started = time.perf_counter()
    result = _run(lambda: app.build(Path(out_dir), env_name))
    seconds = time.perf_counter() - started
    held = [uid for uid, _ in app.project().held]
    ok = result.ok and not (strict and held)
    if output == "json":
        _print_json({**result.to_json(), "not_built": held, "seconds": round(seconds, 3)})
        sys.exit(0 if ok else 1)
    for item in result.written:
        state = "wrote    " if item.changed else "unchanged"
        click.echo(f"  {state} {Path(out_dir) / item.path}  ({item.panels} panels)")
    for path, changed in result.other_files:
        click.echo(f"  {'wrote    ' if changed else 'unchanged'} {Path(out_dir) / path}")
    for path in result.removed:
        click.echo(f"  removed   {Path(out_dir) / path}  (no longer declared)")
    for error in result.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    changed = sum(1 for w in result.written if w.changed) + sum(1 for _, c in result.other_files if c)
    not_built = f", {len(held)} not built (kept as they were)" if held else ""
    click.echo(f"built {counted(len(result.written), 'dashboard')} and {counted(len(result.other_files), 'other file')}"
               f" into {out_dir}/ ({changed} changed, {counted(len(result.errors), 'error')}{not_built}) in "
               f"{seconds:.2f}s")
    if strict and held:
        click.secho(f"error: --strict: {', '.join(held)} not built (see the warnings above)", fg="red", err=True)
    sys.exit(0 if ok else 1)


@main.command()
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=True))
@click.option("--output", type=OUTPUTS, default="text", show_default=True, help="Findings format.")
@click.option("--strict", is_flag=True, help="Fail on warnings too (missing descriptions or units).")
@pass_app
def lint(app: "App", files: tuple[str, ...], output: str, strict: bool) -> None:
    """Check dashboards offline: uids, layout, queries, variables and Grafana's schema.

    With FILES (dashboard JSON files or directories of them), lint those
    instead of the Python dashboards: useful for hand-edited or exported JSON.
    Exits 1 when any error is found.
    """
    report = _run(lambda: app.lint_files([Path(f) for f in files], strict) if files else app.lint(strict))
    if output == "json":
        _print_json(report.to_json())
    else:
        for line in report.lines():
            click.echo(line)
    sys.exit(0 if report.ok else 1)


@main.command(name="list")
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@pass_app
def list_(app: "App", output: str) -> None:
    """List the dashboards dash knows about, and where each is declared."""
    from .report import table

    project = _run(app.project)
    rows = [{"uid": r.uid, "title": r.title, "folder": r.folder, "panels": r.panel_count, "source": r.source}
            for r in project.rendered]
    if output == "json":
        _print_json({"dashboards": rows, "errors": [e.to_json() for e in project.errors]})
    else:
        if rows:
            for text in table([list(r.values()) for r in rows], list(rows[0])):
                click.echo(text)
        for error in project.errors:
            click.secho(f"error: {error}", fg="red", err=True)
    sys.exit(1 if project.errors else 0)


@main.command()
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@click.option("--probe", is_flag=True, help="Also ask each server what it is: version, API groups, namespace.")
@pass_app
def envs(app: "App", output: str, probe: bool) -> None:
    """List the environments of dash.yaml (secrets are shown as references only)."""
    from .report import table

    config = _run(lambda: app.config)
    if probe:
        found = {env.name: app.probe(env) for env in config.environments.values()}
        if output == "json":
            _print_json({name: value for name, value in found.items()})
        else:
            for name, value in found.items():
                click.echo(f"{name}:")
                for line in value["lines"]:
                    click.echo(f"  {line}")
        sys.exit(1 if any(v.get("error") for v in found.values()) else 0)
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
    elif not rows:
        click.echo(f"no environments defined ({config.path or 'no dash.yaml here'})")
    else:
        for text in table([list(r.values()) for r in rows], list(rows[0])):
            click.echo(text)


@main.command()
@click.option("--out", "out_dir", default="out", show_default=True, metavar="DIR", help="Where to build.")
@click.option("--env", "env_name", metavar="NAME", help="Environment to build the alerting files for.")
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@click.option("--secrets", "secrets", metavar="DIR", envvar="DASH_ALERTMANAGER_SECRETS",
              type=click.Path(file_okay=False, path_type=Path),
              help="The directory holding here what Alertmanager reads at its secrets_dir: each *_file of "
                   "alertmanager.yml must exist there. Without it, secrets_dir itself if it exists here, else skipped.")
@pass_app
def check(app: "App", out_dir: str, env_name: str | None, output: str, secrets: Path | None) -> None:
    """Build, then check the Prometheus and Alertmanager files with the real promtool and amtool.

    Checks what the alerting declares: promtool check config (prometheus.yml),
    check rules and test rules (the rule files and the test cases declared in
    Python), amtool check-config and amtool config routes test for every
    routing case (alertmanager.yml), and the secret files alertmanager.yml
    names (--secrets). With no `alerts:` in dash.yaml there is
    nothing to check: it says so and exits 0. Exits 1 when the build fails (then
    nothing is checked), a check fails, or a tool it needs is missing.
    """
    from alerts.build import for_environment
    from alerts.check import missing_tools, needed_tools, run_checks

    result = _run(lambda: app.build(Path(out_dir), env_name))
    for error in result.errors:
        click.secho(f"error: {error}", fg="red", err=True)
    if not result.ok:  # what OUT holds may be the last good build's files, not these
        _fail(f"not checked: the build failed (the errors above), so {out_dir}/ may hold the last good build's "
              "files rather than what the code now declares; fix the errors and run dash check again")
    alerting = _run(app.project).alerting
    if alerting is None:
        if output == "json":
            _print_json({"checks": [], "ok": True, "alerting": None})
        else:
            click.echo("nothing to check: dash.yaml declares no alerting (`alerts:` names a Python file that "
                       "defines ALERTING = Alerting(...): rule files, Prometheus, Alertmanager, or any of them)")
        return
    missing = missing_tools(needed_tools(Path(out_dir)))
    if missing:
        for line in missing:
            click.secho(f"error: {line}", fg="red", err=True)
        _fail("cannot check the alerting files without these tools")
    env = app.environment(env_name)
    alertmanager = for_environment(alerting, env.alerting if env is not None else None).alertmanager
    secrets_dir = alertmanager.secrets_dir if alertmanager is not None else None
    checks = run_checks(Path(out_dir), secrets_dir, secrets)
    failed = [c for c in checks if not c.ok]
    skipped = [c for c in checks if c.skipped]
    if output == "json":
        _print_json({"checks": [c.to_json() for c in checks], "ok": not failed and result.ok})
    else:
        for item in checks:
            click.echo(f"{'skipped' if item.skipped else 'ok' if item.ok else 'FAILED':<7} {item.name}")
            if not item.ok or item.skipped:
                click.echo("\n".join("        " + line for line in item.output.splitlines()))
        run = len(checks) - len(skipped)
        click.echo(f"{run - len(failed)} of {counted(run, 'check')} passed" + (
            f" ({len(skipped)} skipped)." if skipped else "."))
    sys.exit(1 if failed or not result.ok else 0)


# Commands that live in a module of their own (cli.py keeps to the size rule), registered here.
from .cli_import import import_, pull  # noqa: E402
from .cli_publish import diff, publish  # noqa: E402

main.add_command(diff)
main.add_command(publish)
main.add_command(import_)
main.add_command(pull)
from .cli_rollback import rollback  # noqa: E402

main.add_command(rollback)
from .cli_preview import preview  # noqa: E402

main.add_command(preview)
from .cli_init import init  # noqa: E402

main.add_command(init)
from .cli_watch import dev  # noqa: E402

main.add_command(dev)


if __name__ == "__main__":  # pragma: no cover
    main()
