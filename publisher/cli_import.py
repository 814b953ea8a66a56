"""The commands that bring dashboards into code: `dash import` and `dash pull` (registered by cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from .app import App

from .cli_common import pass_app


@click.command(name="import")
@click.argument("sources", nargs=-1, metavar="SOURCE...")
@click.option("--env", "env_name", metavar="NAME", help="Import from this environment's Grafana (with --uid, "
              "--folder or --all).")
@click.option("--uid", "uids", multiple=True, metavar="UID", help="A dashboard of --env (repeatable).")
@click.option("--folder", metavar="TITLE", help="Every dashboard of --env in this folder (title or uid).")
@click.option("--all", "unmanaged", is_flag=True, help="Every dashboard of --env that dash does not manage.")
@click.option("--out", "out_dir", metavar="DIR", help="Where to write [default: the project's dashboards directory].")
@click.option("--check", is_flag=True, help="Write nothing: build each import and list every value lost or changed.")
@click.option("--force", is_flag=True, help="Overwrite modules that already exist.")
@pass_app
def import_(app: "App", sources: tuple[str, ...], env_name: str | None, uids: tuple[str, ...], folder: str | None,
            unmanaged: bool, out_dir: str | None, check: bool, force: bool) -> None:
    """Turn Grafana dashboards into dash modules: JSON files (a JSON model, an export, an API response),
    grafana.com/ID[@REVISION], or a live Grafana (--env with --uid, --folder or --all)."""
    from .cli_common import fail as _fail
    from .cli_common import run as _run
    from .importer.run import command

    more = []
    if env_name is not None:
        if not (uids or folder or unmanaged):
            _fail(f"--env {env_name}: say which dashboards: --uid UID (repeatable), --folder TITLE, or --all")
        more = [_run(lambda: _live_source(app, env_name, uids, folder, unmanaged))]
    elif uids or folder or unmanaged:
        _fail("--uid, --folder and --all read a live Grafana: give --env NAME too")
    if not sources and not more:
        _fail("give what to import: JSON files, grafana.com/ID[@REVISION], or --env NAME with --uid/--folder/--all")
    out = Path(out_dir) if out_dir else None if check else _run(lambda: app.config.dashboards) or Path("dashboards")
    show = lambda line, error: click.secho(line, fg="red", err=True) if error else click.echo(line)  # noqa: E731
    sys.exit(_run(lambda: command(list(sources), out, check, force, show, more)))


def _live_source(app: "App", env_name: str, uids: tuple[str, ...], folder: str | None, unmanaged: bool):
    from .app import AppError
    from .importer.live import LiveSource

    env = app.environment(env_name)
    if env is None or env.directory is not None:
        raise AppError(f"env {env_name} writes a provisioning directory: import from an environment with a url")
    return LiveSource(app.connect(env), env.name, tuple(uids), folder, unmanaged, env.folder)


@click.command()
@click.option("--env", "env_name", required=True, metavar="NAME", envvar="DASH_ENV",
              help="The environment whose Grafana to read [env DASH_ENV].")
@click.option("--uid", required=True, help="The dashboard (one that dash publishes).")
@click.option("--out", "out_file", metavar="FILE",
              help="Where to write the live version's module [default: _pulled_<uid>.py beside the dashboard's "
                   "module, a name dash does not load]; - for standard output.")
@pass_app
def pull(app: "App", env_name: str, uid: str, out_file: str | None) -> None:
    """Bring a UI edit back to the code: the live version of a dashboard, imported as Python.

    Says what the live version changed against the code, and writes it as a module to compare with
    yours and carry over by hand, instead of overwriting the edit with `dash publish --force`.
    """
    from .cli_common import fail as _fail
    from .cli_common import run as _run
    from .importer.sources import ImportFailed
    from .output import write_atomic

    try:
        pulled = _run(lambda: app.pull(env_name, uid))
    except ImportFailed as exc:
        _fail(str(exc))
    if not pulled.words:
        click.echo(f"{uid}: the live version in env {env_name} is what the code renders ({pulled.code}): "
                   "nothing to pull")
        return
    click.echo(f"{uid} in env {env_name}, against the code ({pulled.code}):")
    for word in pulled.words:
        click.echo(f"  ~ {word}")
    if out_file == "-":
        click.echo(pulled.module.text, nl=False)
        return
    path = Path(out_file) if out_file else pulled.suggested
    _run(lambda: write_atomic(path, pulled.module.text.encode()))
    click.echo(f"wrote {path}: the live version as a module. Carry what you keep into "
               f"{pulled.code.rsplit(':', 1)[0]} and delete {path.name}; once the code renders what Grafana "
               f"holds, `dash diff --env {env_name}` shows it unchanged.")
