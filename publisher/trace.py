"""What a module read while it was imported, so that a cached result can be checked against it later.

A dashboard module's output depends on more than its own text: the helpers
it imports, a JSON file it opens, an environment variable it reads, the
libraries it uses. `recording()` notes each of these while a module runs
(Python's audit hook for file opens and directory listings; a recording
`os.environ` for variables), and `Inputs.unchanged()` tells whether they
are still what they were. A file is compared by content (by size and time
for installed packages, which pip rewrites whole); a variable by a hash of
its value, so that no secret is ever written to the cache.
"""

from __future__ import annotations

import contextlib
import os
import sys
import sysconfig
import threading
from typing import Any, Iterator

from .output import bytes_hash

_ABSENT = "-"  # a file or variable that did not exist
_active: list["_Recorder"] = []  # innermost last; the audit hook feeds every one
_hooked = False
# Python's own files: never inputs of a module (they change only with Python, which is in the key).
_PYTHON = tuple(p + os.sep for p in {sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"]})


def file_state(path: str) -> str:
    """A file's content hash, or _ABSENT."""
    try:
        with open(path, "rb") as handle:
            return bytes_hash(handle.read())
    except OSError:
        return _ABSENT


def listing_state(path: str) -> str:
    try:
        return bytes_hash("\0".join(sorted(os.listdir(path))).encode())
    except OSError:
        return _ABSENT


def env_state(name: str) -> str:
    value = os.environ.get(name)
    return _ABSENT if value is None else bytes_hash(("env\0" + value).encode())


def package_state(path: str) -> str:
    """An installed package's file by size and modification time: reinstalling rewrites it."""
    try:
        stat = os.stat(path)
    except OSError:
        return _ABSENT
    return f"{stat.st_size}:{stat.st_mtime_ns}"


_STATES = {"files": file_state, "dirs": listing_state, "env": env_state, "packages": package_state}
_seen: dict[tuple[str, str], str] = {}  # states read in this run: a helper shared by 200 modules is hashed once


def state(kind: str, name: str) -> str:
    known = _seen.get((kind, name))
    if known is None:
        known = _seen[(kind, name)] = _STATES[kind](name)
    return known


def forget_states() -> None:
    """Before a new load: files may have changed since the last one in this process."""
    _seen.clear()


class _Recorder:
    def __init__(self) -> None:
        self.thread = threading.get_ident()
        self.files: set[str] = set()
        self.dirs: set[str] = set()
        self.env: set[str] = set()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if not _active or event not in ("open", "os.listdir", "os.scandir"):
        return
    path = args[0] if args else None
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    if not isinstance(path, str) or path.startswith(_PYTHON) or path.endswith(".pyc"):
        return  # a .pyc stands for its source, which the loader names itself
    path = os.path.abspath(path)
    thread = threading.get_ident()
    for recorder in _active:
        if recorder.thread == thread:  # another thread's reads (a token file, say) are not the module's
            (recorder.files if event == "open" else recorder.dirs).add(path)


class _RecordingEnviron(type(os.environ)):  # type: ignore[misc]
    """os.environ that notes every name read (os.getenv reads through it too)."""

    def __getitem__(self, name: str) -> str:
        _note_env(name)
        return super().__getitem__(name)

    def __contains__(self, name: object) -> bool:
        if isinstance(name, str):
            _note_env(name)
        return super().__contains__(name)

    def __iter__(self) -> Iterator[str]:
        _note_env("*")  # the whole environment: any change counts
        return super().__iter__()


def _note_env(name: str) -> None:
    thread = threading.get_ident()
    for recorder in _active:
        if recorder.thread == thread:
            recorder.env.add(name)


@contextlib.contextmanager
def recording() -> Iterator[_Recorder]:
    """Record what the code run inside reads; nested recordings all see it."""
    global _hooked
    if not _hooked:
        sys.addaudithook(_audit)  # cannot be removed: it does nothing while no recording is active
        _hooked = True
    recorder = _Recorder()
    real = os.environ
    if not _active:
        os.environ = _RecordingEnviron(real._data, real.encodekey, real.decodekey,  # type: ignore[attr-defined]
                                       real.encodevalue, real.decodevalue)  # type: ignore[attr-defined]
    _active.append(recorder)
    try:
        yield recorder
    finally:
        _active.remove(recorder)
        if not _active:
            os.environ = real


class Inputs:
    """What a result was computed from: {kind: {name: state}}, kinds files, dirs, env and packages."""

    def __init__(self, states: dict[str, dict[str, str]]) -> None:
        self.states = states

    @classmethod
    def of(cls, files: set[str], dirs: set[str], env: set[str], packages: set[str]) -> "Inputs":
        """The current state of each input named."""
        if "*" in env:
            env = env - {"*"} | set(os.environ)
        named = {"files": files, "dirs": dirs, "env": env, "packages": packages}
        return cls({kind: {name: state(kind, name) for name in sorted(names)} for kind, names in named.items()})

    def unchanged(self) -> bool:
        return all(kind in _STATES and state(kind, name) == was for kind, names in self.states.items()
                   for name, was in names.items())

    def to_json(self) -> dict[str, dict[str, str]]:
        return self.states
