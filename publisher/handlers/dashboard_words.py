"""Dashboards compared: normalised, then what changed in words, panel by panel; and a unified JSON diff.

    panel 'P95 latency': query A: histogram_quantile(0.95, ...[[-5m-]{+10m+}]))
    panel 'CPU usage': thresholds 70 (orange) → 80 (orange)
    panel 'Errors' renamed to 'Error rate'
    panel 'Errors' added
"""

from __future__ import annotations

import difflib
from typing import Any, Iterator

from ..dashboard_json import walk_panels
from ..output import json_bytes
from .value_words import ARROW, change, expression_change, keyed_changes, mappings_words, shown, thresholds_change

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


def comparable_panel(panel: dict[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in panel.items() if k not in PANEL_SERVER_FIELDS}
    if out.get("type") == "row":
        out["panels"] = [comparable_panel(p) for p in out.get("panels") or []]
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
    out["panels"] = [comparable_panel(p) for p in out.get("panels") or []]
    return out


def labelled_panels(dashboard: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(label, panel) for every panel and row, rows' children included."""
    for at in walk_panels(dashboard):
        yield _label(at.panel), at.panel


def _label(panel: dict[str, Any]) -> str:
    title = panel.get("title") or f"(untitled {panel.get('type', 'panel')})"
    return f"row {title!r}" if panel.get("type") == "row" else f"panel {title!r}"


def pair_panels(old: list[tuple[str, dict]], new: list[tuple[str, dict]]):
    """Pair panels by label, in order; then a removed and an added panel with the same content but their title
    are one renamed panel; the leftovers were added or removed."""
    pool: dict[str, list[dict]] = {}
    for label, panel in old:
        pool.setdefault(label, []).append(panel)
    pairs, added = [], []
    for label, panel in new:
        if pool.get(label):
            pairs.append((label, label, pool[label].pop(0), panel))
        else:
            added.append((label, panel))
    removed = [(label, p) for label, panels in pool.items() for p in panels]
    for label, panel in list(added):
        twin = next((r for r in removed if _same_but_title(r[1], panel)), None)
        if twin is not None:
            removed.remove(twin)
            added.remove((label, panel))
            pairs.append((twin[0], label, twin[1], panel))
    return pairs, added, removed


def _same_but_title(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """The same panel renamed: everything but the title equal, or the same type and the same queries."""
    if a.get("type") != b.get("type"):
        return False
    rest = ("title", "gridPos")
    if {k: v for k, v in a.items() if k not in rest} == {k: v for k, v in b.items() if k not in rest}:
        return True
    return bool(a.get("targets")) and _exprs(a) == _exprs(b)


def _exprs(panel: dict[str, Any]) -> list[Any]:
    return [t.get("expr") for t in panel.get("targets") or [] if isinstance(t, dict)]


def _targets(panel: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(t.get("refId", i)): t for i, t in enumerate(panel.get("targets") or []) if isinstance(t, dict)}


def _grid_words(label: str, a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    words = []
    if (a.get("x"), a.get("y")) != (b.get("x"), b.get("y")):
        words.append(f"{label} moved from ({a.get('x')}, {a.get('y')}) {ARROW} ({b.get('x')}, {b.get('y')})")
    if (a.get("w"), a.get("h")) != (b.get("w"), b.get("h")):
        words.append(f"{label} resized from {a.get('w')}x{a.get('h')} {ARROW} {b.get('w')}x{b.get('h')}")
    return words


def _paired(old: dict[Any, Any], new: dict[Any, Any]) -> Iterator[tuple[Any, Any, Any]]:
    """(key, old value or None, new value or None) for every key of either side, sorted."""
    for key in sorted(set(old) | set(new), key=str):
        yield key, old.get(key), new.get(key)


def _query_words(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    words = []
    for ref, a, b in _paired(_targets(old), _targets(new)):
        if a is None:
            words.append(f"{label}: query {ref} added: {shown((b or {}).get('expr'), 200)}")
        elif b is None:
            words.append(f"{label}: query {ref} removed: {shown(a.get('expr'), 200)}")
        elif a != b:
            if a.get("expr") != b.get("expr"):
                words.append(f"{label}: query {ref}: {expression_change(a.get('expr'), b.get('expr'))}")
            other = [k for k in sorted(set(a) | set(b)) if k != "expr" and a.get(k) != b.get(k)]
            if other:
                words.append(f"{label}: query {ref}: " + ", ".join(keyed_changes(a, b, other)))
    return words


def _field_words(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    old_fc, new_fc = old.get("fieldConfig") or {}, new.get("fieldConfig") or {}
    old_d, new_d = old_fc.get("defaults") or {}, new_fc.get("defaults") or {}
    words = []
    if old_d.get("unit") != new_d.get("unit"):
        words.append(f"{label}: unit {change(old_d.get('unit'), new_d.get('unit'))}")
    if old_d.get("thresholds") != new_d.get("thresholds"):
        words.append(f"{label}: thresholds {thresholds_change(old_d.get('thresholds'), new_d.get('thresholds'))}")
    if old_d.get("mappings") != new_d.get("mappings"):
        words += mappings_words(label, old_d.get("mappings"), new_d.get("mappings"))
    handled = {"unit", "thresholds", "mappings"}
    keys = sorted((set(old_d) | set(new_d)) - handled)
    changed = keyed_changes(old_d, new_d, keys)
    if changed:
        words.append(f"{label}: field config " + ", ".join(changed))
    a, b = old_fc.get("overrides") or [], new_fc.get("overrides") or []
    if a != b:
        words.append(f"{label}: overrides changed ({len(a)} {ARROW} {len(b)})" if len(a) != len(b)
                     else f"{label}: overrides changed")
    return words


def _panel_words(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    words = []
    if old.get("type") != new.get("type"):
        words.append(f"{label}: type {old.get('type')} {ARROW} {new.get('type')}")
    if old.get("gridPos") != new.get("gridPos"):
        words += _grid_words(label, old.get("gridPos") or {}, new.get("gridPos") or {})
    words += _query_words(label, old, new) + _field_words(label, old, new)
    handled = {"type", "gridPos", "targets", "fieldConfig", "panels", "title"}
    for key in sorted((set(old) | set(new)) - handled):
        if old.get(key) != new.get(key):
            scalar = all(isinstance(v, (str, int, float, bool, type(None))) for v in (old.get(key), new.get(key)))
            words.append(f"{label}: {key}: {change(old.get(key), new.get(key))}" if scalar else
                         f"{label}: {key} changed")
    return words


def _variables(d: dict[str, Any]) -> dict[str, Any]:
    return {v.get("name"): v for v in (d.get("templating") or {}).get("list") or [] if isinstance(v, dict)}


def _query_of(variable: dict[str, Any]) -> Any:
    query = variable.get("query")
    return query.get("query") if isinstance(query, dict) and "query" in query else query


def _variable_words(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    words = []
    for name, a, b in _paired(_variables(old), _variables(new)):
        if a is None:
            words.append(f"variable ${name} added: {shown(_query_of(b or {}))}")
        elif b is None:
            words.append(f"variable ${name} removed")
        elif a != b:
            parts = [f"query {change(_query_of(a), _query_of(b))}"] if _query_of(a) != _query_of(b) else []
            other = [k for k in sorted(set(a) | set(b)) if k not in ("query", "current", "options")
                     and a.get(k) != b.get(k)]
            parts += keyed_changes(a, b, other)
            words.append(f"variable ${name}: " + (", ".join(parts) or "current value changed"))
    return words


def _top_words(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    words = []
    for key, name in _TOP_LEVEL_WORDS.items():
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "tags" and isinstance(a, list) and isinstance(b, list):
            gone, came = [t for t in a if t not in b], [t for t in b if t not in a]
            words.append("tags: " + ", ".join([f"-{t}" for t in gone] + [f"+{t}" for t in came] or ["reordered"]))
        elif key == "time" and isinstance(a, dict) and isinstance(b, dict):
            words.append(f"time range: {a.get('from')}..{a.get('to')} {ARROW} {b.get('from')}..{b.get('to')}")
        elif key in ("links", "annotations", "timepicker"):
            words.append(f"{name} changed")
        else:
            words.append(f"{name}: {change(a, b)}")
    return words


def dashboard_words(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """What turns `old` into `new` (both normalised), in words that carry the values."""
    words = _top_words(old, new) + _variable_words(old, new)
    known = set(_TOP_LEVEL_WORDS) | {"templating", "panels"}
    for key in sorted((set(old) | set(new)) - known):
        if old.get(key) != new.get(key):
            words.append(f"{key}: {change(old.get(key), new.get(key))}")
    pairs, added, removed = pair_panels(list(labelled_panels(old)), list(labelled_panels(new)))
    for label, _ in removed:
        words.append(f"{label} removed")
    for label, _ in added:
        words.append(f"{label} added")
    for before, label, a, b in pairs:
        if before != label:
            words.append(f"{before} renamed to {label.split(' ', 1)[1]}")
        if {k: v for k, v in a.items() if k != "title"} != {k: v for k, v in b.items() if k != "title"}:
            words.extend(_panel_words(label, a, b))
    return words


def unified(old: Any, new: Any, name: str) -> str:
    """A unified diff of the two objects as sorted, indented JSON (the encoding of the files dash writes)."""
    a = json_bytes(old).decode().splitlines() if old is not None else []
    b = json_bytes(new).decode().splitlines()
    return "\n".join(difflib.unified_diff(a, b, f"grafana/{name}", f"dash/{name}", lineterm=""))
