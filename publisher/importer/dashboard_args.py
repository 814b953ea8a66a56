"""The `Dashboard(...)` call of a generated module: the keywords the SDK models, `grafana={...}` for the rest.

A keyword is used when its value passes the SDK's checks (a refresh like "1m", a time like
"now-6h", graphTooltip 0 or 1...). Then the bare dashboard is rendered, and every top-level key
whose rendering differs from the source (annotations beyond the built-in one, variables, links,
timepicker...) is written as it is in `grafana=`: so the SDK's defaults only stand where they are
the source's values.
"""

from __future__ import annotations

import re
from typing import Any

from ..sdk import Dashboard, DashboardError
from .check import compare
from .literal import literal

# Dashboard keys the module does not write: Grafana's per-instance and import bookkeeping (check.py ignores them),
# and what the rows and panels calls write.
NOT_WRITTEN = ("id", "version", "iteration", "__inputs", "__requires", "__elements", "schemaVersion", "panels", "rows")

# The Dashboard's own defaults: a keyword with that value is left out of the call.
_SDK_DEFAULTS = {"time": ("now-6h", "now"), "refresh": "1m", "timezone": "browser", "shared_crosshair": True,
                 "editable": True}
_REFRESH = re.compile(r"^\d+[smhdwy]$")
_TIME = re.compile(r"^(now([+-]\d+[smhdwMy])?(/[smhdwMy])?|\d{4}-\d\d-\d\dT[\d:.]+Z?)$")


def _modelled(d: dict[str, Any], uid: str, folder: str | None) -> dict[str, Any]:
    """The Dashboard keywords whose values the SDK accepts."""
    kw: dict[str, Any] = {"uid": uid}
    if folder and folder != "General":
        kw["folder"] = folder
    tags = d.get("tags")
    if isinstance(tags, list) and tags and all(isinstance(t, str) and t and len(t.encode()) <= 50 for t in tags):
        kw["tags"] = tags
    if isinstance(d.get("description"), str) and d["description"]:
        kw["description"] = d["description"]
    time = d.get("time")
    if isinstance(time, dict) and all(isinstance(time.get(k), str) and _TIME.match(time[k]) for k in ("from", "to")):
        kw["time"] = (time["from"], time["to"])
    if isinstance(d.get("refresh"), str) and _REFRESH.match(d["refresh"]):
        kw["refresh"] = d["refresh"]
    if isinstance(d.get("timezone"), str):
        kw["timezone"] = d["timezone"]
    if d.get("graphTooltip") in (0, 1) and not isinstance(d.get("graphTooltip"), bool):
        kw["shared_crosshair"] = d["graphTooltip"] == 1
    if isinstance(d.get("editable"), bool):
        kw["editable"] = d["editable"]
    return {k: v for k, v in kw.items() if k not in _SDK_DEFAULTS or _SDK_DEFAULTS[k] != v}


def split(d: dict[str, Any], uid: str, folder: str | None, calls: dict[str, tuple[Any, str]],
          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """(Dashboard keywords, grafana= keys) for a migrated dashboard; `calls`: keyword -> (object, its source)."""
    kw = {**_modelled(d, uid, folder), **{k: obj for k, (obj, _) in calls.items()}}
    title = d["title"]
    try:
        rendered = Dashboard(title, **kw).to_json()
    except DashboardError:  # a folder the SDK refuses, say: the keys it models stay as written instead
        kw = {k: v for k, v in kw.items() if k == "uid"}
        rendered = Dashboard(title, **kw).to_json()
    grafana = {}
    for key, value in d.items():
        if key not in NOT_WRITTEN and key not in ("title", "uid") and compare({key: value}, {key: rendered.get(key)}):
            grafana[key] = value
    return kw, grafana


def dashboard_call(var: str, d: dict[str, Any], uid: str, folder: str | None, names: dict[str, str],
                   context: Any = None) -> str:
    from .dashboard_parts import links, variables

    calls: dict[str, tuple[Any, str]] = {}
    if context is not None:
        calls["datasource"] = (context.datasource, context.name)
    for key, found in (("variables", variables(d, context)), ("links", links(d))):
        if found is not None:
            calls[key] = (found[1], "[" + ", ".join(found[0]) + "]")
    kw, grafana = split(d, uid, folder, calls)
    args = [literal(d["title"])]
    for key, value in kw.items():
        if key in calls:
            text = calls[key][1]
        else:
            text = f"({literal(value[0])}, {literal(value[1])})" if key == "time" else literal(value)
        args.append(f"{key}={text}")
    if grafana:
        args.append(f"grafana={literal(grafana, names)}")
    return f"{var} = Dashboard({', '.join(args)})"
