"""The default version message: which commit is being published."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return proc.stdout.strip() if proc.returncode == 0 else None


def default_message(cwd: Path) -> str:
    """"dash publish of 1a2b3c4 (Add CPU panel)", noting uncommitted changes; or why there is no commit."""
    head = _git(["log", "-1", "--format=%h %s"], cwd)
    if not head:
        return "dash publish (not from a git commit)"
    sha, _, subject = head.partition(" ")
    dirty = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    suffix = " + uncommitted changes" if dirty else ""
    return f"dash publish of {sha} ({subject}){suffix}"
