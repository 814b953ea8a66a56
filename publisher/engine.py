"""Desired state -> live state -> plan -> apply.

`make_plan` asks each handler to read what it manages and compare; `apply`
makes the changes in dependency order: creates and updates for folders, then
datasources, then dashboards; deletes in the reverse order. One object's
failure does not stop the others, but an object whose folder could not be
made is skipped rather than sent to fail.
"""

from __future__ import annotations

import threading
from typing import Callable

import attrs

from .client import Grafana, GrafanaError
from .desired import DesiredState
from .handlers import HANDLERS, ApplyOptions, PlanOptions
from .model import CREATE, DELETE, UNCHANGED, UPDATE, Change, Outcome


@attrs.frozen
class Plan:
    changes: list[Change]
    notes: list[str]
    saved_queries_path: str | None = None  # "query-library", "dashboard", or None when there are none

    @property
    def pending(self) -> list[Change]:
        return [c for c in self.changes if c.action != UNCHANGED]

    def counts(self) -> dict[str, int]:
        out = {CREATE: 0, UPDATE: 0, DELETE: 0, UNCHANGED: 0}
        for change in self.changes:
            out[change.action] += 1
        return out


def saved_queries_route(grafana: Grafana, state: DesiredState) -> tuple[DesiredState, str | None, str | None]:
    """Where the saved log queries go: the query library when the server has one, else the fallback dashboard."""
    from provisioning.log_queries import FALLBACK_UID

    from .handlers.saved_queries import GROUP_VERSION

    if not state.log_queries:
        return state, None, None
    if grafana.has_api_group(GROUP_VERSION):
        state = attrs.evolve(state, saved_queries=list(state.log_queries), query_library=True,
                             dashboards=[d for d in state.dashboards if d.uid != FALLBACK_UID])
        return state, "query-library", (
            f"saved log queries: {len(state.log_queries)} go to Grafana's query library ({GROUP_VERSION}); "
            f"the fallback dashboard '{FALLBACK_UID}' is not published")
    return state, "dashboard", (
        f"saved log queries: this Grafana has no query library ({GROUP_VERSION} is in Grafana Enterprise and "
        f"Cloud); the {len(state.log_queries)} queries go out as the dashboard 'Saved log queries' ({FALLBACK_UID})")


def make_plan(grafana: Grafana, state: DesiredState, options: PlanOptions) -> Plan:
    state, path, note = saved_queries_route(grafana, state)
    changes: list[Change] = []
    notes: list[str] = [note] if note else []
    for handler in HANDLERS:
        kind_plan = handler.plan(grafana, state, options)
        changes.extend(kind_plan.changes)
        notes.extend(kind_plan.notes)
    # Deletes first, so that a reviewer sees what would be lost before anything else.
    ordered = [c for c in changes if c.action == DELETE] + [c for c in changes if c.action != DELETE]
    return Plan(ordered, notes, path)


def _failure(change: Change, exc: BaseException) -> Outcome:
    if isinstance(exc, GrafanaError):
        return Outcome(change, False, str(exc))
    return Outcome(change, False, f"unexpected error: {type(exc).__name__}: {exc}")


def apply(grafana: Grafana, plan: Plan, options: ApplyOptions,
          progress: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
    """Make every pending change; `progress` hears of each outcome as it happens."""
    handlers = {h.kind: h for h in HANDLERS}
    outcomes: list[Outcome] = []
    failed_folders: set[str] = set()
    lock = threading.Lock()

    def run(change: Change) -> Outcome:
        if change.parent and change.parent in failed_folders:
            outcome = Outcome(change, False, f"skipped: its folder {change.parent!r} could not be written",
                              skipped=True)
        else:
            try:
                outcome = handlers[change.kind].apply(grafana, change, options)
            except Exception as exc:  # noqa: BLE001 - one object's failure is reported, the rest go on
                outcome = _failure(change, exc)
        with lock:
            outcomes.append(outcome)
            if change.kind == "folder" and not outcome.ok and change.action != DELETE:
                failed_folders.add(change.uid)
            progress(outcome)
        return outcome

    writes = [c for c in plan.changes if c.action in (CREATE, UPDATE)]
    deletes = [c for c in plan.changes if c.action == DELETE]
    for handler in HANDLERS:
        batch = [c for c in writes if c.kind == handler.kind]
        if handler.kind == "folder":
            # Parents before children; the folders of one level go in parallel.
            for depth in sorted({c.desired.depth for c in batch}):
                grafana.map_writes([c for c in batch if c.desired.depth == depth], run)
        else:
            grafana.map_writes(batch, run)
    for handler in reversed(HANDLERS):
        for change in [c for c in deletes if c.kind == handler.kind]:
            run(change)
    return outcomes
