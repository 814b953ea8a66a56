"""Datasources declared once and referred to by uid.

A dashboard never names a datasource by its display name: Grafana resolves
names per instance, so a name that exists in staging may not exist in prod.
Panels refer to `{"type": ..., "uid": "${datasource}"}`, a dashboard
variable whose default is the declared uid. The same JSON then works in every
environment, and a viewer can still switch datasource.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import attrs

from ..dashboard_json import UID
from .errors import DashboardError


def _freeze(value: Mapping[str, Any] | None) -> dict[str, Any]:
    return dict(value or {})


@attrs.frozen(eq=True)
class Datasource:
    """One datasource: its display name, plugin type and stable uid.

    `settings` is Grafana's `jsonData` (for example Loki's `maxLines`). The
    URL and credentials differ per environment and come from dash.yaml; `url`
    is where the datasource is when no environment says otherwise (the
    provisioning tree `dash build` writes without `--env`).
    """

    name: str
    type: str
    uid: str
    settings: dict[str, Any] = attrs.field(factory=dict, converter=_freeze, hash=False)
    description: str = ""
    url: str | None = None

    def __attrs_post_init__(self) -> None:
        if not self.name.strip():
            raise DashboardError("a datasource needs a non-empty name")
        if not UID.match(self.uid):
            raise DashboardError(
                f"datasource {self.name!r}: uid {self.uid!r} must be 1-40 characters of [a-zA-Z0-9_-]"
            )
        if not re.match(r"^[a-z0-9-]+$", self.type):
            raise DashboardError(
                f"datasource {self.name!r}: type {self.type!r} must be a Grafana plugin id such as 'prometheus'"
            )

    def ref(self) -> dict[str, str]:
        """Grafana's reference to this exact datasource."""
        return {"type": self.type, "uid": self.uid}

    def ref_via(self, variable: str) -> dict[str, str]:
        """A reference through a dashboard datasource variable."""
        return {"type": self.type, "uid": "${%s}" % variable}
