"""Remember what each dashboard module rendered, so that an unchanged module is neither imported nor rendered.

An entry is keyed by the module's path and text, dash's own source, Python's
version, the project directory and the working directory; it records what else the module read
(helpers, data files, directories, environment variables, installed
packages: publisher/trace.py) and is used only while all of those are
unchanged. What it holds is exactly what a load gives: each dashboard's
file bytes and where it was declared, the datasources and saved queries
the module declares, what it printed. Only a module that loaded and
rendered without an error is cached. Rendering does not depend on the
environment (datasource URLs and credentials are applied later, to the
desired state), so one entry serves every `--env`.

Entries are files under the cache directory (publisher/cache.py), one per
module, in a directory per project; a run that loads the project removes the
entries it did not use.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

from . import trace
from .cache import cache_dir, dash_fingerprint, enabled, key
from .output import bytes_hash, write_atomic

ENTRY_VERSION = "2"  # 2: dashboards stored packed (rendered.pack)


def installed_packages(root: str) -> set[str]:
    """The top-level file of every imported package outside Python and the project."""
    stdlib = sys.stdlib_module_names
    files = set()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if "." in name or name in stdlib or not file or file.startswith(root + os.sep):
            continue
        files.add(os.path.abspath(file))
    return files


class ModuleCache:
    """`get(path, text)` a module's result if still valid; `put(...)` a fresh one; `finish()` drops the rest."""

    def __init__(self, root: Path, on: bool | None = None) -> None:
        self.on = enabled() if on is None else on
        self.root = str(root)
        self.directory = cache_dir() / "modules" / bytes_hash(self.root.encode())[:16]
        self._used: set[str] = set()
        self.hits = self.misses = 0
        trace.forget_states()

    def _key(self, path: Path, text: bytes) -> str:
        # The working directory too: a module may open a path relative to it.
        return key(dash_fingerprint(), ENTRY_VERSION, self.root, os.getcwd(), str(path), text)

    def get(self, path: Path, text: bytes) -> tuple[dict[str, Any], list[bytes]] | None:
        """The result and dashboard bytes recorded for this module, if nothing it read has changed."""
        self.misses += 1  # until found
        if not self.on:
            return None
        entry = self._key(path, text)
        try:
            data = (self.directory / entry).read_bytes()
            header, _, body = data.partition(b"\n")
            meta = json.loads(header)
            if meta.get("version") != ENTRY_VERSION or not trace.Inputs(meta["inputs"]).unchanged():
                return None
            blobs, at = [], 0
            for size in meta["sizes"]:
                blobs.append(body[at:at + size])
                at += size
        except (OSError, ValueError, KeyError, TypeError):
            return None  # absent, corrupt or from another version: load the module
        self._used.add(entry)
        self.hits, self.misses = self.hits + 1, self.misses - 1
        return meta["result"], blobs

    def put(self, path: Path, text: bytes, result: dict[str, Any], blobs: list[bytes], inputs: trace.Inputs) -> None:
        if not self.on:
            return
        entry = self._key(path, text)
        header = json.dumps({"version": ENTRY_VERSION, "inputs": inputs.to_json(), "result": result,
                             "sizes": [len(b) for b in blobs]}, sort_keys=True, separators=(",", ":"))
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            write_atomic(self.directory / entry, header.encode() + b"\n" + b"".join(blobs))
            self._used.add(entry)
        except OSError:
            pass  # best-effort: no cache costs time, never a failure

    def finish(self) -> None:
        """Remove this project's entries that the run did not use (older versions of its modules)."""
        if not self.on:
            return
        try:
            for path in self.directory.iterdir():
                if path.name not in self._used and not path.name.endswith(".tmp"):
                    path.unlink(missing_ok=True)
        except OSError:
            pass
