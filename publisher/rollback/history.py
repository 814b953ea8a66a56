"""A dashboard's versions as `dash rollback` reads them: who wrote each, and from which commit.

Each version's message says where it came from: `dash publish of <sha> (...)` is a publish from a commit
(with its full sha in `[dash commit:...]` since gitinfo writes it, the short sha before); a message with
dash's `[dash sha256:...]` mark but no commit was published with `--message`; "Restored from version N"
(Grafana's restore) and `dash rollback to ...` (a rollback through /apis) bring back an older version,
which is itself in the history; anything else was saved by someone else (a UI edit). Grafana's versions
*list* rewrites two messages ("Initial save" for a first version, "Restored from version N"), so a first
version is read on its own for its message as saved (GetDashboardVersions / GetDashboardVersion in
pkg/api/dashboard.go), as the dashboards handler's drift check does.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from ..gitinfo import published_from
from ..model import HASH_MARK, LiveDashboard

VERSIONS_READ = 200  # as far back as the drift check looks
ROLLBACK = "dash rollback to "  # the message of a rollback saved as a new version (/apis, or a moved dashboard)
RESTORED = "Restored from version "  # Grafana's message of a restore (dashverimpl dashboardRestoreMessage)
PUBLISH, DIRTY, UNKNOWN, RESTORE, OTHER = "publish", "dirty", "unknown", "restore", "other"
_HASH = re.compile(re.escape(HASH_MARK) + r"([0-9a-f]{16})\]")


@attrs.frozen
class Version:
    number: int
    created: str
    origin: str  # PUBLISH, DIRTY (from uncommitted changes), UNKNOWN (dash's, no commit), RESTORE, OTHER
    sha: str | None = None  # the commit as the message writes it (short in messages older than the mark)
    marks: frozenset[str] = frozenset()  # dash's content hashes in the message
    data: dict[str, Any] | None = attrs.field(default=None, repr=False)  # /apis: the spec; legacy: read if chosen


@attrs.frozen
class History:
    live: LiveDashboard
    versions: tuple[Version, ...]  # newest first
    complete: bool  # reaches back to version 1: nothing older was pruned (Grafana's versions_to_keep) or unread


def origin(message: str) -> tuple[str, str | None]:
    """Where a version came from, by its message as saved, and the commit it names."""
    if message.startswith(RESTORED):
        return RESTORE, None
    if not _HASH.search(message):
        return OTHER, None
    if message.startswith(ROLLBACK):
        return RESTORE, None
    published = published_from(message)
    if published is None:
        return UNKNOWN, None
    return (DIRTY if published.dirty else PUBLISH), published.sha


def _listed_otherwise(entry: dict[str, Any]) -> bool:
    """Whether the versions list shows another message than the one saved (a first version)."""
    return entry.get("parentVersion") == 0 or str(entry.get("message") or "").startswith("Initial save")


def _version(api: Any, uid: str, entry: dict[str, Any]) -> Version:
    number = int(entry.get("version") or 0)
    message = str(entry.get("message") or "")
    if (entry.get("restoredFrom") or 0) > 0:
        return Version(number, str(entry.get("created") or ""), RESTORE)
    if _listed_otherwise(entry):
        message = str((api.version(uid, number) or {}).get("message") or message)
    kind, sha = origin(message)
    return Version(number, str(entry.get("created") or ""), kind, sha, frozenset(_HASH.findall(message)),
                   entry.get("data"))


def read_history(api: Any, live: LiveDashboard) -> History:
    """The versions of one dashboard, newest first (up to VERSIONS_READ), each with its origin."""
    versions: list[Version] = []
    for entry in api.revisions(live.uid):
        if len(versions) >= VERSIONS_READ:
            return History(live, tuple(versions), False)
        versions.append(_version(api, live.uid, entry))
    return History(live, tuple(versions), bool(versions) and versions[-1].number <= 1)


def version_data(api: Any, uid: str, version: Version) -> dict[str, Any]:
    """The dashboard JSON of one version: from the history (/apis) or read on its own (legacy)."""
    if version.data is not None:
        return version.data
    found = api.version(uid, version.number) or {}
    data = found.get("data")
    if not isinstance(data, dict):
        from ..grafana import GrafanaError

        raise GrafanaError(f"version {version.number} of dashboard {uid!r} has no dashboard data in Grafana's answer")
    return data
