"""`dash preview`: a picture of each dashboard, without a Grafana (registered by cli.py).

Only click is imported at module level (`dash --help` stays fast); the build and the pages when it runs.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .cli_common import pass_app

if TYPE_CHECKING:
    from .app import App


@click.command()
@click.option("--out", "out_dir", default="out/preview", show_default=True, metavar="DIR",
              help="Where to write the pages (DIR/<uid>.html and DIR/index.html).")
@click.option("--env", "env_name", metavar="NAME",
              help="Draw the dashboards as dash would publish them to this environment (its root folder, the "
                   "saved queries' dashboard); without it, as `dash build` renders them.")
@pass_app
def preview(app: "App", out_dir: str, env_name: str | None) -> None:
    """Draw each dashboard as an HTML page of boxes where Grafana puts its panels: title, type, unit and
    queries of each, rows and what collapsed rows hide. Plain HTML and CSS, no script, no Grafana needed.

    Exits 1 when a dashboard module failed (the others are drawn).
    """
    from .cli_common import run

    dashboards, errors, notes = run(lambda: _dashboards(app, env_name))
    out = Path(out_dir)
    paths = run(lambda: _write(dashboards, out))
    for error in errors:
        click.secho(f"error: {error}", fg="red", err=True)
    for note in notes:
        click.echo(f"note: {note}")
    click.echo(f"dash preview: {len(paths) - 1} dashboard page(s) and index.html in {out}"
               + (f" (as published to env {env_name})" if env_name else ""))
    click.echo(f"open {out / 'index.html'}")
    sys.exit(1 if errors else 0)


def _dashboards(app: "App", env_name: str | None) -> tuple[list[tuple[str, dict[str, Any]]], list[Any], list[str]]:
    """(folder, dashboard JSON) of each dashboard to draw, the module errors, and notes on what was drawn."""
    from .render import unique

    result = unique(app.rendered())
    if env_name is None:
        return [(r.folder, r.json) for r in result.dashboards], result.errors, []
    import attrs

    from .app import user_errors
    from .desired import TargetTraits, desired_state

    env = app.environment(env_name)
    project = app.project()
    # The environment's datasources are left out: they do not change a dashboard's picture, and encoding
    # them would resolve their secrets. The query library is not probed (no Grafana is contacted).
    traits = TargetTraits(files=env.directory is not None)
    state = user_errors(lambda: desired_state(result.dashboards, project.datasources,
                                              attrs.evolve(env, datasources={}), project.log_queries, traits,
                                              app.config.project, project.held))
    notes = list(state.notes)
    if not traits.files and project.log_queries:  # the state's note assumes a probed server
        notes = [n for n in notes if not n.startswith("saved log queries:")]
        notes.append("saved log queries: drawn as their stand-in dashboard, as for a Grafana without the query "
                     "library (preview does not contact the server; one with the library gets them there instead)")
    return [(d.folder_path, d.json) for d in state.dashboards], result.errors, notes


def _write(dashboards: list[tuple[str, dict[str, Any]]], out: Path) -> list[Path]:
    from .app import user_errors
    from .preview.page import write_pages

    return user_errors(lambda: write_pages(dashboards, out), f"--out {out}")
