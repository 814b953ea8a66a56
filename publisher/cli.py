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


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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
@click.option("--output", type=OUTPUTS, default="text", show_default=True, help="Summary format.")
@pass_ctx
def build(ctx: Context, out_dir: str, output: str) -> None:
    """Render every dashboard to OUT/<folder>/<uid>.json."""
    started = time.perf_counter()
    from .build import build as run_build

    result = run_build(ctx.discover(), Path(out_dir))
    seconds = time.perf_counter() - started
    if output == "json":
        _print_json({**result.to_json(), "seconds": round(seconds, 3)})
    else:
        for item in result.written:
            state = "wrote    " if item.changed else "unchanged"
            click.echo(f"  {state} {Path(out_dir) / item.path}  ({item.panels} panels)")
        for path in result.removed:
            click.echo(f"  removed   {Path(out_dir) / path}  (no longer declared)")
        for error in result.errors:
            click.secho(f"error: {error}", fg="red", err=True)
        changed = sum(1 for w in result.written if w.changed)
        click.echo(
            f"built {len(result.written)} dashboards into {out_dir}/ ({changed} changed, "
            f"{len(result.errors)} errors) in {seconds:.2f}s"
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
    if files:
        dashboards, errors = load_json_dashboards([Path(f) for f in files])
    else:
        from .build import render_all

        discovery = ctx.discover()
        dashboards, errors = render_all(discovery)
        datasource_uids = {ds.uid for d in discovery.dashboards for ds in _datasources(d)}
    report = lint_dashboards(dashboards, load_errors=errors, datasource_uids=datasource_uids, strict=strict)
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


if __name__ == "__main__":  # pragma: no cover
    main()
