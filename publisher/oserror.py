"""An operating system's refusal (a file in the way, no permission, a full disk) in words a user can act on."""

from __future__ import annotations

import errno
from pathlib import Path

_HINTS = {
    errno.EACCES: "no permission to write there",
    errno.EPERM: "the operating system refuses to write there (permissions, or an immutable file)",
    errno.EROFS: "the file system is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
}


def in_the_way(path: Path) -> Path | None:
    """The first of `path` and its parents that exists and is not a directory."""
    for candidate in (path, *path.parents):
        if candidate.exists():
            return None if candidate.is_dir() else candidate
    return None


def describe(exc: OSError, what: str) -> str:
    """`what` (a flag or a key naming the place) and the path, the cause, and what to do."""
    path = Path(exc.filename) if exc.filename else None
    blocker = in_the_way(path) if path is not None else None
    if blocker is not None and exc.errno in (errno.EEXIST, errno.ENOTDIR):
        return (f"{what}: cannot write {path}: {blocker} is a file, where a directory must be; remove or rename "
                "it, or choose another place")
    hint = _HINTS.get(exc.errno or 0, exc.strerror or type(exc).__name__)
    return f"{what}: cannot write {path or 'the output'}: {hint}; fix that, or choose another place"
