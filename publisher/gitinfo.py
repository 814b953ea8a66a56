"""Which commit is being published, and what git says of the commits named in version messages.

The default version message names the commit ("dash publish of 1a2b3c4 (Add CPU panel)") and ends with
its full sha as a mark (`[dash commit:<40 hex>]`, `+dirty` inside it for uncommitted changes), so that `dash
rollback` can find the versions published from a commit without guessing at short shas; `marked` puts the
same mark after a `--message`. Messages written before the mark (short sha only) are still read
(`published_from`). The dashboards handler appends its `[dash sha256:...]` mark after all of this.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import attrs

PUBLISH = "dash publish of "
COMMIT_MARK = "[dash commit:"
DIRTY = " + uncommitted changes"
SUBJECT_LIMIT = 200  # the message must leave room for the hash mark within Grafana's 500 characters
ROOM = 500 - 31 - 61  # what a message may hold before the commit mark (61 with its space) and the hash mark (31)
_PUBLISHED = re.compile(re.escape(PUBLISH) + r"([0-9a-f]{4,40}) ")
_FULL = re.compile(re.escape(COMMIT_MARK) + r"([0-9a-f]{40})(\+dirty)?\]")


@attrs.frozen
class Commit:
    sha: str  # 40 hex
    short: str
    subject: str


@attrs.frozen
class PublishedFrom:
    """What a version message says of its commit: the sha as written (full when the mark is there)."""

    sha: str
    dirty: bool  # published with uncommitted changes: its content is no commit's


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None


def _git(args: list[str], cwd: Path) -> str | None:
    proc = _run(args, cwd)
    return proc.stdout.strip() if proc is not None and proc.returncode == 0 else None


def _head(cwd: Path) -> tuple[Commit, bool] | None:
    """The checked-out commit, and whether the tracked files differ from it."""
    head = _git(["log", "-1", "--format=%H %h %s"], cwd)
    if not head:
        return None
    full, short, subject = (head.split(" ", 2) + [""])[:3]
    return Commit(full, short, subject), bool(_git(["status", "--porcelain", "--untracked-files=no"], cwd))


def _mark(commit: Commit, dirty: bool) -> str:
    return f"{COMMIT_MARK}{commit.sha}{'+dirty' if dirty else ''}]"


def default_message(cwd: Path) -> str:
    """"dash publish of 1a2b3c4 (Add CPU panel) [dash commit:1a2b...]", noting uncommitted changes; or why
    there is no commit."""
    found = _head(cwd)
    if found is None:
        return "dash publish (not from a git commit)"
    commit, dirty = found
    subject = commit.subject if len(commit.subject) <= SUBJECT_LIMIT else commit.subject[: SUBJECT_LIMIT - 3] + "..."
    return f"{PUBLISH}{commit.short} ({subject}){DIRTY if dirty else ''} {_mark(commit, dirty)}"


def marked(message: str, cwd: Path) -> str:
    """A --message with the commit's mark after it (cut to leave room for both marks), so that `dash rollback`
    finds that version by its commit too; the message alone outside a repository."""
    found = _head(cwd)
    return message if found is None else f"{message[:ROOM]} {_mark(*found)}"


def published_from(message: str) -> PublishedFrom | None:
    """The commit a version message names (the mark, else the `dash publish of <sha>` of older messages), or
    None (a --message without the mark, a UI save)."""
    full = _FULL.search(message)
    if full is not None:
        return PublishedFrom(full.group(1), bool(full.group(2)))
    found = _PUBLISHED.match(message)
    if found is None:
        return None
    return PublishedFrom(found.group(1), f"){DIRTY}" in message)


def repository_problem(cwd: Path) -> str | None:
    """Why git cannot answer questions about commits here, or None."""
    proc = _run(["rev-parse", "--git-dir"], cwd)
    if proc is None:
        return "git is not installed (or not on PATH)"
    if proc.returncode != 0:
        return f"{cwd} is not in a git repository"
    return None


def is_shallow(cwd: Path) -> bool:
    return _git(["rev-parse", "--is-shallow-repository"], cwd) == "true"


def resolve(ref: str, cwd: Path) -> Commit | None:
    """The commit `ref` names (a sha, short or full, a tag, a branch, HEAD~2...), or None when git knows none."""
    if not ref or ref.startswith("-"):  # never an option to git
        return None
    sha = _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], cwd)
    if not sha:
        return None
    line = _git(["log", "-1", "--format=%h %s", sha], cwd) or sha[:7]
    short, _, subject = line.partition(" ")
    return Commit(sha, short, subject)


def is_ancestor(ancestor: str, descendant: str, cwd: Path) -> bool:
    """Whether `ancestor` is `descendant` or one of its ancestors (git merge-base --is-ancestor)."""
    if ancestor == descendant:
        return True
    proc = _run(["merge-base", "--is-ancestor", ancestor, descendant], cwd)
    return proc is not None and proc.returncode == 0
