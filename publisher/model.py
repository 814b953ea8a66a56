"""The publisher's vocabulary: desired and live records, planned changes, outcomes, plans.

Every kind's records are typed: a Change carries the desired record (what the
code wants) and the live one (what the target holds), never a dict with keys
smuggled in.
"""

from __future__ import annotations

from typing import Any

import attrs

from .secrets import Secret

MANAGED_TAG = "dash-managed"  # on every dashboard and saved query dash publishes; prune touches nothing else
PROJECT_TAG = "dash-project:"  # + the project's name: whose object it is (dash.yaml's `project:`)
PROJECT_KEY = "dashProject"  # jsonData key on datasources: the project that published it
FOLDER_UID_PREFIX = "dash-"  # folders dash creates; prune touches no other folder
MANAGED_KEY = "managedBy"  # jsonData key on datasources dash publishes
MANAGED_VALUE = "dash"
HASH_MARK = "[dash sha256:"  # in each saved version's message: what dash published
ROOT_FOLDER = "General"  # Grafana's name for "no folder"

CREATE, UPDATE, DELETE, UNCHANGED = "create", "update", "delete", "unchanged"


Force = bool | frozenset[str]  # --force: True (every object) or the uids of --force UID


def forced(force: Force, uid: str) -> bool:
    """Whether --force covers this object: `--force` alone is every object, `--force UID` those named."""
    return force is True or (isinstance(force, frozenset) and uid in force)


def project_of(tags: Any) -> str | None:
    """The project named by an object's tags, or None (not marked: published before projects, or not dash's)."""
    for tag in tags or ():
        if isinstance(tag, str) and tag.startswith(PROJECT_TAG):
            return tag[len(PROJECT_TAG):]
    return None


def unmarked(tags: Any) -> list[Any]:
    """`tags` without dash's marks (what the code declares)."""
    return [t for t in tags or () if t != MANAGED_TAG and not (isinstance(t, str) and t.startswith(PROJECT_TAG))]


# --- desired records -----------------------------------------------------------------


@attrs.frozen
class DesiredFolder:
    uid: str
    title: str
    parent_uid: str  # "" at the top
    path: str  # "Monitoring/Platform", for messages

    @property
    def depth(self) -> int:
        return self.path.count("/") + 1


@attrs.frozen
class DesiredDatasource:
    uid: str
    name: str
    type: str
    body: dict[str, Any]  # Grafana's fields, without secrets
    secrets: dict[str, Secret | str] = attrs.field(factory=dict, repr=False)  # resolved, or $__env{} references


@attrs.frozen
class DesiredDashboard:
    uid: str
    title: str
    folder_uid: str
    folder_path: str
    data: dict[str, Any] | None = attrs.field(repr=False)  # None for a file target: `packed` is the dashboard
    source: str
    packed: bytes = attrs.field(default=b"", repr=False)  # rendered.pack() of the file's bytes, for file targets

    @property
    def encoded(self) -> bytes:
        """The file's bytes (file targets), unpacked on each use, so that a build of any size holds packed bytes."""
        from .rendered import unpack

        return unpack(self.packed) if self.packed else b""

    @property
    def json(self) -> dict[str, Any]:
        """The dashboard JSON; for a file target decoded on each use."""
        if self.data is not None:
            return self.data
        import orjson

        return orjson.loads(self.encoded)


@attrs.frozen
class DesiredQuery:
    uid: str
    name: str
    object: dict[str, Any]  # the Kubernetes-style Query object


@attrs.frozen
class DesiredState:
    folders: list[DesiredFolder]
    datasources: list[DesiredDatasource]
    dashboards: list[DesiredDashboard]
    saved_queries: list[DesiredQuery] = attrs.field(factory=list)
    notes: list[str] = attrs.field(factory=list)
    saved_queries_path: str | None = None  # "query-library", "dashboard", or None when there are none
    external_datasources: list[str] = attrs.field(factory=list)  # uids the dashboards use that env does not manage
    project: str = "dash"  # whose objects these are (dash.yaml's `project:`)
    # (uid, folder path) of declared dashboards not built this run (a grafana.com file not fetched): left as they
    # are wherever they are, never planned for deletion (engine asks each handler which keys they hold)
    held: list[tuple[str, str]] = attrs.field(factory=list)


# --- live records --------------------------------------------------------------------


@attrs.frozen
class LiveFolder:
    uid: str
    title: str
    parent_uid: str
    version: int | None = None


@attrs.frozen
class LiveDatasource:
    uid: str
    name: str
    fields: dict[str, Any]  # the fields dash manages, normalised
    version: int | None = None
    secret_digest: str | None = None  # what dash recorded of the secrets it sent
    read_only: bool = False
    secret_keys: tuple[str, ...] | None = None  # the names of the secrets dash sent (None: not recorded)
    secure_fields: tuple[str, ...] = ()  # the secrets Grafana holds a value for (secureJsonFields)


@attrs.frozen
class LiveDashboard:
    uid: str
    title: str
    version: int
    folder_uid: str
    folder_title: str
    updated_by: str
    updated: str
    json: dict[str, Any] = attrs.field(repr=False)
    tags: tuple[str, ...] = ()
    stored_as_v2: bool = False  # Grafana holds it in the v2 schema, which /api does not serve (406)
    resource_version: str | None = None  # /apis only: what an update must match (409 Conflict otherwise)


@attrs.frozen
class LiveQuery:
    uid: str
    title: str
    spec: dict[str, Any]
    resource_version: str = ""


# --- plans and outcomes --------------------------------------------------------------


@attrs.frozen
class Drift:
    """Someone changed the object since dash last published it."""

    who: str
    when: str
    reason: str
    forceable: bool = True  # False: --force does not overwrite it either (another project's object)
    edits: tuple[str, ...] = ()  # what was changed in Grafana, in words (since dash's last version), when known

    def describe(self) -> str:
        if not self.who and not self.when:
            return self.reason
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
    depth: int = 0  # apply order within a kind: parents (lower) first

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "kind": self.kind, "uid": self.uid, "title": self.title, "action": self.action,
            "details": list(self.details),
        }
        if self.drift is not None:
            out["drift"] = {"who": self.drift.who, "when": self.drift.when, "reason": self.drift.reason,
                            "edits": list(self.drift.edits)}
        if self.notes:
            out["notes"] = list(self.notes)
        return out


@attrs.frozen
class Outcome:
    change: Change
    ok: bool
    message: str
    version: int | None = None
    skipped: bool = False  # not attempted: its folder failed, or the run was interrupted
    refused: bool = False  # not attempted: it would overwrite a change made in Grafana

    @property
    def result(self) -> str:
        """ok, refused, skipped or failed: the one place that names an outcome."""
        return "ok" if self.ok else "refused" if self.refused else "skipped" if self.skipped else "failed"

    def to_json(self) -> dict[str, Any]:
        out = {**self.change.to_json(), "result": self.result, "message": self.message}
        if self.version is not None:
            out["version"] = self.version
        return out


@attrs.frozen
class Plan:
    changes: list[Change]
    notes: list[str]
    saved_queries_path: str | None = None

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != UNCHANGED]

    def counts(self) -> dict[str, int]:
        """Changes by action, and `drift`: how many were changed in Grafana since dash published them."""
        out = {CREATE: 0, UPDATE: 0, DELETE: 0, UNCHANGED: 0, "drift": 0}
        for change in self.changes:
            out[change.action] += 1
            out["drift"] += change.drift is not None
        return out

    def refusals(self, force: Force) -> int:
        """How many changes apply would refuse: drift not forced, another project's object always."""
        return sum(1 for c in self.changes if c.drift is not None and not (forced(force, c.uid) and c.drift.forceable))
