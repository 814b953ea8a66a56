"""Dashboards compared: normalised, then what changed in words, panel by panel; and a unified JSON diff.

    panel 'P95 latency': query A changed
    panel 'Errors' added
    panel 'CPU' moved
"""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from ..dashboard_json import walk_panels
from ..output import json_bytes

SERVER_FIELDS = ("id", "version", "iteration", "created", "updated", "meta")
# Values Grafana's UI writes on save that mean the same as the key being absent.
UI_DEFAULTS: dict[str, Any] = {
    "fiscalYearStartMonth": 0, "liveNow": False, "weekStart": "", "preload": False, "gnetId": None,
}
PANEL_SERVER_FIELDS = ("id", "pluginVersion")

_TOP_LEVEL_WORDS = {
    "title": "title", "tags": "tags", "time": "time range", "refresh": "refresh interval",
    "description": "description", "links": "links", "timezone": "timezone", "graphTooltip": "shared crosshair",
    "annotations": "annotations", "timepicker": "time picker", "editable": "editable",
}


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in panel.items() if k not in PANEL_SERVER_FIELDS}
    if out.get("type") == "row":
        out["panels"] = [_panel(p) for p in out.get("panels") or []]
    return out


def normalise(data: dict[str, Any]) -> dict[str, Any]:
    """A dashboard's JSON without server fields, UI defaults or panel ids (which Grafana renumbers).

    Grafana adds fields to what it stores and its UI adds defaults on save;
    neither is a change anybody made. Shallow: only the top level and the
    panels are new dicts, the rest is shared with `data` (nothing mutates;
    deep copies were most of a no-op plan's CPU).
    """
    out = {k: v for k, v in data.items() if k not in SERVER_FIELDS}
    for key, default in UI_DEFAULTS.items():
        if key in out and out[key] == default:
            del out[key]
    out["panels"] = [_panel(p) for p in out.get("panels") or []]
    return out


def _panels(dashboard: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, panel) for every panel and row, rows' children included."""
    for at in walk_panels(dashboard):
        yield _label(at.panel), at.panel


def _label(panel: dict[str, Any]) -> str:
    title = panel.get("title") or f"(untitled {panel.get('type', 'panel')})"
    return f"row {title!r}" if panel.get("type") == "row" else f"panel {title!r}"


def _match(old: list[tuple[str, dict]], new: list[tuple[str, dict]]):
    """Pair panels by label, in order; the leftovers were added or removed."""
    pool: dict[str, list[dict]] = {}
    for label, panel in old:
        pool.setdefault(label, []).append(panel)
    pairs, added = [], []
    for label, panel in new:
        if pool.get(label):
            pairs.append((label, pool[label].pop(0), panel))
        else:
            added.append((label, panel))
    removed = [(label, p) for label, panels in pool.items() for p in panels]
    return pairs, added, removed


def _targets(panel: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(t.get("refId", i)): t for i, t in enumerate(panel.get("targets") or []) if isinstance(t, dict)}


def _panel_words(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    words = []
    if old.get("type") != new.get("type"):
        words.append(f"{label}: type changed from {old.get('type')} to {new.get('type')}")
    if old.get("gridPos") != new.get("gridPos"):
        a, b = old.get("gridPos") or {}, new.get("gridPos") or {}
        moved = (a.get("x"), a.get("y")) != (b.get("x"), b.get("y"))
        resized = (a.get("w"), a.get("h")) != (b.get("w"), b.get("h"))
        how = " and ".join(word for word, happened in (("moved", moved), ("resized", resized)) if happened)
        words.append(f"{label} {how}")
    old_t, new_t = _targets(old), _targets(new)
    for ref in sorted(set(old_t) | set(new_t)):
        if ref not in old_t:
            words.append(f"{label}: query {ref} added")
        elif ref not in new_t:
            words.append(f"{label}: query {ref} removed")
        elif old_t[ref] != new_t[ref]:
            what = "changed" if old_t[ref].get("expr") != new_t[ref].get("expr") else "settings changed"
            words.append(f"{label}: query {ref} {what}")
    old_d = (old.get("fieldConfig") or {}).get("defaults") or {}
    new_d = (new.get("fieldConfig") or {}).get("defaults") or {}
    if old_d.get("unit") != new_d.get("unit"):
        words.append(f"{label}: unit changed from {old_d.get('unit')!r} to {new_d.get('unit')!r}")
    if old_d.get("thresholds") != new_d.get("thresholds"):
        words.append(f"{label}: thresholds changed")
    rest_old = {k: v for k, v in old_d.items() if k not in ("unit", "thresholds")}
    rest_new = {k: v for k, v in new_d.items() if k not in ("unit", "thresholds")}
    overrides_old = (old.get("fieldConfig") or {}).get("overrides")
    overrides_new = (new.get("fieldConfig") or {}).get("overrides")
    if rest_old != rest_new or overrides_old != overrides_new:
        words.append(f"{label}: field config changed")
    handled = {"type", "gridPos", "targets", "fieldConfig", "panels"}
    for key in sorted((set(old) | set(new)) - handled):
        if old.get(key) != new.get(key):
            words.append(f"{label}: {key} changed")
    return words


def _variables(d: dict[str, Any]) -> dict[str, Any]:
    return {v.get("name"): v for v in (d.get("templating") or {}).get("list") or [] if isinstance(v, dict)}


def dashboard_words(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What turns `old` (live, normalised) into `new` (ours, normalised), in words."""
    words = []
    for key, name in _TOP_LEVEL_WORDS.items():
        if old.get(key) != new.get(key):
            words.append(f"{name} changed")
    old_v, new_v = _variables(old), _variables(new)
    for name in sorted(set(old_v) | set(new_v), key=str):
        if name not in old_v:
            words.append(f"variable ${name} added")
        elif name not in new_v:
            words.append(f"variable ${name} removed")
        elif old_v[name] != new_v[name]:
            words.append(f"variable ${name} changed")
    known = set(_TOP_LEVEL_WORDS) | {"templating", "panels"}
    for key in sorted((set(old) | set(new)) - known):
        if old.get(key) != new.get(key):
            words.append(f"{key} changed")
    pairs, added, removed = _match(list(_panels(old)), list(_panels(new)))
    for label, _ in removed:
        words.append(f"{label} removed")
    for label, _ in added:
        words.append(f"{label} added")
    for label, a, b in pairs:
        if a != b:
            words.extend(_panel_words(label, a, b))
    return words


def unified(old: Any, new: Any, name: str) -> str:
    """A unified diff of the two objects as sorted, indented JSON (the encoding of the files dash writes)."""
    a = json_bytes(old).decode().splitlines() if old is not None else []
    b = json_bytes(new).decode().splitlines()
    return "\n".join(difflib.unified_diff(a, b, f"grafana/{name}", f"dash/{name}", lineterm=""))
