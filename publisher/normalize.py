"""Normalisation: drop what the server manages, so that an unchanged object compares equal.

Grafana adds fields to what it stores (id, version, created/updated, meta,
secureJsonFields...) and its UI adds defaults when someone saves (panel
`pluginVersion`, `fiscalYearStartMonth: 0`, `liveNow: false`...). Neither is a
change anybody made, so neither may show up in a diff.
"""

from __future__ import annotations

import copy
from typing import Any

from .model import MANAGED_KEY

DASHBOARD_SERVER_FIELDS = ("id", "version", "iteration", "created", "updated", "meta")
# Values Grafana's UI writes on save that mean the same as the key being absent.
DASHBOARD_UI_DEFAULTS: dict[str, Any] = {
    "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "", "preload": False, "gnetId": None,
}
PANEL_SERVER_FIELDS = ("id", "pluginVersion")


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in panel.items() if k not in PANEL_SERVER_FIELDS}
    if out.get("type") == "row":
        out["panels"] = [_panel(p) for p in out.get("panels") or []]
    return out


def dashboard(data: dict[str, Any]) -> dict[str, Any]:
    """A dashboard's JSON without server fields, UI defaults or panel ids (which Grafana renumbers).

    Shallow: only the top level and the panels are new dicts, the rest is shared with `data`.
    Nothing here or in the comparisons mutates, and deep copies were most of a no-op plan's CPU.
    """
    out = {k: v for k, v in data.items() if k not in DASHBOARD_SERVER_FIELDS}
    for key, default in DASHBOARD_UI_DEFAULTS.items():
        if key in out and out[key] == default:
            del out[key]
    out["panels"] = [_panel(p) for p in out.get("panels") or []]
    return out


DATASOURCE_FIELDS = {
    "uid": "", "name": "", "type": "", "access": "proxy", "url": "", "isDefault": False, "basicAuth": False,
    "basicAuthUser": "", "user": "", "database": "", "withCredentials": False, "jsonData": {},
}
SECRET_DIGEST_KEY = "dashSecretDigest"


def datasource(data: dict[str, Any]) -> dict[str, Any]:
    """The fields dash manages, with Grafana's defaults filled in; no ids, versions or secrets."""
    out = {key: copy.deepcopy(data.get(key, default)) if data.get(key) is not None else copy.deepcopy(default)
           for key, default in DATASOURCE_FIELDS.items()}
    out["jsonData"] = {k: v for k, v in (out["jsonData"] or {}).items() if k != SECRET_DIGEST_KEY}
    return out


def is_managed_datasource(data: dict[str, Any]) -> bool:
    return (data.get("jsonData") or {}).get(MANAGED_KEY) == "dash"
