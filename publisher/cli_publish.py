"""`dash diff` and `dash publish`, for one environment or several (registered by cli.py).

Several environments (`--env a --env b`, or `--all-envs`) are planned and
applied one after the other, in the order given: each gets its own plan,
results and summary, and the exit status is the worst of them. A publish that
fails in one environment stops before the next (what failed in staging is not
sent to prod) unless `--keep-going`; a diff always looks at every one.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import click

from .cli_common import PLAN_OUTPUTS, error_json, pass_app
from .cli_common import fail as _fail
from .cli_common import print_json as _print_json

if TYPE_CHECKING:
    from .app import App, AppError, Planned, Published
    from .model import Force

NOT_STARTED = "not started"


def _env_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn = click.option("--all-envs", is_flag=True, help="Every environment of dash.yaml, in the file's order.")(fn)
    return click.option("--env", "env_names", multiple=True, metavar="NAME", envvar="DASH_ENV",
                        help="Environment of dash.yaml; repeat it for several, taken in the order given "
                             "[env DASH_ENV, names separated by spaces].")(fn)


def _only_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--only", "only", multiple=True, metavar="NAME",
                        help="Just this object: a dashboard, folder, datasource or saved query, by uid (or a "
                             "folder's path, a datasource's name); repeatable. Folders it needs come along.")(fn)


def environments(app: "App", names: tuple[str, ...], all_envs: bool) -> list[str]:
    """The environments to work on, in order, each once."""
    from .cli_common import run as _run

    if all_envs and names:
        _fail("give --env NAME (repeatable) or --all-envs, not both")
    if all_envs:
        config = _run(lambda: app.config)
        if not config.environments:
            _fail(f"--all-envs: {config.path or 'no dash.yaml here'} defines no environment")
        return list(config.environments)
    if not names:
        _fail("say which environment: --env NAME (repeatable), DASH_ENV=NAME, or --all-envs")
    return list(dict.fromkeys(names))


def _planned(app: "App", name: str, **options: Any) -> "tuple[Planned | None, AppError | None]":
    """(the plan, None), or (None, the error): one environment's error does not stop the others'."""
    from .app import AppError

    try:
        return app.plan(name, **options), None
    except AppError as exc:
        return None, exc


def _worst(codes: list[int]) -> int:
    """An error (1) outranks changes (2), which outrank nothing to do (0); a signal's code outranks all."""
    return max(codes, key=lambda c: {0: 0, 2: 1, 1: 2}.get(c, 3), default=0)


def _show_error(name: str, exc: "AppError", several: bool, output: str) -> None:
    for line in exc.details:
        click.echo(line, err=True)
    prefix = f"env {name}: " if several and not str(exc).startswith(f"env {name}") else ""
    click.secho(f"error: {prefix}{exc}", fg="red", err=True)


def _env_error_json(name: str, exc: "AppError") -> dict[str, Any]:
    return {"env": name, **error_json(str(exc), 1, exc.details, exc.errors)}


def _one_or_many(results: list[dict[str, Any]], code: int) -> None:
    """JSON: one environment's object as it is; several as {"environments": [...]} with the overall status."""
    if len(results) == 1:
        _print_json(results[0])
    else:
        _print_json({"ok": code in (0, 2), "exit_code": code, "environments": results})


@click.command()
@_env_options
@_only_option
@click.option("--prune", is_flag=True, help="Also list managed objects that are no longer declared (to delete).")
@click.option("--verbose", "-v", is_flag=True, help="Add a unified JSON diff of each change.")
@click.option("--output", type=PLAN_OUTPUTS, default="text", show_default=True)
@click.option("--skip-lint", is_flag=True, help="Do not refuse dashboards that fail `dash lint`.")
@click.option("--show-unchanged", is_flag=True, help="List the unchanged objects too (else only counted).")
@click.option("--picture", "picture_dir", metavar="DIR",
              help="Also write before/after pages of each changed dashboard into DIR (open DIR/index.html).")
@pass_app
def diff(app: "App", env_names: tuple[str, ...], all_envs: bool, only: tuple[str, ...], prune: bool,
         verbose: bool, output: str, skip_lint: bool, show_unchanged: bool, picture_dir: str | None) -> None:
    """Show what `dash publish --env NAME` would change in Grafana.

    Exit status: 0 = no changes, 2 = changes, 1 = error (with several
    environments, the worst of them).
    """
    from .report import plan_json, plan_lines, styled

    names = environments(app, env_names, all_envs)
    several = len(names) > 1
    codes: list[int] = []
    results: list[dict[str, Any]] = []
    for name in names:
        planned, error = _planned(app, name, prune=prune, verbose=verbose, skip_lint=skip_lint, only=only)
        if error is not None:
            _show_error(name, error, several, output)
            codes.append(1)
            results.append(_env_error_json(name, error))
            continue
        codes.append(2 if planned.plan.pending else 0)
        if output == "json":
            results.append(plan_json(planned))
        elif output == "markdown":
            from .report_markdown import plan_markdown

            click.echo(plan_markdown(planned), nl=False)
        else:
            header = f"dash diff: env {planned.env.name} -> {planned.target.description}"
            for line in plan_lines(planned.plan, header, verbose, show_unchanged=show_unchanged):
                click.echo(styled(line))
        if picture_dir is not None:
            _pictures(planned, Path(picture_dir) / name if several else Path(picture_dir), output)
    code = _worst(codes)
    if output == "json":
        _one_or_many(results, code)
    sys.exit(code)


def _pictures(planned: "Planned", out: Path, output: str) -> None:
    from .app import user_errors
    from .cli_common import run as _run
    from .preview.diff_pages import write_diff_pictures

    written = _run(lambda: user_errors(lambda: write_diff_pictures(planned.plan, out), str(out)))
    if output == "text":
        shown = f"; open {out / 'index.html'}" if written else ""
        click.echo(f"pictures: {len(written)} page(s) written to {out}/{shown}", err=True)


@click.command()
@_env_options
@_only_option
@click.option("--dry-run", is_flag=True, help="Show the diff and write nothing (exit 0 or 2, as `dash diff`).")
@click.option("--force", "force", multiple=True, is_flag=False, flag_value="*", metavar="[UID]",
              help="Overwrite what was changed in Grafana since dash published it: every object, or with a "
                   "UID just that one (repeatable).")
@click.option("--keep-going", is_flag=True, help="With several environments: go on to the next after a failure.")
@click.option("--prune", is_flag=True, help="Delete managed objects that are no longer declared.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask before deleting (without a terminal, --prune is consent).")
@click.option("--message", "-m", metavar="TEXT", help="Version message [default: names the git commit].")
@click.option("--output", type=PLAN_OUTPUTS, default="text", show_default=True)
@click.option("--skip-lint", is_flag=True, help="Do not refuse dashboards that fail `dash lint`.")
@click.option("--show-unchanged", is_flag=True, help="List the unchanged objects too (else only counted).")
@pass_app
def publish(app: "App", env_names: tuple[str, ...], all_envs: bool, only: tuple[str, ...], dry_run: bool,
            force: tuple[str, ...], keep_going: bool, prune: bool, yes: bool, message: str | None, output: str,
            skip_lint: bool, show_unchanged: bool) -> None:
    """Make Grafana match the code: folders, then datasources, then dashboards.

    Idempotent: a second publish writes nothing. A dashboard changed in
    Grafana since dash published it is not overwritten unless --force.
    Exit status: 0 = done, 1 = an error or a refused or failed object,
    130 / 143 = stopped by SIGINT / SIGTERM (the changes in flight finish first).
    With several environments each is published in turn, and a failure stops
    the rest unless --keep-going.
    """
    names = environments(app, env_names, all_envs)
    several = len(names) > 1
    forcing: "Force" = True if "*" in force else frozenset(force)
    named = tuple(u for u in force if u != "*")
    codes: list[int] = []
    results: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        code, result = _publish_one(app, name, several, dry_run=dry_run, force=forcing, forced=named, prune=prune,
                                    yes=yes, message=message, output=output, skip_lint=skip_lint, only=only,
                                    show_unchanged=show_unchanged)
        codes.append(code)
        results.append(result)
        signalled = code not in (0, 1, 2)  # SIGINT or SIGTERM: never go on, --keep-going or not
        if (signalled or (code == 1 and not keep_going)) and index + 1 < len(names):
            rest = names[index + 1:]
            why = f"stopped by {result.get('interrupted')}" if signalled else f"env {name} did not publish cleanly"
            for later in rest:
                results.append({"env": later, "ok": False, "result": NOT_STARTED, "reason": why})
            if output == "text":
                click.secho(f"not started: {', '.join(rest)} ({why}; --keep-going goes on after a failure)",
                            fg="yellow", err=True)
            break
    if several and output == "text":
        click.echo("Environments: " + "; ".join(_env_word(r) for r in results) + ".")
    code = _worst(codes)
    if output == "json":
        _one_or_many(results, code)
    sys.exit(code)


def _env_word(result: dict[str, Any]) -> str:
    if result.get("result") == NOT_STARTED:
        return f"{result['env']} not started"
    if "error" in result:
        return f"{result['env']} error"
    if "results" in result:
        return f"{result['env']} {'ok' if result.get('ok') else 'FAILED'}"
    return f"{result['env']} {'changes' if result.get('changed') else 'no changes'} (dry run)"


def _publish_one(app: "App", name: str, several: bool, dry_run: bool, force: "Force", forced: tuple[str, ...],
                 prune: bool, yes: bool, message: str | None, output: str, skip_lint: bool, only: tuple[str, ...],
                 show_unchanged: bool) -> tuple[int, dict[str, Any]]:
    """(exit code, JSON object) of one environment's publish; what it shows is printed as it goes."""
    from .report import plan_json, plan_lines, styled

    planned, error = _planned(app, name, prune=prune, skip_lint=skip_lint, only=only, forced=forced)
    if error is not None:
        _show_error(name, error, several, output)
        return 1, _env_error_json(name, error)
    text = output == "text"
    header = f"dash publish{' --dry-run' if dry_run else ''}: env {planned.env.name} -> {planned.target.description}"
    if text:
        for line in plan_lines(planned.plan, header, force=force, show_unchanged=show_unchanged):
            click.echo(styled(line))
    if dry_run:
        if output == "markdown":
            from .report_markdown import plan_markdown

            click.echo(plan_markdown(planned, force, "dash publish --dry-run"), nl=False)
        return (2 if planned.plan.pending else 0), plan_json(planned)
    declined = _declined_deletes(planned, yes)
    if declined:
        click.secho(f"error: {declined}", fg="red", err=True)
        return 1, {"env": name, **error_json(declined)}
    published = _apply(app, planned, force, message, output)
    from .report import published_json

    return _exit_code(published), published_json(published)


def _exit_code(published: "Published") -> int:
    from .interrupts import EXIT_CODES

    if published.interrupted:
        return EXIT_CODES[published.interrupted]
    return 0 if published.ok else 1


def _interactive() -> bool:
    """Someone at a terminal who can answer a question (a test seam)."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def _declined_deletes(planned: "Planned", yes: bool) -> str | None:
    """Why nothing is written, when someone at a terminal declines the deletes; else None."""
    deletes = [c for c in planned.plan.pending if c.action == "delete"]
    if not deletes or yes or not _interactive():
        return None
    shown = ", ".join(f"{c.kind} {c.uid}" for c in deletes[:5]) + (" ..." if len(deletes) > 5 else "")
    if click.confirm(f"Delete {len(deletes)} object(s) from env {planned.env.name} ({shown})?", err=True):
        return None
    return (f"nothing was written to env {planned.env.name}: the deletes were not confirmed (pass --yes to skip "
            "the question)")


def _apply(app: "App", planned: "Planned", force: "Force", message: str | None, output: str) -> "Published":
    from .interrupts import EXIT_CODES, Stop, finishing_in_flight
    from .report import Progress, result_lines, styled, summary_line

    text = output == "text"
    progress = Progress(len(planned.plan.pending), quiet=not text)
    try:
        with finishing_in_flight(Stop()) as stop:
            published = app.publish(planned, force=force, message=message,
                                    progress=progress if text else lambda o: None, stop=stop)
    except KeyboardInterrupt:  # the second signal: stop without waiting for the requests in flight
        progress.close()
        if text:
            for line in result_lines(progress.seen, planned.plan):
                click.echo(styled(line))
        _fail(f"interrupted twice by {stop.signal}: stopped without waiting for the requests in flight; some changes "
              "may have been written (those finished are listed above); run `dash diff` to see what remains",
              EXIT_CODES[stop.signal or "SIGINT"])
    finally:
        progress.close()
    if output == "markdown":
        from .report_markdown import published_markdown

        click.echo(published_markdown(published, force), nl=False)
    elif text:
        for line in result_lines(published.outcomes, published.planned.plan):
            click.echo(styled(line))
        click.echo(summary_line(published))
    return published
