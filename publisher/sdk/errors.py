"""Errors raised while a dashboard is declared or rendered.

Each carries a message written for the person editing the dashboard file: what
is wrong and what to write instead. The CLI prints them without a traceback.
"""

from __future__ import annotations


class DashboardError(ValueError):
    """A dashboard, panel or query that cannot become valid Grafana JSON."""


class AngularPanelError(DashboardError):
    """An Angular panel plugin, which current Grafana no longer renders."""
