"""Before and after pictures of each dashboard a plan changes, the changed panels marked.

Panels are paired the way the text diff pairs them (dashboard_words.pair_panels: by title in order, then a
removed and an added panel with the same content but their title are one renamed panel), so that the
picture and the words of `dash diff` agree; what is left on both sides is then paired by panel id (a
panel renamed and edited at once). Ids come second because the SDK numbers panels in order: a panel
inserted in the middle renumbers every panel after it, and pairing by id first would mark them all.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs

from ..dashboard_json import walk_panels
from ..handlers.dashboard_words import comparable_panel, labelled_panels, pair_panels
from ..model import CREATE, DELETE, UPDATE, Change, Plan
from ..output import write_atomic
from .layout import Layout, layout
from .page import Mark, file_stem, index_html, page_html, summary

MAX_DETAILS = 30  # of a change's words listed under its pictures


def _json_of(record: Any) -> dict[str, Any] | None:
    """A desired or live record's dashboard JSON: API records carry `json`, file records their bytes."""
    if record is None:
        return None
    data = getattr(record, "data", None)
    if isinstance(data, (bytes, bytearray)):
        import orjson

        try:
            value = orjson.loads(data)
        except orjson.JSONDecodeError:
            return {}
        return value if isinstance(value, dict) else {}
    value = getattr(record, "json", None)
    return value if isinstance(value, dict) else {}


def sides(change: Change) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(before, after): the live dashboard (None for a create) and the desired one (None for a delete)."""
    before = None if change.action == CREATE else _json_of(change.live)
    after = None if change.action == DELETE else _json_of(change.desired)
    return before, after


def _content(panel: dict[str, Any]) -> dict[str, Any]:
    """What a change of a panel is judged on: without server fields, and for a row without its panels
    (each of those is judged on its own)."""
    return {k: v for k, v in comparable_panel(panel).items() if k != "panels"}


def _pairs(before: dict[str, Any], after: dict[str, Any]) -> tuple[list[tuple[dict, dict]], list[dict], list[dict]]:
    """(paired, added, removed) panel dicts, rows and collapsed rows' panels included."""
    paired, added, removed = pair_panels(list(labelled_panels(before)), list(labelled_panels(after)))
    pairs = [(a, b) for _, _, a, b in paired]
    new = [p for _, p in added]
    old = [p for _, p in removed]
    for panel in list(new):
        twin = next((o for o in old if "id" in o and o.get("id") == panel.get("id")
                     and o.get("type") == panel.get("type")), None)
        if twin is not None:
            old.remove(twin)
            new.remove(panel)
            pairs.append((twin, panel))
    return pairs, new, old


def _label(panel: dict[str, Any]) -> str:
    title = panel.get("title") or "(untitled)"
    return f"row {title!r}" if panel.get("type") == "row" else f"panel {title!r}"


def _add(marks: dict[int, Mark], lay: Layout, paths: dict[int, tuple[Any, ...]], panel: dict, status: str) -> None:
    """Mark the box that shows `panel`: its own, or (a collapsed row's panel) the row's, as changed."""
    index = lay.owner.get(paths.get(id(panel), ()))
    if index is None:  # pre-5.0 rows: not drawn
        return
    own = not lay.boxes[index].row or panel.get("type") == "row"
    word = f"{_label(panel)} {status}" + ("" if own else " (inside this collapsed row)")
    prior = marks.get(index)
    if prior is None:
        marks[index] = Mark(status if own else "changed", (word,))
    else:
        marks[index] = Mark(status if own else prior.status, (*prior.words, word))


def marks_for(before: dict[str, Any], after: dict[str, Any], old: Layout, new: Layout,
              ) -> tuple[dict[int, Mark], dict[int, Mark]]:
    """The marks of the before and the after picture: removed and changed; added and changed."""
    old_paths = {id(at.panel): at.path for at in walk_panels(before)}
    new_paths = {id(at.panel): at.path for at in walk_panels(after)}
    pairs, added, removed = _pairs(before, after)
    old_marks: dict[int, Mark] = {}
    new_marks: dict[int, Mark] = {}
    for a, b in pairs:
        if _content(a) != _content(b):
            _add(old_marks, old, old_paths, a, "changed")
            _add(new_marks, new, new_paths, b, "changed")
    for panel in removed:
        _add(old_marks, old, old_paths, panel, "removed")
    for panel in added:
        _add(new_marks, new, new_paths, panel, "added")
    return old_marks, new_marks


def _with_details(lay: Layout, change: Change) -> Layout:
    words = list(change.details[:MAX_DETAILS])
    if len(change.details) > MAX_DETAILS:
        words.append(f"… and {len(change.details) - MAX_DETAILS} more")
    return attrs.evolve(lay, notes=(*lay.notes, *words))


def _pages(change: Change) -> tuple[str, str, str, str]:
    """(uid, title, before page, after page) of one change."""
    before, after = sides(change)
    uid = str((after or before or {}).get("uid") or change.uid)
    old = layout(before) if before is not None else None
    new = layout(after) if after is not None else None
    old_marks, new_marks = marks_for(before, after, old, new) if old and new else ({}, {})
    if old is not None and after is None:  # a delete: every panel goes
        old_marks = {i: Mark("removed") for i in range(len(old.boxes))}
    if new is not None and before is None:
        new_marks = {i: Mark("added") for i in range(len(new.boxes))}
    title = change.title or uid
    pages = []
    for side, lay, marks in (("before", old, old_marks), ("after", new, new_marks)):
        heading = f"{title}: {side} ({change.action})"
        if lay is None:
            message = ("Not in the target before: dash creates this dashboard." if side == "before"
                       else "Not in the target after: dash deletes this dashboard.")
            pages.append(page_html(None, heading, f"uid {uid}", message=message))
        else:
            pages.append(page_html(_with_details(lay, change), heading, summary(lay), marks))
    return uid, title, pages[0], pages[1]


def write_diff_pictures(plan: Plan, out: Path) -> list[Path]:
    """`<uid>.before.html` and `<uid>.after.html` for each dashboard the plan creates, updates or deletes,
    and index.html of them, sorted by uid; returns the paths (each written, or already identical)."""
    changes = [c for c in plan.changes if c.kind == "dashboard" and c.action in (CREATE, UPDATE, DELETE)]
    built = sorted((_pages(c) + (c.action, len(c.details)) for c in changes), key=lambda t: (t[0], t[4]))
    taken: set[str] = {"index"}
    paths, entries = [], []
    for uid, title, before, after, action, details in built:
        stem = file_stem(uid, taken)
        for side, page in (("before", before), ("after", after)):
            write_atomic(out / f"{stem}.{side}.html", page.encode())
            paths.append(out / f"{stem}.{side}.html")
        detail = f"{action} · uid {uid}" + (f" · {details} change(s)" if details else "")
        main = f"{stem}.before.html" if action == DELETE else f"{stem}.after.html"
        entries.append((title, detail, [(main, title), (f"{stem}.before.html", "before"),
                                        (f"{stem}.after.html", "after")]))
    write_atomic(out / "index.html", index_html("Changed dashboards", entries).encode())
    return [*paths, out / "index.html"]
