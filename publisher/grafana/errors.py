"""Errors of Grafana's API, worded for the person who runs dash; never carrying a secret."""

from __future__ import annotations

from typing import Any

from ..secrets import redact


class GrafanaError(Exception):
    """A request that failed for good. `status` is 0 when no HTTP answer came."""

    def __init__(self, message: str, status: int = 0, body: Any = None) -> None:
        super().__init__(redact(message))
        self.status = status
        self.body = body

    @property
    def server_message(self) -> str:
        if isinstance(self.body, dict) and isinstance(self.body.get("message"), str):
            return redact(self.body["message"])
        return redact(str(self.body or "")).strip()[:200]


class AuthRejected(GrafanaError):
    """401: the credentials are wrong, expired or for another org."""


class Unreachable(GrafanaError):
    """No HTTP answer at all: refused, reset, timed out, TLS failure."""

    refused = False  # nothing listens at the address (ECONNREFUSED): retried only briefly
