"""Which version of each dashboard is "the version published from REF", and which commit `previous` is.

A dashboard is published only when it changed, so at REF it may have no version of its own: the version
published from REF is the newest version dash published from REF *or from an ancestor of REF* (`git
merge-base --is-ancestor`, in the project's repository). Versions published from uncommitted changes are
never chosen (their content is no commit's). A dashboard none of whose versions is from REF or before it is
"created after REF" only when its whole history is known: every version dash published names a commit of
this repository, and the history reaches version 1; otherwise nothing proves it did not exist at REF, and it
is left as it is.

`previous` is the commit of the publish before the newest one, across the project's dashboards: publishes
are the versions whose message names a commit (restores and rollbacks are not publishes), ordered by when
they were saved, ties broken by the version numbers of a dashboard both wrote, then by ancestry.
"""

from __future__ import annotations

import functools
from pathlib import Path

import attrs

from .. import gitinfo
from .history import DIRTY, PUBLISH, UNKNOWN, History, Version

RESTORE_IT, AFTER, UNPROVEN = "restore", "after", "unproven"


class Commits:
    """git's answers about the commits that version messages name, each question asked once."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._full: dict[str, str | None] = {}
        self._before: dict[tuple[str, str], bool] = {}

    def full(self, sha: str) -> str | None:
        """The 40-hex sha of a commit a message names, or None when this repository does not have it."""
        if sha not in self._full:
            commit = gitinfo.resolve(sha, self.repo)
            self._full[sha] = commit.sha if commit is not None else None
        return self._full[sha]

    def at_or_before(self, sha: str, target: str) -> bool | None:
        """Whether the commit is `target` or an ancestor of it; None when this repository does not have it."""
        full = self.full(sha)
        if full is None:
            return None
        if (full, target) not in self._before:
            self._before[(full, target)] = gitinfo.is_ancestor(full, target, self.repo)
        return self._before[(full, target)]


@attrs.frozen
class Choice:
    history: History
    status: str  # RESTORE_IT (a version from REF or before it), AFTER (created after REF), UNPROVEN
    version: Version | None = None
    why: str = ""  # UNPROVEN: why nothing proves the dashboard was absent at REF


def choose(history: History, target: str, commits: Commits) -> Choice:
    """The newest version published from `target` or an ancestor; else whether the dashboard came after it."""
    doubts: list[str] = [] if history.complete else [
        "its history no longer reaches version 1 (Grafana keeps `versions_to_keep` versions, 20 by default)"]
    later = False
    for version in history.versions:
        if version.origin in (PUBLISH, DIRTY) and version.sha:
            before = commits.at_or_before(version.sha, target)
            if before and version.origin == PUBLISH:
                return Choice(history, RESTORE_IT, version)
            if before is None:
                doubts.append(f"version {version.number} names commit {version.sha}, which this repository lacks")
            elif before:
                doubts.append(f"version {version.number} was published from uncommitted changes")
            later = later or not before
        elif version.origin == UNKNOWN:
            doubts.append(f"version {version.number} was published with --message (it names no commit)")
    if later and not doubts:
        return Choice(history, AFTER)
    return Choice(history, UNPROVEN, why="; ".join(doubts) or "dash never published it from a commit")


def _publishes(histories: list[History], commits: Commits) -> tuple[dict[str, str], dict[tuple[str, str], int]]:
    """(commit -> when its newest version was saved, (uid, commit) -> its newest version number)."""
    latest: dict[str, str] = {}
    numbers: dict[tuple[str, str], int] = {}
    for history in histories:
        for version in history.versions:
            if version.origin != PUBLISH or not version.sha:
                continue
            key = commits.full(version.sha) or version.sha
            latest[key] = max(latest.get(key, ""), version.created)
            numbers[(history.live.uid, key)] = max(numbers.get((history.live.uid, key), 0), version.number)
    return latest, numbers


def publish_order(histories: list[History], commits: Commits) -> list[str]:
    """The commits dash published, newest publish first."""
    latest, numbers = _publishes(histories, commits)
    uids = {uid for uid, _ in numbers}

    def newer(a: str, b: str) -> int:  # < 0: a was published after b
        if latest[a] != latest[b]:
            return -1 if latest[a] > latest[b] else 1
        for uid in sorted(uids):
            if (uid, a) in numbers and (uid, b) in numbers:
                return numbers[(uid, b)] - numbers[(uid, a)]
        if gitinfo.is_ancestor(b, a, commits.repo):
            return -1
        return 1 if gitinfo.is_ancestor(a, b, commits.repo) else 0

    return sorted(latest, key=functools.cmp_to_key(newer))
