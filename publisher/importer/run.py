"""`dash import` itself: each source to a formatted module in DIR, or (`--check`) to the proof.

The proof builds the module the way `dash build` builds any module: it is written to a directory
of its own and loaded by the project loader (publisher/project.py, publisher/loader.py), which
imports it, renders its dashboard through the SDK and the modernising step, and encodes the JSON
(publisher/output.py). The JSON is decoded again and compared with the migrated source (check.py).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

import attrs

from ..dashboard_json import walk_panels
from .check import Difference, compare, failures
from .codegen import generate, slug
from .migrate import migrate
from .sources import Imported, ImportFailed, Source


@attrs.frozen
class Module:
    """One imported dashboard as the module that declares it."""

    imported: Imported
    migrated: dict[str, Any]
    filename: str
    text: str
    formatted: bool  # whether `ruff format` ran on it


@attrs.frozen
class Checked:
    module: Module
    differences: list[Difference]
    errors: list[str]  # the module failed to load or render (a bug of the importer)

    @property
    def failures(self) -> list[Difference]:
        return failures(self.differences)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.failures


def ruff_format(text: str) -> str | None:
    """The module as `ruff format` writes it (the venv's ruff, line length 120), or None without ruff."""
    try:
        done = subprocess.run([sys.executable, "-m", "ruff", "format", "--isolated", "--line-length", "120",
                               "--stdin-filename", "module.py", "-"], input=text.encode(), capture_output=True,
                              timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode() if done.returncode == 0 else None


def to_module(imported: Imported, taken: set[str]) -> Module:
    title = imported.dashboard.get("title")
    if not isinstance(title, str) or not title.strip():
        raise ImportFailed(f"{imported.source}: the dashboard has no title; give it one (its `title` key)")
    migrated = migrate(imported.dashboard, imported.inputs)
    untyped = next((at.panel for at in walk_panels(migrated) if not at.panel.get("type")
                    and "libraryPanel" not in at.panel), None)
    if untyped is not None:
        raise ImportFailed(f"{imported.source}: panel {untyped.get('title')!r} (id {untyped.get('id')}) has no type; "
                           "give it its plugin id (\"type\": \"timeseries\", say)")
    name = slug(title)
    if name in taken:
        name = f"{name}_{slug(str(migrated.get('uid') or len(taken)), 'copy')}"
    taken.add(name)
    text = generate(migrated, Path(imported.source).name, imported.folder)
    formatted = ruff_format(text)
    return Module(imported, migrated, f"{name}.py", formatted or text, formatted is not None)


def modules(sources: list[Source]) -> list[Module]:
    taken: set[str] = set()
    return [to_module(imported, taken) for source in sources for imported in source.read()]


def check_dir(out: Path) -> None:
    """Refuse an output directory that cannot be one."""
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            raise ImportFailed(f"--out {out}: {parent} is a file, not a directory; choose another --out")


def write(mods: list[Module], out: Path, force: bool) -> list[Path]:
    """Write each module into `out`; an existing module is refused unless `force`."""
    from ..output import write_atomic

    check_dir(out)
    existing = [out / m.filename for m in mods if (out / m.filename).exists()]
    if existing and not force:
        raise ImportFailed(f"{existing[0]} already exists; pass --force to overwrite it, or --out another "
                           "directory")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for m in mods:
        write_atomic(out / m.filename, m.text.encode())
        written.append(out / m.filename)
    return written


def build(module: Module) -> tuple[dict[str, Any] | None, list[str]]:
    """The module built through dash's own loader and render path: (dashboard JSON, load errors)."""
    from ..project import load_project

    root = Path(tempfile.mkdtemp(prefix="dash-import-check-"))
    try:
        (root / module.filename).write_text(module.text)
        project = load_project(root, None, use_cache=False)
        errors = [str(e) for e in project.errors]
        return (project.rendered[0].json if project.rendered else None), errors
    finally:
        shutil.rmtree(root, ignore_errors=True)


def check(module: Module) -> Checked:
    built, errors = build(module)
    if built is None:
        return Checked(module, [], errors or ["the module declares no dashboard"])
    return Checked(module, compare(module.migrated, built), errors)


def report_lines(checked: list[Checked]) -> list[tuple[str, bool]]:
    """What `dash import --check` prints: (line, is an error), each lost or changed value, then a summary."""
    from ..dashboard_json import walk_panels

    lines: list[tuple[str, bool]] = []
    for item in checked:
        module = item.module
        panels = sum(1 for at in walk_panels(module.migrated) if at.panel.get("type") != "row")
        lines += [(f"error: {module.imported.source}: the imported module failed: {e}", True) for e in item.errors]
        lines += [(f"  {difference.line()}", False) for difference in item.failures]
        added = len(item.differences) - len(item.failures)
        lines.append((f"{'ok' if item.ok else 'FAILED':<6} {module.imported.source} -> {module.filename}: "
                      f"{panels} panels, {len(item.failures)} values lost or changed, {added} added by dash", False))
    failed = sum(1 for item in checked if not item.ok)
    lines.append((f"{len(checked) - failed} of {len(checked)} imports lossless", False))
    return lines


def command(arguments: list[str], out: Path | None, check_only: bool, force: bool,
            show: Callable[[str, bool], Any], more: list[Source] | None = None) -> int:
    """`dash import`: each line to `show` (flagged if it is an error), and the exit status. `more`: sources
    the options name (a live Grafana).

    Bad input is one error line naming the file and what to do, and exit status 1."""
    lines, code = _command(arguments, out, check_only, force, more or [])
    for line, error in lines:
        show(line, error)
    return code


def _command(arguments: list[str], out: Path | None, check_only: bool, force: bool, more: list[Source],
             ) -> tuple[list[tuple[str, bool]], int]:
    from .sources import sources

    try:
        named = sources(arguments) + more
        mods = modules(named)
        if check_only or out is None:
            checked = [check(m) for m in mods]
            return report_lines(checked), 0 if all(item.ok for item in checked) else 1
        written = write(mods, out, force)
    except ImportFailed as exc:
        return [(f"error: {exc}", True)], 1
    lines = [(f"  wrote {path}  ({m.imported.source})" + ("" if m.formatted else "  (not formatted: no ruff)"), False)
             for m, path in zip(mods, written)]
    lines.append((f"imported {len(written)} dashboard(s) into {out}/; `dash import --check` proves an import "
                  "lossless", False))
    lines += [(f"{s.name}: to keep grafana.com's file as it is (fetched and checked at build time) instead of "
               f"owning a copy, declare {s.pin}", False) for s in named if getattr(s, "pin", None)]
    return lines, 0
