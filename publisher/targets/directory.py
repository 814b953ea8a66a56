"""A provisioning directory as a target: `dash publish --env local` writes the tree Grafana loads at start.

    environments:
      local:
        directory: grafana/provisioning     # mounted at /etc/grafana/provisioning

Each file is one object. The guarantees of a server hold here too, with the
manifest (`.dash-managed.json`) in the role of Grafana's version marks: it
holds the hash of every file dash wrote, so a file edited by hand since is
drift (refused without --force); files dash did not write are never touched;
files dash wrote and no longer generates are deleted only with --prune. The
manifest is rewritten, atomically, as each file completes, so an interrupted
publish can be run again: a file that already holds what dash wants is
unchanged, whatever the manifest says.
"""

from __future__ import annotations

import difflib
import json
import threading
from pathlib import Path
from typing import Any, Callable

import attrs

from provisioning import tree

from ..desired import TargetTraits
from ..handlers.base import ApplyOptions, PlanOptions
from ..handlers.dashboard_words import dashboard_words, normalise
from ..model import CREATE, DELETE, UNCHANGED, UPDATE, Change, DesiredDashboard, DesiredState, Drift, Outcome, Plan
from ..output import bytes_hash, json_bytes, write_atomic, yaml_text

MANIFEST = ".dash-managed.json"


def tree_files(state: DesiredState, org_id: int, dashboards: bool = True) -> dict[str, bytes]:
    """The whole provisioning tree of a desired state: relative path -> bytes (without the dashboards' files
    when not `dashboards`: `dash build` writes those one at a time, from `tree_dashboards`)."""
    entries = [tree.datasource_entry(d.body, {k: str(v) for k, v in d.secrets.items()}, org_id)
               for d in state.datasources]
    files = {
        tree.DATASOURCES_FILE: yaml_text(tree.datasources_file(entries), tree.HEADER).encode(),
        tree.PROVIDER_FILE: yaml_text(tree.provider(org_id), tree.HEADER).encode(),
    }
    if dashboards:
        files.update((path, d.encoded or json_bytes(d.json)) for path, d in tree_dashboards(state).items())
    return files


def tree_dashboards(state: DesiredState) -> dict[str, DesiredDashboard]:
    """Where each dashboard's file goes in the provisioning tree."""
    return {tree.dashboard_path(d.folder_path, d.uid): d for d in state.dashboards}


@attrs.frozen
class DesiredFile:
    path: str
    data: bytes = attrs.field(repr=False)


@attrs.frozen
class LiveFile:
    path: str
    data: bytes = attrs.field(repr=False)


class Manifest:
    """What dash wrote: relative path -> sha256, saved as each file completes."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        try:
            data = json.loads((root / MANIFEST).read_text())
        except (FileNotFoundError, ValueError):
            data = {}
        self.files: dict[str, str] = dict(data.get("files") or {}) if isinstance(data, dict) else {}

    def record(self, path: str, data: bytes | None) -> None:
        with self._lock:
            if data is None:
                self.files.pop(path, None)
            else:
                self.files[path] = bytes_hash(data)
            write_atomic(self.root / MANIFEST, json_bytes({"files": dict(sorted(self.files.items()))}))


def _dashboard_words(old: bytes, new: bytes) -> list[str]:
    try:
        return dashboard_words(normalise(json.loads(old)), normalise(json.loads(new))) or ["formatting changed"]
    except ValueError:
        return ["the file on disk is not valid JSON"]


class FileHandler:
    """One kind of file in the tree: `select` picks this kind's files from the whole tree."""

    notes_orphans = True

    def __init__(self, kind: str, root: Path, manifest: Manifest, select: Callable[[str], bool],
                 tree: Callable[[DesiredState], dict[str, bytes]],
                 words: Callable[[bytes, bytes], list[str]] = lambda old, new: ["content changed"]) -> None:
        self.kind, self.root, self.manifest, self.select, self.words = kind, root, manifest, select, words
        self.tree = tree

    def wanted(self, state: DesiredState) -> list[DesiredFile]:
        return [DesiredFile(path, data) for path, data in sorted(self.tree(state).items()) if self.select(path)]

    def read(self, desired: DesiredFile) -> LiveFile | None:
        try:
            return LiveFile(desired.path, (self.root / desired.path).read_bytes())
        except FileNotFoundError:
            return None

    def owned(self, state: DesiredState) -> list[LiveFile]:
        out = []
        for path in sorted(self.manifest.files):
            if self.select(path) and (self.root / path).is_file():
                out.append(LiveFile(path, (self.root / path).read_bytes()))
        return out

    def notes(self, state: DesiredState, lives: list[Any]) -> list[str]:
        return []

    def held(self, state: DesiredState) -> set[str]:
        """The files of dashboards declared but not built this run: not orphans."""
        return {path for path in (tree.dashboard_path(folder, uid) for uid, folder in state.held) if self.select(path)}

    def _drift(self, live: LiveFile) -> Drift | None:
        recorded = self.manifest.files.get(live.path)
        if recorded == bytes_hash(live.data):
            return None
        reason = "edited by hand since dash wrote it" if recorded else "exists but was not written by dash"
        return Drift("", "", f"{live.path} was {reason}")

    def compare(self, desired: DesiredFile, live: LiveFile | None, options: PlanOptions) -> Change:
        title = Path(desired.path).stem if desired.path.endswith(".json") else self.kind
        if live is None:
            return Change(self.kind, desired.path, title, CREATE, ("new file",), desired)
        if live.data == desired.data:
            return Change(self.kind, desired.path, title, UNCHANGED, desired=desired, live=live)
        diff = None
        if options.verbose:
            diff = "\n".join(difflib.unified_diff(live.data.decode(errors="replace").splitlines(),
                                                  desired.data.decode().splitlines(), f"{self.root}/{desired.path}",
                                                  f"dash/{desired.path}", lineterm=""))
        return Change(self.kind, desired.path, title, UPDATE, tuple(self.words(live.data, desired.data)), desired,
                      live, self._drift(live), unified_diff=diff)

    def plan_delete(self, live: LiveFile, state: DesiredState) -> Change:
        return Change(self.kind, live.path, Path(live.path).stem, DELETE, live=live, drift=self._drift(live))

    def orphan_note(self, orphans: list[LiveFile]) -> str:
        return (f"{len(orphans)} file(s) dash wrote are no longer generated "
                f"({', '.join(o.path for o in orphans[:3])}); --prune deletes them")

    def apply(self, change: Change, options: ApplyOptions) -> Outcome:
        path = self.root / change.uid
        try:
            if change.action == DELETE:
                path.unlink(missing_ok=True)
                self.manifest.record(change.uid, None)
                return Outcome(change, True, "deleted")
            write_atomic(path, change.desired.data)
        except OSError as exc:
            return Outcome(change, False, f"cannot write {path}: {exc.strerror}")
        self.manifest.record(change.uid, change.desired.data)
        return Outcome(change, True, "created" if change.action == CREATE else "updated")


class DirectoryTarget:
    def __init__(self, root: Path, org_id: int = 1) -> None:
        self.root = root
        self.description = f"directory {root}"
        self.traits = TargetTraits(files=True, name="file provisioning")
        self.reads = self.writes = 1
        self.manifest = Manifest(root)
        is_dashboard = lambda path: path.startswith(tree.DASHBOARDS_DIR + "/")  # noqa: E731
        self.org_id = org_id
        self._tree: tuple[DesiredState, dict[str, bytes]] | None = None
        self._handlers = [
            FileHandler("datasources", root, self.manifest, lambda path: path == tree.DATASOURCES_FILE, self.files),
            FileHandler("provider", root, self.manifest, lambda path: path == tree.PROVIDER_FILE, self.files),
            FileHandler("dashboard", root, self.manifest, is_dashboard, self.files, _dashboard_words),
        ]

    def files(self, state: DesiredState) -> dict[str, bytes]:
        """The tree of `state`, encoded once for the three handlers that each take their part of it."""
        if self._tree is None or self._tree[0] is not state:
            self._tree = (state, tree_files(state, self.org_id))
        return self._tree[1]

    def handlers(self) -> list[Any]:
        return self._handlers

    def finish(self, plan: Plan) -> None:
        """Files that already held what dash wants are dash's from now on (a rerun after an interruption)."""
        for change in plan.changes:
            if change.action == UNCHANGED and self.manifest.files.get(change.uid) != bytes_hash(change.desired.data):
                self.manifest.record(change.uid, change.desired.data)

    def close(self) -> None:
        return None
