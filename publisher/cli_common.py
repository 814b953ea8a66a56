"""What every command module shares: the output formats, errors as text and JSON, the App on the context.

cli.py and the command modules beside it (cli_publish, cli_import...) import from here, never from each other.
"""

from __future__ import annotations

import sys
from typing import Any, Callable, NoReturn

import click

OUTPUTS = click.Choice(["text", "json"])
PLAN_OUTPUTS = click.Choice(["text", "json", "markdown"])  # markdown: a pull-request comment


def fail(message: str, code: int = 1, details: list[str] | None = None,
         errors: list[dict[str, Any]] | None = None) -> NoReturn:
    """The error on stderr; with `--output json`, also as JSON on stdout, so that CI reads one format."""
    click.secho(f"error: {message}", fg="red", err=True)
    ctx = click.get_current_context(silent=True)
    if ctx is not None and ctx.params.get("output") == "json":
        print_json(error_json(message, code, details, errors))
    sys.exit(code)


def error_json(message: str, code: int = 1, details: list[str] | None = None,
               errors: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """An error as `--output json` gives it: the message, and each problem typed (`kind`, `file`, `line`...)."""
    return {"ok": False, "error": message, "errors": errors or [{"kind": "dash", "message": message}],
            "details": details or [], "exit_code": code}


def print_json(obj: Any) -> None:
    from .output import json_bytes

    click.echo(json_bytes(obj).decode(), nl=False)


def run(fn: Callable[[], Any]) -> Any:
    """Call into the app; a problem the user can fix is shown as such and exits 1."""
    from .app import AppError

    try:
        return fn()
    except AppError as exc:
        for line in exc.details:
            click.echo(line, err=True)
        fail(str(exc), details=exc.details, errors=exc.errors)


pass_app = click.make_pass_decorator(object)  # the App that cli.main puts on the context
