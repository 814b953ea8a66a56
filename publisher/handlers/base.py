"""The verbs every handler has; the engine (publisher.engine) owns the loop around them."""

from __future__ import annotations

from typing import Any, Protocol

import attrs

from ..model import Change, DesiredState, Drift, Force, Outcome, forced


@attrs.frozen
class PlanOptions:
    prune: bool = False
    verbose: bool = False


@attrs.frozen
class ApplyOptions:
    force: Force = False  # True: --force (every object); a set: --force UID (those objects)
    message: str = "dash publish"
    command: str = "publish"  # the command that applies (publish, rollback), for the words of a refusal

    def forces(self, uid: str) -> bool:
        """Whether drift on this object may be overwritten."""
        return forced(self.force, uid)


def other_project(theirs: str | None, ours: str | None, what: str) -> Drift | None:
    """A refusal that --force does not lift: the object belongs to another project of dash."""
    if theirs is None or ours is None or theirs == ours:
        return None  # ours, or published before projects (adopted by this publish)
    return Drift("", "", f"{what} belongs to dash project {theirs!r}, not {ours!r}; dash never overwrites another "
                 "project's object: give ours another uid, or remove it from that project first", forceable=False)


class Handler(Protocol):
    kind: str
    notes_orphans: bool  # whether a plan without --prune lists owned objects no longer desired

    def wanted(self, state: DesiredState) -> list[Any]:
        """The desired records of this kind."""

    def read(self, desired: Any) -> Any | None:
        """The live record of one desired object, or None when the target does not hold it."""

    def owned(self, state: DesiredState) -> list[Any]:
        """Every live object of this kind that this project (`state.project`) owns in the target, for prune."""

    def compare(self, desired: Any, live: Any | None, options: PlanOptions) -> Change:
        """The change that makes `live` into `desired`: create, update (with drift) or unchanged."""

    def plan_delete(self, live: Any, state: DesiredState) -> Change | None:
        """The delete of an owned object no longer desired; None when it must be kept."""

    def orphan_note(self, orphans: list[Any]) -> str:
        """What a plan without --prune says of owned objects no longer desired."""

    def apply(self, change: Change, options: ApplyOptions) -> Outcome:
        """Make one change; raise GrafanaError (or OSError on files) when it fails."""

    def notes(self, state: DesiredState, lives: list[Any]) -> list[str]:
        """Anything the plan should say about this kind beyond its changes."""

    # Optional (the engine asks with hasattr): held(state) -> set of keys of objects declared but not built this
    # run (state.held), which are never orphans. Only the kinds that can be held (dashboards) have it.
