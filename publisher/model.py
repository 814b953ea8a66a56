"""The publisher's vocabulary: desired objects, live objects, planned changes, outcomes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import attrs

MANAGED_TAG = "dash-managed"  # on every dashboard dash publishes; prune touches nothing else
FOLDER_UID_PREFIX = "dash-"  # folders dash creates; prune touches no other folder
MANAGED_KEY = "managedBy"  # jsonData key on datasources dash publishes
MANAGED_VALUE = "dash"
HASH_MARK = "[dash sha256:"  # in each saved version's message: what dash published

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"


def canonical(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(obj: Any) -> str:
    """A short, stable hash of normalised content, recorded in version messages."""
    return hashlib.sha256(canonical(obj).encode()).hexdigest()[:16]


@attrs.frozen
class Drift:
    """Someone changed the object in Grafana since dash last published it."""

    who: str
    when: str
    reason: str

    def describe(self) -> str:
        return f"{self.reason} (last saved by {self.who or 'unknown'} at {self.when or 'unknown time'})"


@attrs.frozen
class Change:
    """One object's planned change. `details` says in words what differs."""

    kind: str
    uid: str
    title: str
    action: str
    details: tuple[str, ...] = ()
    desired: Any = attrs.field(default=None, repr=False)
    live: Any = attrs.field(default=None, repr=False)
    drift: Drift | None = None
    notes: tuple[str, ...] = ()
    unified_diff: str | None = attrs.field(default=None, repr=False)
    parent: str | None = None  # folder uid the object lives in (for dependency skips)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind, "uid": self.uid, "title": self.title, "action": self.action,
            "details": list(self.details),
        }
        if self.drift is not None:
            out["drift"] = {"who": self.drift.who, "when": self.drift.when, "reason": self.drift.reason}
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@attrs.frozen
class Outcome:
    change: Change
    ok: bool
    message: str
    version: int | None = None
    skipped: bool = False

    def to_json(self) -> dict[str, Any]:
        out = {**self.change.to_json(), "result": "ok" if self.ok else ("skipped" if self.skipped else "failed"),
               "message": self.message}
        if self.version is not None:
            out["version"] = self.version
        return out
