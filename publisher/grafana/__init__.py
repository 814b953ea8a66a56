"""Grafana's HTTP API: a transport (auth, TLS, retries, errors) and one class per API area."""

from .errors import AuthRejected, GrafanaError, Unreachable

__all__ = ["AuthRejected", "GrafanaError", "Unreachable"]
