"""The one engine: desired state -> live state -> plan -> apply, over any target's handlers.

`make_plan` reads each desired object through its handler (concurrently, at
most `target.reads` at once), compares, and lists owned objects no longer
desired (deleted only with --prune). `apply` makes the changes in dependency
order: creates and updates kind by kind in the target's order (folders
parents first, one level at a time), then deletes in the reverse order. One
object's failure does not stop the others; an object whose folder could not
be written is skipped rather than sent to fail; a change that would overwrite
drift is refused unless --force.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Callable, Iterable, TypeVar

from .grafana import GrafanaError
from .handlers.base import ApplyOptions, PlanOptions
from .model import CREATE, DELETE, UPDATE, Change, DesiredState, Outcome, Plan

if TYPE_CHECKING:
    from .interrupts import Stop
    from .targets import Target

T = TypeVar("T")


def _concurrently(workers: int, items: Iterable[Any], fn: Callable[[Any], T]) -> list[T | BaseException]:
    """fn(item) for each item, `workers` at once; results or exceptions, in order."""
    def guarded(item: Any) -> T | BaseException:
        try:
            return fn(item)
        except Exception as exc:  # noqa: BLE001 - collected and reported per object
            return exc

    items = list(items)
    if workers <= 1 or len(items) <= 1:
        return [guarded(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="dash") as pool:
        return list(pool.map(guarded, items))


def _plan_kind(handler: Any, state: DesiredState, target: "Target", options: PlanOptions,
               ) -> tuple[list[Change], list[Change], list[str]]:
    """(deletes, other changes, notes) of one kind."""
    wanted = handler.wanted(state)
    lives = _concurrently(target.reads, wanted, handler.read)
    for live in lives:
        if isinstance(live, BaseException):
            raise live
    changes = [handler.compare(d, live, options) for d, live in zip(wanted, lives)]
    notes = handler.notes(state, lives)
    if not options.prune and not getattr(handler, "notes_orphans", True):
        return [], changes, notes  # listing what it owns costs requests, and nothing would be said
    keys = {c.uid for c in changes} | (handler.held(state) if hasattr(handler, "held") else set())
    orphans = [live for live in handler.owned(state) if _key(live) not in keys]
    deletes: list[Change] = []
    if options.prune:
        deletes = [c for c in (handler.plan_delete(o, state) for o in orphans) if c is not None]
        deletes.sort(key=lambda c: (c.depth, c.uid))
    elif orphans:
        notes.append(handler.orphan_note(orphans))
    return deletes, changes, notes


def _key(live: Any) -> str:
    return getattr(live, "uid", None) or getattr(live, "path")


def make_plan(target: "Target", state: DesiredState, options: PlanOptions) -> Plan:
    deletes: list[Change] = []
    changes: list[Change] = []
    notes = list(state.notes)
    for handler in target.handlers():
        kind_deletes, kind_changes, kind_notes = _plan_kind(handler, state, target, options)
        deletes.extend(kind_deletes)
        changes.extend(kind_changes)
        notes.extend(kind_notes)
    # Deletes first, so that a reviewer sees what would be lost before anything else.
    return Plan(deletes + changes, notes, state.saved_queries_path)


def _failure(change: Change, exc: BaseException) -> Outcome:
    if isinstance(exc, GrafanaError):
        return Outcome(change, False, str(exc))
    if isinstance(exc, OSError):  # a directory target's file system
        from .oserror import describe

        return Outcome(change, False, describe(exc, f"{change.kind} {change.uid}"))
    return Outcome(change, False, f"unexpected error: {type(exc).__name__}: {exc}")


class _Run:
    """One apply: runs each change through its handler, and remembers what failed for the dependants."""

    def __init__(self, handlers: dict[str, Any], options: ApplyOptions, progress: Callable[[Outcome], None],
                 stop: "Stop | None") -> None:
        self.handlers, self.options, self.progress, self.stop = handlers, options, progress, stop
        self.outcomes: list[Outcome] = []
        self.failed_folders: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, change: Change) -> Outcome:
        if change.parent and change.parent in self.failed_folders:
            outcome = Outcome(change, False, f"skipped: its folder {change.parent!r} could not be written",
                              skipped=True)
        elif self.stop is not None and self.stop.is_set():
            outcome = Outcome(change, False, f"not started: {self.stop.reason}", skipped=True)
        elif change.drift is not None and not change.drift.forceable:
            outcome = Outcome(change, False, f"refused: {change.drift.describe()}", refused=True)
        elif change.drift is not None and not self.options.forces(change.uid):
            outcome = Outcome(change, False, f"refused: {change.drift.describe()}; review it with `dash diff`, "
                              f"then {self.options.command} with --force to overwrite", refused=True)
        else:
            try:
                outcome = self.handlers[change.kind].apply(change, self.options)
            except Exception as exc:  # noqa: BLE001 - one object's failure is reported, the rest go on
                outcome = _failure(change, exc)
        with self.lock:
            self.outcomes.append(outcome)
            if change.kind == "folder" and not outcome.ok and change.action != DELETE:
                self.failed_folders.add(change.uid)
            self.progress(outcome)
        return outcome


def apply(target: "Target", plan: Plan, options: ApplyOptions,
          progress: Callable[[Outcome], None] = lambda outcome: None, stop: "Stop | None" = None) -> list[Outcome]:
    """Make every pending change; `progress` hears of each outcome as it happens.

    Once `stop` is set (SIGINT, SIGTERM), the changes in flight finish and the rest are skipped, not started.
    """
    handlers = target.handlers()
    run = _Run({h.kind: h for h in handlers}, options, progress, stop)
    writes = [c for c in plan.changes if c.action in (CREATE, UPDATE)]
    deletes = [c for c in plan.changes if c.action == DELETE]
    for handler in handlers:
        batch = [c for c in writes if c.kind == handler.kind]
        for depth in sorted({c.depth for c in batch}):  # parents before children; one level in parallel
            _concurrently(target.writes, [c for c in batch if c.depth == depth], run)
    for handler in reversed(handlers):
        for change in [c for c in deletes if c.kind == handler.kind]:
            run(change)
    target.finish(plan)
    return run.outcomes
