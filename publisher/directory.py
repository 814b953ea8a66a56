"""A directory environment: publish writes a Grafana provisioning tree instead of calling a server.

    environments:
      local:
        directory: grafana/provisioning     # mounted at /etc/grafana/provisioning

`dash diff --env local` compares the tree dash would write with the files in
the directory; `dash publish --env local` writes what differs, atomically. The
same guarantees as for a server hold: a manifest (`.dash-managed.json`) records
the hash of every file dash wrote, so a file edited by hand since is reported
as drift and not overwritten without --force; files dash did not write are
never touched; files dash wrote and no longer generates are deleted only with
--prune.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from pathlib import Path
from typing import Any

from . import normalize
from .diffing import dashboard_words
from .build import dumps
from .engine import Plan
from .fsutil import write_atomic
from .model import CREATE, DELETE, UNCHANGED, UPDATE, Change, Drift, Outcome

MANIFEST = ".dash-managed.json"


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _manifest(root: Path) -> dict[str, str]:
    try:
        data = json.loads((root / MANIFEST).read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return dict(data.get("files") or {}) if isinstance(data, dict) else {}


def _describe(rel: str) -> tuple[str, str]:
    if rel.endswith(".json"):
        return "dashboard", Path(rel).stem
    if rel.startswith("datasources/"):
        return "datasources", "datasources"
    return "provider", "dashboard provider"


def _words(rel: str, old: bytes, new: bytes) -> list[str]:
    if rel.endswith(".json"):
        try:
            return dashboard_words(normalize.dashboard(json.loads(old)), normalize.dashboard(json.loads(new))) \
                or ["formatting changed"]
        except ValueError:
            return ["the file on disk is not valid JSON"]
    return ["content changed"]


def plan(root: Path, files: dict[str, bytes], prune: bool, verbose: bool = False) -> Plan:
    written = _manifest(root)
    changes: list[Change] = []
    for rel, data in sorted(files.items()):
        kind, title = _describe(rel)
        path = root / rel
        if not path.exists():
            changes.append(Change(kind, rel, title, CREATE, ("new file",), desired=data))
            continue
        current = path.read_bytes()
        if current == data:
            changes.append(Change(kind, rel, title, UNCHANGED, desired=data))
            continue
        drift = None
        if written.get(rel) != _hash(current):
            reason = "edited by hand since dash wrote it" if rel in written else "exists but was not written by dash"
            drift = Drift("", "", reason)
        diff = None
        if verbose:
            diff = "\n".join(difflib.unified_diff(current.decode(errors="replace").splitlines(),
                                                  data.decode().splitlines(), f"{root}/{rel}", f"dash/{rel}",
                                                  lineterm=""))
        changes.append(Change(kind, rel, title, UPDATE, tuple(_words(rel, current, data)), data, current, drift,
                              unified_diff=diff))
    stale = sorted(set(written) - set(files))
    notes = ["saved log queries: file provisioning has no query library; they go out as the dashboard "
             "'Saved log queries' (saved-log-queries)"]
    if prune:
        changes[:0] = [Change(_describe(rel)[0], rel, _describe(rel)[1], DELETE) for rel in stale
                       if (root / rel).exists()]
    elif stale:
        notes.append(f"{len(stale)} file(s) dash wrote are no longer generated ({', '.join(stale[:3])}); "
                     "--prune deletes them")
    return Plan(changes, notes, "dashboard")


def apply(root: Path, plan_: Plan, force: bool, progress: Any = lambda outcome: None) -> list[Outcome]:
    written = _manifest(root)
    outcomes = []
    for change in plan_.changes:
        if change.action == UNCHANGED:
            written[change.uid] = _hash(change.desired)
            continue
        path = root / change.uid
        if change.action == DELETE:
            path.unlink(missing_ok=True)
            written.pop(change.uid, None)
            outcome = Outcome(change, True, "deleted")
        elif change.drift is not None and not force:
            outcome = Outcome(change, False, f"refused: {change.uid} was {change.drift.reason}; review it with "
                              "`dash diff`, then publish with --force to overwrite")
        else:
            try:
                write_atomic(path, change.desired)
            except OSError as exc:
                outcome = Outcome(change, False, f"cannot write {path}: {exc.strerror}")
            else:
                written[change.uid] = _hash(change.desired)
                outcome = Outcome(change, True, "created" if change.action == CREATE else "updated")
        outcomes.append(outcome)
        progress(outcome)
    root.mkdir(parents=True, exist_ok=True)
    manifest = {"files": dict(sorted(written.items()))}
    write_atomic(root / MANIFEST, dumps(manifest))
    return outcomes
