"""The rollback's plan: for each dashboard this project manages in the env, the change back to its version
published from REF, in the words and with the drift check of a publish (the dashboards handler's compare).

Only dashboards dash owns are considered (tagged `dash-managed` and `dash-project:<project>`, as prune
reads them): another project's dashboards and unmanaged ones are never read further, let alone written.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import attrs

from .. import gitinfo
from ..handlers import PlanOptions
from ..handlers.dashboard_words import normalise
from ..handlers.dashboards import published_hash
from ..model import UNCHANGED, Change, DesiredDashboard, DesiredState, Plan
from ..output import content_hash
from .choose import AFTER, RESTORE_IT, Choice, Commits, choose, publish_order
from .history import History, read_history, version_data
from .restore import RollbackHandler

PREVIOUS = "previous"


class RollbackError(Exception):
    """A rollback that cannot be planned: the message says why and what to do."""


@attrs.frozen
class Rolled:
    """The plan, the handler that applies it, and the commit rolled back to."""

    plan: Plan
    handler: RollbackHandler
    to: gitinfo.Commit


def resolve_ref(ref: str, repo: Path) -> gitinfo.Commit | None:
    """REF as a commit of the project's repository (None for `previous`, which the histories decide); before
    anything is asked of Grafana, so that a bad REF costs no request."""
    problem = gitinfo.repository_problem(repo)
    if problem is not None:
        raise RollbackError(f"--to {ref}: {problem}; rollback matches the versions dash published to commits "
                            "through git, so run it in the project's repository (where dash.yaml is)")
    if ref == PREVIOUS:
        return None
    commit = gitinfo.resolve(ref, repo)
    if commit is None:
        raise RollbackError(f"--to {ref}: git knows no such commit in {repo} (not a sha, tag or branch of this "
                            "repository); check the name, `git fetch` it if it was made elsewhere, or use --to "
                            "previous")
    return commit


def previous(histories: list[History], repo: Path) -> gitinfo.Commit:
    """The commit of the publish before the newest one, across the histories."""
    order = publish_order(histories, Commits(repo))
    if len(order) < 2:
        raise RollbackError(f"--to previous: the versions in Grafana name {len(order)} publish(es) from a commit "
                            "(`dash publish of <sha>`), so there is no publish before the newest; give --to REF")
    commit = gitinfo.resolve(order[1], repo)
    if commit is None:
        raise RollbackError(f"--to previous: the publish before the newest is of commit {order[1]}, which the "
                            f"repository in {repo} does not have; `git fetch` it, or give --to REF")
    return commit


def _read_all(handler: Any, state: DesiredState, workers: int) -> list[History]:
    """Each owned dashboard as it is now, with its history (concurrently); gone since search: skipped."""
    def one(stub: Any) -> History | None:
        live = handler.read(stub)  # reads by uid: what Grafana holds now, not what search listed
        return None if live is None else read_history(handler.api, live)

    owned = handler.owned(state)
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(owned) or 1)), thread_name_prefix="dash") as pool:
        return [h for h in pool.map(one, owned) if h is not None]


def _restore_change(handler: Any, choice: Choice, verbose: bool, to: gitinfo.Commit) -> tuple[Change, bool]:
    """The update back to the chosen version, as compare words it; and whether Grafana's restore keeps the
    content recognisable as dash's (its mark hashes the folder the dashboard is in now)."""
    live, version = choice.history.live, choice.version
    assert version is not None
    if not live.stored_as_v2 and published_hash(normalise(live.json), live.folder_uid) in version.marks:
        return Change(handler.kind, live.uid, live.title, UNCHANGED, live=live), True  # already that version
    data = version_data(handler.api, live.uid, version)
    desired = DesiredDashboard(live.uid, str(data.get("title") or live.title), live.folder_uid, live.folder_title,
                               data, f"version {version.number}")
    change = handler.compare(desired, live, PlanOptions(verbose=verbose))
    ours = normalise(data)
    recognised = bool(version.marks & {published_hash(ours, live.folder_uid), content_hash(ours)})
    if change.action != UNCHANGED:
        where = f"from {version.sha[:7]}" if version.sha else ""
        change = attrs.evolve(change, notes=(*change.notes, f"restores version {version.number} (published "
                                             f"{where}{'' if version.sha == to.sha else f', before {to.short}'})",))
    return change, recognised


def _notes(after: list[Choice], unproven: list[Choice], to: gitinfo.Commit, prune: bool, repo: Path) -> list[str]:
    notes = []
    if after and not prune:
        uids = sorted(c.history.live.uid for c in after)
        notes.append(f"{len(uids)} dashboard(s) did not exist at {to.short} ({', '.join(uids[:5])}"
                     f"{' ...' if len(uids) > 5 else ''}); --prune deletes them")
    notes.extend(f"{c.history.live.uid}: left as it is: no version dash published from {to.short} or before it, "
                 f"and nothing proves it was absent then ({c.why})" for c in unproven)
    if gitinfo.is_shallow(repo):
        notes.append(f"the repository in {repo} is a shallow clone: commits beyond its depth count as unknown "
                     "(`git fetch --unshallow` for the whole history)")
    return notes


def plan_rollback(target: Any, project: str, ref: str, to: gitinfo.Commit | None, repo: Path, env_name: str,
                  prune: bool = False, verbose: bool = False) -> Rolled:
    """Read the owned dashboards and their histories, choose a version each (REF's commit `to`, None for
    `previous`), and plan."""
    handler = next(h for h in target.handlers() if h.kind == "dashboard")
    state = DesiredState([], [], [], project=project)
    histories = _read_all(handler, state, target.reads)
    if not histories:
        raise RollbackError(f"dash manages no dashboard of project {project!r} in env {env_name}: nothing to roll "
                            "back")
    to = to or previous(histories, repo)
    commits = Commits(repo)
    choices = [choose(h, to.sha, commits) for h in sorted(histories, key=lambda h: h.live.uid)]
    if not any(c.status == RESTORE_IT for c in choices):
        raise RollbackError(f"--to {ref}: no dashboard in env {env_name} has a version dash published from "
                            f"{to.short} or before it; nothing to roll back to (was {to.short} ever published "
                            "there? versions published with --message name no commit)")
    changes, deletes, versions, restores = [], [], {}, set()
    for choice in choices:
        if choice.status == RESTORE_IT and choice.version is not None:
            change, recognised = _restore_change(handler, choice, verbose, to)
            changes.append(change)
            versions[change.uid] = choice.version.number
            if recognised and hasattr(handler.api, "restore"):
                restores.add(change.uid)
        elif choice.status == AFTER and prune:
            delete = handler.plan_delete(choice.history.live, state)
            if delete is not None:
                deletes.append(attrs.evolve(delete, notes=(f"did not exist at {to.short}",)))
    after = [c for c in choices if c.status == AFTER]
    unproven = [c for c in choices if c.status not in (RESTORE_IT, AFTER)]
    plan = Plan(deletes + changes, _notes(after, unproven, to, prune, repo))
    return Rolled(plan, RollbackHandler(handler, versions, restores), to)
