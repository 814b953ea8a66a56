"""`dash dev`: build and lint on every save, and publish each good build to a development environment.

- `rounds(changes, build_once, stop)`: the loop: a round at once, then one per change set.
- `FileChanges`: the change sets, from the disk. What a round depends on (`Watched`: the dashboards
  directory, dash.yaml, the alerting file, the project's files that the module cache recorded a module
  read) is stamped before each round; a `Waker` then sleeps until the file system reports an event in
  one of their directories, the files settle (no change for `quiet` seconds: an editor writes a file
  several times), and the paths whose stamps differ are the next change set. An event that changed
  nothing (a swap file) starts no round; a save made while a round ran is seen as soon as it ends.
- `Session.build_once(changed)`: one round through a fresh `App` (dash.yaml may have changed): lint,
  build, and with an environment `App.plan` + `App.publish` (drift refused, nothing pruned) when no
  error was found. Nothing here prints: a `Round` holds the lines. Tests drive each part alone.
"""

from __future__ import annotations

import json
import os
import time
import zlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Protocol, TypeVar

import attrs

if TYPE_CHECKING:
    from .app import App

R = TypeVar("R")
Stamp = tuple[int, ...] | None  # a file's (mtime_ns, size, inode, CRC-32), a directory's listing hashed; None: absent
BIG = 4 << 20  # bytes: a larger file is stamped by its time, size and inode only


def rounds(changes: Iterable[list[str]], build_once: Callable[[list[str]], R],
           stop: Callable[[R], bool] = lambda result: False) -> Iterator[R]:
    """The first round (nothing changed yet), then one per change set, until `changes` ends or `stop(round)`."""
    result = build_once([])
    yield result
    iterator = iter(changes)
    while not stop(result) and (changed := next(iterator, None)) is not None:
        result = build_once(changed)
        yield result


# --- what a build depends on, and whether it changed -------------------------------------------

@attrs.frozen
class Watched:
    tree: Path | None = None  # the dashboards directory: every file below it
    files: frozenset[Path] = frozenset()  # dash.yaml, the alerting file, files a module read
    dirs: frozenset[Path] = frozenset()  # directories a module listed
    skip: tuple[Path, ...] = ()  # what the round writes itself (--out, a directory environment)


@attrs.frozen
class Snapshot:
    tree: Path | None
    below: dict[str, Stamp]  # every file below the tree: one that appears or goes is a change
    other: dict[str, Stamp]  # the other inputs: compared where both snapshots have them


def _ignored(name: str) -> bool:
    """Not a source: caches, hidden files (an editor's swap file), backups (`x.py~`, `#x.py#`)."""
    return name == "__pycache__" or name.startswith((".", "#")) or name.endswith(("~", ".pyc", ".tmp"))


def _skipped(path: Path, skip: tuple[Path, ...]) -> bool:
    return any(path == s or s in path.parents for s in skip)


def tree_dirs(watched: Watched) -> list[Path]:
    """The tree's directories (its helpers' `_` directories included), without caches and hidden ones."""
    if watched.tree is None or not watched.tree.is_dir():
        return []
    found = []
    for dirpath, dirnames, _ in os.walk(watched.tree):
        dirnames[:] = sorted(d for d in dirnames if not _ignored(d)
                             and not _skipped(Path(dirpath) / d, watched.skip))
        found.append(Path(dirpath))
    return found


def _stamp(path: Path) -> Stamp:
    try:
        info = path.stat()
    except OSError:
        return None
    if path.is_dir():
        try:
            return (hash("\0".join(sorted(os.listdir(path)))),)
        except OSError:
            return None
    content = 0
    if info.st_size <= BIG:  # a save within the file system's time granularity, of the same size, still counts
        try:
            content = zlib.crc32(path.read_bytes())
        except OSError:
            return None
    return (info.st_mtime_ns, info.st_size, info.st_ino, content)


def snapshot(watched: Watched) -> Snapshot:
    below = {}
    for directory in tree_dirs(watched):
        try:
            entries = sorted(directory.iterdir())
        except OSError:  # removed since it was listed (a checkout, an rm -r): its files are gone, which is the news
            continue
        for entry in entries:
            if entry.is_file() and not _ignored(entry.name):
                below[str(entry)] = _stamp(entry)
    other = {str(p): _stamp(p) for p in sorted(watched.files | watched.dirs) if str(p) not in below}
    return Snapshot(watched.tree, below, other)


def changed(before: Snapshot, after: Snapshot) -> list[str]:
    """The paths whose stamps differ; below the same tree, a file added or removed too."""
    paths = {p for p in before.other.keys() & after.other.keys() if before.other[p] != after.other[p]}
    if before.tree == after.tree:
        paths |= {p for p in before.below.keys() | after.below.keys() if before.below.get(p) != after.below.get(p)}
    else:  # dash.yaml named another directory: dash.yaml's change is the news
        paths |= {p for p in before.below.keys() & after.below.keys() if before.below[p] != after.below[p]}
    return sorted(paths)


def watch_dirs(watched: Watched) -> list[Path]:
    """The directories to hear events from (each without its subdirectories): a file replaced by a rename
    (an editor's atomic save) is still heard, which a watch on the file itself is not."""
    dirs = set(tree_dirs(watched)) | {p.parent for p in watched.files} | set(watched.dirs)
    if watched.tree is not None and not watched.tree.is_dir():
        dirs.add(watched.tree.parent)  # to hear it appear
    return sorted(d for d in dirs if d.is_dir())


class Waker(Protocol):
    def arm(self, dirs: list[Path]) -> None:
        """Hear events in these directories from now on."""

    def wait(self) -> None:
        """Return when an event was heard since the last return (at once if one was)."""


class FileChanges:
    """An iterator of change sets: the paths changed since the round before, each list when the files settled."""

    def __init__(self, watched: Callable[[], Watched], waker: Waker, quiet: float = 0.2,
                 sleep: Callable[[float], None] = time.sleep, settle_rounds: int = 25) -> None:
        self.watched, self.waker, self.quiet, self.sleep = watched, waker, quiet, sleep
        self.settle_rounds = settle_rounds  # at most this many quiet periods: a file rewritten forever still builds
        self._base: Snapshot | None = None

    def prime(self) -> None:
        """Stamp the inputs as they are before the first round, so that a save during it is not missed."""
        self._base = snapshot(self.watched())

    def _settled(self, watched: Watched) -> Snapshot:
        now = snapshot(watched)
        for _ in range(self.settle_rounds):
            self.sleep(self.quiet)
            later = snapshot(watched)
            if later == now:
                break
            now = later
        return now

    def __iter__(self) -> Iterator[list[str]]:
        while True:
            watched = self.watched()  # what the last round read
            self.waker.arm(watch_dirs(watched))  # before the stamps: a change after them is heard
            now = snapshot(watched)
            base = self._base or now
            found = changed(base, now)
            if not found:
                self._base = now
                self.waker.wait()
                now = self._settled(watched)
                found = changed(self._base, now)
            self._base = now
            if found:
                yield found


@attrs.frozen
class Line:
    kind: str  # "error" (stderr, red), "finding", "publish"
    text: str


@attrs.frozen
class Round:
    header: str
    lines: list[Line] = attrs.field(factory=list)
    ok: bool = True  # built and linted without an error (and published, with an environment)
    stop: bool = False  # a signal cut the publish short: the loop ends after this round


def _what(changed_paths: list[str]) -> str:
    from .loader import display_path

    if not changed_paths:
        return "started"
    first = display_path(changed_paths[0])
    more = len(changed_paths) - 1
    return f"{first} changed" if not more else f"{first} and {more} other file{'s' * (more > 1)} changed"


class Session:
    """The rounds of one `dash dev`: each with a fresh App from `make_app`, building into `out`."""

    def __init__(self, make_app: Callable[[], "App"], out: Path, env_name: str | None = None,
                 clock: Callable[[], str] = lambda: time.strftime("%H:%M:%S")) -> None:
        self.make_app, self.out, self.env_name, self.clock = make_app, out, env_name, clock
        self._watched: Watched | None = None
        self._loaded: Any = None  # the project the round loaded, if it got that far

    def watched(self) -> Watched:
        if self._watched is None:  # before the first round: what dash.yaml names
            app = self.make_app()
            self._watched = inputs_of(app, None, self._skip(app))
        return self._watched

    def _skip(self, app: "App") -> tuple[Path, ...]:
        from .app import AppError

        try:
            env = app.environment(self.env_name)
        except AppError:
            env = None
        return (self.out.resolve(), *([Path(env.directory).resolve()] if env and env.directory else []))

    def build_once(self, changed_paths: list[str]) -> Round:
        from .app import AppError

        when = f"[{self.clock()}] {_what(changed_paths)}"
        app = self.make_app()
        self._loaded = None
        try:
            result = self._round(app, when)
        except AppError as exc:
            result = Round(f"{when}: not built: {exc}", [Line("error", line) for line in exc.details], ok=False)
        except Exception as exc:  # noqa: BLE001 - a bug of dash must not end the session; the next save retries
            import traceback

            shown = [Line("error", traceback.format_exc())] if os.environ.get("DASH_DEBUG") else []
            result = Round(f"{when}: internal error: {type(exc).__name__}: {exc} (DASH_DEBUG=1 shows the "
                           "traceback)", shown, ok=False)
        self._watched = inputs_of(app, self._loaded, self._skip(app))
        return result

    def _round(self, app: "App", when: str) -> Round:
        from .lint.findings import counted

        env = app.environment(self.env_name)  # an unknown environment is this round's error
        report = app.lint()  # first: a module's own error is shown even when the build cannot run
        self._loaded = app.project()
        failed, built = self._build(app)
        errors = len(failed) + len(report.errors)
        warnings = len(report.shown) - len(report.errors)
        lines = [Line("finding", f.line()) for f in report.shown] + failed
        suppressed = len(report.findings) - len(report.shown)
        what = "not built" if built is None else (
            f"built {counted(len(built.written), 'dashboard')} ({sum(w.changed for w in built.written)} changed)")
        header = (f"{when}: {what}, {counted(errors, 'error')}, {counted(warnings, 'warning')}"
                  + (f", {suppressed} suppressed" if suppressed else ""))
        if env is None:
            return Round(header, lines, ok=not errors)
        if errors:
            return Round(f"{header}; not published to {env.name} (fix the errors first)", lines, ok=False)
        published, more = self._publish(app, env.name)
        if published is None:
            return Round(f"{header}; not published to {env.name} (see the error)", lines + more, ok=False)
        from .report import totals

        n = totals(published.outcomes, published.planned.plan)
        word = f"published to {env.name}" if published.ok else (
            f"not all published to {env.name} ({n['refused']} refused, {n['failed']} failed, {n['skipped']} skipped)")
        return Round(f"{header}; {word}", lines + more, ok=published.ok, stop=published.interrupted is not None)

    def _build(self, app: "App") -> tuple[list[Line], Any]:
        """(the build's error lines, the BuildResult or None); the modules' errors are lint's (DASH000)."""
        from .app import AppError, user_errors

        try:
            built = user_errors(lambda: app.build(self.out, self.env_name), f"--out {self.out}")
        except AppError as exc:
            return [Line("error", line) for line in exc.details] + [Line("error", f"error: {exc}")], None
        shown = {str(e) for e in app.rendered().errors}
        return [Line("error", f"error: {e}") for e in built.errors if str(e) not in shown], built

    def _publish(self, app: "App", env_name: str) -> tuple[Any, list[Line]]:
        """`dash publish --env NAME`'s path: the plan, then the engine (drift refused, nothing pruned)."""
        from .app import AppError
        from .interrupts import Stop, finishing_in_flight
        from .report import result_lines, summary_line

        try:
            planned = app.plan(env_name)
        except AppError as exc:
            return None, [Line("error", line) for line in exc.details] + [Line("error", f"error: {exc}")]
        with finishing_in_flight(Stop()) as stop:
            published = app.publish(planned, stop=stop)
        lines = [Line("publish", text) for text in result_lines(published.outcomes, planned.plan)]
        return published, [*lines, Line("publish", summary_line(published))]


def inputs_of(app: "App", project: Any, skip: tuple[Path, ...]) -> Watched:
    """dash.yaml, the alerting file, the dashboards, and the project's files the module cache saw a module read."""
    from .app import AppError

    try:
        config = app.config
    except AppError:
        config = None
    config_path = (config.path if config is not None else None) or Path(app.config_path or "dash.yaml")
    home = config_path.resolve().parent
    files = {config_path.resolve()}
    if config is not None and config.alerts is not None:
        files.add(config.alerts.resolve())
    root = project.root if project is not None and project.root is not None else (
        Path(app.dashboards_option) if app.dashboards_option else (config.dashboards if config else None))
    tree = root.resolve() if root is not None else None
    if tree is not None and tree.suffix == ".py":
        files.add(tree)
        tree = None
    dirs: set[Path] = set()
    if project is not None and project.root is not None and app.use_cache:
        read_files, read_dirs = recorded_inputs(project.root)
        keep = _keeper(home, tree, skip)
        files |= {p for p in read_files if keep(p) and not p.is_dir()}
        dirs |= {p for p in read_dirs if keep(p)}
    return Watched(tree, frozenset(files), frozenset(dirs), skip)


def _keeper(home: Path, tree: Path | None, skip: tuple[Path, ...]) -> Callable[[Path], bool]:
    import sys

    outside = (Path(sys.prefix).resolve(), home / ".dash-cache")  # a virtualenv in the project: its packages

    def keep(path: Path) -> bool:
        return (home in path.parents and not _skipped(path, skip + outside)
                and (tree is None or tree not in path.parents))
    return keep


def recorded_inputs(root: Path) -> tuple[set[Path], set[Path]]:
    """The files and directories that the module cache's entries for this dashboards directory say were read."""
    from .module_cache import ModuleCache

    files, dirs = set[Path](), set[Path]()
    try:
        entries = list(ModuleCache(root).directory.iterdir())
    except OSError:
        return files, dirs
    for entry in entries:
        try:
            with entry.open("rb") as handle:
                inputs = json.loads(handle.readline())["inputs"]
        except (OSError, ValueError, KeyError, TypeError):
            continue
        files |= {Path(p) for p in inputs.get("files", {})}
        dirs |= {Path(p) for p in inputs.get("dirs", {})}
    return files, dirs
