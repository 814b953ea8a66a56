"""`dash dev`: build, lint (and publish) on every save (registered by cli.py; the loop is publisher/watch.py)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from .cli_common import fail, pass_app

if TYPE_CHECKING:
    from .app import App
    from .watch import Round


@click.command()
@click.option("--out", "out_dir", default="out", show_default=True, metavar="DIR",
              help="Build into DIR, as `dash build --out DIR` does.")
@click.option("--env", "env_name", metavar="NAME",
              help="Also publish each good build to this environment: a `directory:` one, or a development "
                   "Grafana. Its alerting settings are used for the build, as `dash build --env`.")
@click.option("--quiet", "quiet_ms", type=click.IntRange(0, 10_000), default=200, show_default=True, metavar="MS",
              help="Build once the files have not changed for this long (an editor's save writes several times).")
@pass_app
def dev(app: "App", out_dir: str, env_name: str | None, quiet_ms: int) -> None:
    """Build and lint on every save; with --env, publish each good build too.

    Builds into OUT and lints once at start, then again each time a file the
    build depends on changes: a file below the dashboards directory, dash.yaml,
    the alerting file, or a file of the project that a dashboard module read
    (the module cache records which). Bursts of writes are one change: a round
    starts once the files are quiet for --quiet milliseconds. Each round
    prints one line, then the findings as `dash lint` prints them and the
    build's other errors as `dash build` does:

    \b
      [12:01:02] dashboards/api.py changed: built 5 dashboards (1 changed), 0 errors, 2 warnings

    A module that fails to import (a syntax error, an exception) is reported
    with its file and line, and dash keeps watching: the next save retries.

    With --env NAME, a round without a module, build or lint error is
    published as `dash publish --env NAME` publishes (through the same plan
    and engine: a change made in Grafana since dash published it is refused,
    not overwritten; nothing is pruned) and the publish's summary is printed.
    A round with an error is not published, and its line says so.

    Ctrl-C (or SIGTERM) stops it with exit status 0; during a publish, the
    changes in flight finish first.
    """
    from pathlib import Path

    from .app import App
    from .cli_common import run as _run
    from .interrupts import received
    from .watch import FileChanges, Session, rounds, watch_dirs
    from .watch_waker import WatchError, WatchfilesWaker

    sys.dont_write_bytecode = True  # a module saved twice in one second must not run from its stale .pyc
    if env_name is not None:
        _run(lambda: app.environment(env_name))  # a misspelt name fails now, not on every save

    def make_app() -> App:
        return App(app.config_path, app.dashboards_option, warn=app.warn, use_cache=app.use_cache)

    session = Session(make_app, Path(out_dir), env_name)
    waker = WatchfilesWaker()
    changes = FileChanges(session.watched, waker, quiet_ms / 1000)
    try:
        changes.prime()
        for number, result in enumerate(rounds(changes, session.build_once, stop=lambda r: r.stop)):
            _show(result)
            if number == 0:
                count = len(watch_dirs(session.watched()))
                click.echo(f"watching {count} director{'y' if count == 1 else 'ies'} for changes; Ctrl-C stops")
    except KeyboardInterrupt:
        pass
    except WatchError as exc:
        waker.close()
        fail(str(exc))
    finally:
        waker.close()
    click.echo(f"dash dev: stopped by {received() or 'SIGINT'}")
    sys.exit(0)


def _show(result: "Round") -> None:
    from .report import styled

    colour = "red" if not result.ok else ("yellow" if any(x.kind == "finding" for x in result.lines) else "green")
    click.secho(result.header, fg=colour, bold=True)
    for line in result.lines:
        if line.kind == "error":
            click.secho(line.text, fg="red", err=True)
        elif line.kind == "publish":
            click.echo(styled(line.text))
        else:
            click.echo(line.text)
