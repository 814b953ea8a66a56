"""A content-addressed cache of pure results (a dashboard's lint findings, say), so that an unchanged run
skips the CPU work. (Module results have their own store, one file each: publisher/module_cache.py.)

Each entry is keyed by a hash of everything its value depends on (the input
itself, dash's version, the schema files), so it can never be stale: a
changed input is another key. The cache is one JSON file per namespace in
`DASH_CACHE_DIR` (default `$XDG_CACHE_HOME/dash`, else `~/.cache/dash`). It is
best-effort: unreadable, corrupt or unwritable means no cache, never an
error, and deleting it only costs time. `--no-cache` (or `DASH_NO_CACHE=1`)
bypasses it. Only the entries used in a run are kept, so it never grows
beyond one repository's dashboards per namespace.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any, Callable

from .output import bytes_hash, write_atomic

VERSION = "1"  # bump when an entry's shape changes


def cache_dir() -> Path:
    configured = os.environ.get("DASH_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dash"


def enabled() -> bool:
    return os.environ.get("DASH_NO_CACHE", "") in ("", "0")


_fingerprint: list[str] = []


def dash_fingerprint() -> str:
    """dash's own code and data (its .py and .json files), Python's version and the libraries rendering and
    linting use: a change to any is a new key for every entry that depends on dash."""
    if not _fingerprint:
        import importlib.util
        import sys

        from .trace import file_state, package_state

        package = Path(__file__).resolve().parent
        parts = [sys.version]
        for path in sorted([*package.rglob("*.py"), *package.rglob("*.json")]):
            parts.append(f"{path.relative_to(package)}:{file_state(str(path))}")
        for library in ("grafanalib", "attr", "orjson", "jsonschema", "promql_parser"):
            spec = importlib.util.find_spec(library)
            parts.append(f"{library}:{package_state(spec.origin) if spec is not None and spec.origin else '-'}")
        _fingerprint.append(key(*parts))
    return _fingerprint[0]


def key(*parts: bytes | str) -> str:
    """A key from everything a value depends on."""
    return bytes_hash(b"\x00".join(p.encode() if isinstance(p, str) else p for p in (VERSION, *parts)))


class Cache:
    """One namespace: `get_or_compute(key, fn)`, then `save()` keeps what this run used."""

    def __init__(self, namespace: str, directory: Path | None = None, on: bool | None = None) -> None:
        self.on = enabled() if on is None else on
        self.path = (directory or cache_dir()) / f"{namespace}.json"
        self._old: dict[str, Any] = self._read() if self.on else {}
        self._used: dict[str, Any] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def get_or_compute(self, entry: str, compute: Callable[[], Any]) -> Any:
        """The cached value of `entry`, or `compute()` stored under it; values must be JSON."""
        with self._lock:
            if entry in self._used or entry in self._old:
                self.hits += 1
                value = self._used.setdefault(entry, self._old.get(entry))
                return value
        value = compute()
        with self._lock:
            self.misses += 1
            self._used[entry] = value
        return value

    def save(self) -> None:
        if not self.on or self._used.keys() == self._old.keys():
            return  # nothing new, nothing dropped: leave the file as it is
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(self._used, sort_keys=True, separators=(",", ":")).encode())
        except OSError:
            pass  # best-effort: a read-only home costs time, not a failure
