"""Errors raised while a dashboard is declared or rendered.

Each carries a message written for the person editing the dashboard file: what
is wrong and what to write instead. The CLI prints them without a traceback.

Each also knows where the user's code called the SDK (`at`, a file and line;
found by `source.user_call` when it is raised), so that dash reports the line
of the call that was wrong, not the SDK's: `located` is the message with that
`file:line: ` in front, and `publisher/loader.py` reports an error raised while
a module is imported at `at`.
"""

from __future__ import annotations

from typing import Any

from .source import shown, user_call


class _Find:
    """`at` not given: the first caller outside the SDK, if it is the user's code."""

    def __repr__(self) -> str:
        return "<the caller's file and line>"


_FIND = _Find()


class DashboardError(ValueError):
    """A dashboard, panel or query that cannot become valid Grafana JSON."""

    def __init__(self, message: str, at: Any = _FIND) -> None:
        super().__init__(message)
        self.message = message
        self.at: tuple[str, int] | None = user_call() if at is _FIND else at

    @property
    def located(self) -> str:
        """The message, after the `file:line` of the user's call when it is known."""
        return f"{shown(self.at)}: {self.message}" if self.at else self.message


class AngularPanelError(DashboardError):
    """An Angular panel plugin, which current Grafana no longer renders."""
