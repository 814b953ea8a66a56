"""`dash init [DIR]`: a new repository's dash.yaml, example dashboard, alert rules, .gitignore and CI file."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from .cli_common import fail


@click.command("init")
@click.argument("directory", default=".", type=click.Path(file_okay=False, path_type=Path))
def init(directory: Path) -> None:
    """Scaffold a repository in DIRECTORY (default: the current one). Refuses if any file it would
    write exists, and then writes nothing (there is no --force: move the files away, or init elsewhere)."""
    from .scaffold.files import in_the_way, scaffold_files, write_all

    files = scaffold_files(directory)
    blocked = in_the_way(directory, files)
    if blocked:
        fail(f"{directory} already has {', '.join(blocked)}; dash init wrote nothing "
             "(it never overwrites, and has no --force: move them away or init another directory)")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_all(directory, files)
    except OSError as exc:
        fail(f"cannot write the scaffold in {directory}: {exc.strerror or exc}")
    for name in files:
        click.echo(f"  wrote     {(directory / name).as_posix()}")
    click.echo(f"initialised {len(files)} files in {directory.as_posix()}. Next:")
    if directory != Path("."):
        click.echo(f"  cd {shlex.quote(directory.as_posix())}")
    click.echo("  dash lint && dash build && dash check   # the dashboard, the build, promtool on the alert rules")
    click.echo("  dash publish --env local                # Grafana's provisioning tree in grafana/provisioning")
