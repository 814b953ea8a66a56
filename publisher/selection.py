"""`--only NAME`: narrow a plan to the objects named, and the folders they need.

A name is an object's uid (dashboards, folders, datasources, saved queries), or
a folder's path or title, or a datasource's name. A dashboard whose folder is
still to be created or moved brings that folder's change along (and its
parents'): without it the dashboard's write would fail. Everything else is left
out of the plan, so that publish neither writes nor counts it.
"""

from __future__ import annotations

import difflib
from typing import Iterable

from .model import UNCHANGED, Change, Plan


class SelectionError(Exception):
    """A name given to --only that names nothing in the plan."""


def _names(change: Change) -> set[str]:
    names = {change.uid, change.title}
    path = getattr(change.desired, "path", None) or getattr(change.live, "path", None)
    if isinstance(path, str):
        names.add(path)
    return names


def check_names(plan: Plan, names: Iterable[str], flag: str) -> None:
    """Refuse names that match no object of the plan, with a "did you mean" for each."""
    known = set().union(*(_names(c) for c in plan.changes)) if plan.changes else set()
    unknown = sorted(set(names) - known)
    if unknown:
        hints = [f"{n!r} (did you mean {m[0]!r}?)" if (m := difflib.get_close_matches(n, sorted(known), n=1))
                 else repr(n) for n in unknown]
        raise SelectionError(f"{flag} {', '.join(hints)}: no such dashboard, folder, datasource or saved query is "
                             "declared or owned here (`dash list` shows the dashboards)")


def only(plan: Plan, names: Iterable[str]) -> Plan:
    """The plan with just the named objects (and the pending folder changes they depend on)."""
    wanted = set(names)
    check_names(plan, wanted, "--only")
    chosen = [c for c in plan.changes if _names(c) & wanted]
    keep = {id(c) for c in chosen}
    folders = {c.uid: c for c in plan.changes if c.kind == "folder"}
    notes = []
    for change in chosen:
        parent = folders.get(change.parent or "")
        while parent is not None and id(parent) not in keep and parent.action != UNCHANGED:
            keep.add(id(parent))
            notes.append(f"--only: folder {parent.title!r} is included, because {change.kind} {change.uid} "
                         f"needs it ({parent.action})")
            parent = folders.get(parent.parent or "")
    left_out = sum(1 for c in plan.changes if id(c) not in keep and c.action != UNCHANGED)
    if left_out:
        notes.append(f"--only: {left_out} other pending change(s) left out of this run")
    return Plan([c for c in plan.changes if id(c) in keep], [*plan.notes, *notes], plan.saved_queries_path)
