"""`dash rollback`: the dashboards of an environment back to what dash published from a commit (registered by
cli.py). The plan reads like a publish's (the same words, drift and ownership); publisher/rollback/ decides."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from .cli_common import OUTPUTS, pass_app

if TYPE_CHECKING:
    from .app import App
    from .model import Force


@click.command()
@click.option("--env", "env_name", required=True, metavar="NAME", envvar="DASH_ENV",
              help="Environment of dash.yaml [env DASH_ENV].")
@click.option("--to", "ref", required=True, metavar="REF",
              help="A git commit (sha, tag, branch) of the project's repository, or `previous` (the publish "
                   "before the newest).")
@click.option("--dry-run", is_flag=True, help="Show the plan and write nothing (exit 0 no changes, 2 changes).")
@click.option("--force", "force", multiple=True, is_flag=False, flag_value="*", metavar="[UID]",
              help="Also roll back dashboards changed in Grafana since dash published them: every one, or with a "
                   "UID just that one (repeatable).")
@click.option("--prune", is_flag=True, help="Delete the managed dashboards that did not exist at REF.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deleting (without a terminal, --prune is consent).")
@click.option("--output", type=OUTPUTS, default="text", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="Add a unified JSON diff of each change.")
@click.option("--show-unchanged", is_flag=True, help="List the unchanged dashboards too (else only counted).")
@pass_app
def rollback(app: "App", env_name: str, ref: str, dry_run: bool, force: tuple[str, ...], prune: bool, yes: bool,
             output: str, verbose: bool, show_unchanged: bool) -> None:
    """Bring the project's dashboards in an environment back to the versions dash published from REF.

    For each dashboard, the version restored is the newest one dash published from REF or from an
    ancestor of REF. A dashboard changed in Grafana since dash published it is refused unless --force;
    another project's dashboards and unmanaged ones are never touched. Exit status: 0 = done,
    1 = an error or a refused or failed dashboard; --dry-run: 0 = no changes, 2 = changes.
    """
    from .cli_common import print_json, run
    from .report import plan_json, plan_lines, styled
    from .rollback import plan

    forcing: "Force" = True if "*" in force else frozenset(force)
    rolled = run(lambda: plan(app, env_name, ref, prune=prune, verbose=verbose,
                              forced=tuple(u for u in force if u != "*")))
    planned = rolled.planned
    if output == "text":
        header = (f"dash rollback{' --dry-run' if dry_run else ''}: env {planned.env.name} -> "
                  f"{planned.target.description}, to {rolled.to.short} ({rolled.to.subject})")
        for line in plan_lines(planned.plan, header, verbose, force=forcing, show_unchanged=show_unchanged,
                               verb="rollback"):
            click.echo(styled(line))
    if dry_run:
        if output == "json":
            print_json({**plan_json(planned), "to": rolled.to_json()})
        sys.exit(2 if planned.plan.pending else 0)
    if not planned.plan.pending:
        if output == "json":
            print_json({**plan_json(planned), "to": rolled.to_json(), "results": [], "ok": True})
        sys.exit(0)
    _confirm_deletes(planned, yes)
    _apply(rolled, forcing, output)


def _confirm_deletes(planned: Any, yes: bool) -> None:
    """At a terminal, ask before deleting; without one (CI), --prune is the consent."""
    from .cli_common import fail

    deletes = [c for c in planned.plan.pending if c.action == "delete"]
    if not deletes or yes or not (sys.stdin.isatty() and sys.stderr.isatty()):
        return
    shown = ", ".join(c.uid for c in deletes[:5]) + (" ..." if len(deletes) > 5 else "")
    if not click.confirm(f"Delete {len(deletes)} dashboard(s) from env {planned.env.name} ({shown})?", err=True):
        fail(f"nothing was written to env {planned.env.name}: the deletes were not confirmed (pass --yes to skip "
             "the question)")


def _apply(rolled: Any, force: "Force", output: str) -> None:
    from .cli_common import fail, print_json
    from .interrupts import EXIT_CODES, Stop, finishing_in_flight
    from .report import Progress, published_json, result_lines, styled, totals
    from .rollback import apply

    planned, text = rolled.planned, output == "text"
    progress = Progress(len(planned.plan.pending), quiet=not text)
    try:
        with finishing_in_flight(Stop()) as stop:
            published = apply(rolled, force, progress if text else lambda o: None, stop)
    except KeyboardInterrupt:  # the second signal: stop without waiting for the requests in flight
        progress.close()
        fail(f"interrupted twice by {stop.signal}: some dashboards may have been rolled back; run `dash rollback "
              "--dry-run` to see what remains", EXIT_CODES[stop.signal or "SIGINT"])
    finally:
        progress.close()
    if output == "json":
        print_json({**published_json(published), "to": rolled.to_json()})
    else:
        for line in result_lines(published.outcomes, planned.plan):
            click.echo(styled(line))
        counts = totals(published.outcomes, planned.plan)
        click.echo(f"Rolled back {planned.env.name} to {rolled.to.short}: {counts['updated']} restored, "
                   f"{counts['deleted']} deleted, {counts['unchanged']} unchanged, {counts['refused']} refused, "
                   f"{counts['failed']} failed, {counts['skipped']} skipped.")
    if published.interrupted:
        sys.exit(EXIT_CODES[published.interrupted])
    sys.exit(0 if published.ok else 1)
