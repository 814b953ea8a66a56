"""The one way dash runs a user's Python: import a file by its path, and report a failure as a LoadError.

A module that cannot be imported (a syntax error, an exception, `sys.exit`,
`os._exit`, a KeyboardInterrupt it raises itself) becomes a LoadError with
its file, the user's line and the error, never a traceback. What a module
prints goes to a buffer, never to dash's stdout (which may be JSON): the
caller reports it as a warning. The directory of the modules is put first on `sys.path`, so that
they can import their `_helpers` modules by name. Modules loaded from a
project's directory are forgotten before the next load, so that a second
project in the same process (or a rebuild) never sees the first one's helpers.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import sys
import tempfile
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import attrs

_loaded_roots: list[str] = []  # directories whose modules we imported; purged before a new load
_helper_reads: dict[str, Any] = {}  # helper module name -> what it read when it ran (a trace recorder)


@attrs.frozen
class LoadError:
    file: str
    line: int
    message: str

    @property
    def where(self) -> str:
        """file:line, or the file alone when no line applies (a missing file, dash.yaml's structure)."""
        return f"{self.file}:{self.line}" if self.line else self.file

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "message": self.message}


class LoadFailed(Exception):
    """A module that could not be imported; `error` says where and why."""

    def __init__(self, error: LoadError) -> None:
        super().__init__(str(error))
        self.error = error


def display_path(path: str | Path) -> str:
    """A path relative to the current directory when it lies below it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:
        return str(path)
    return relative if not relative.startswith("..") else str(path)


def _under(file: str | None, roots: list[str]) -> bool:
    return bool(file) and any(file.startswith(root + os.sep) for root in roots)


def forget_project_modules() -> None:
    """Drop every module imported from a project directory, and those directories from sys.path."""
    for name, module in list(sys.modules.items()):
        if _under(getattr(module, "__file__", None), _loaded_roots):
            del sys.modules[name]
    _helper_reads.clear()
    for root in _loaded_roots:
        while root in sys.path:
            sys.path.remove(root)
    _loaded_roots.clear()


def also_use_directory(root: Path) -> None:
    """Make `root`'s modules importable too, ahead of the others and without forgetting them: the alerting file's
    own directory, so that it may import the rule modules beside it while the dashboards' helpers stay visible.
    A package's directory (an `__init__.py`: dash's own `alerts/`, where the guide's file lives) is left alone:
    its modules belong to the package, and forgetting them as a project's would replace dash's own."""
    if (root / "__init__.py").exists():
        return
    text = str(root.resolve())
    if text not in _loaded_roots:
        _loaded_roots.append(text)
    while text in sys.path:
        sys.path.remove(text)
    sys.path.insert(0, text)


def use_directory(root: Path) -> None:
    """Make `root` the directory whose modules (and helpers) are imported next."""
    forget_project_modules()
    text = str(root.resolve())
    _loaded_roots.append(text)
    sys.path.insert(0, text)
    if not any(isinstance(finder, _HelperFinder) for finder in sys.meta_path):
        at = next((i for i, f in enumerate(sys.meta_path) if f is importlib.machinery.PathFinder), len(sys.meta_path))
        sys.meta_path.insert(at, _HelperFinder())


class _RecordingLoader:
    """A helper's loader that notes what the helper read while it ran (publisher/trace.py)."""

    def __init__(self, loader: Any) -> None:
        self._loader = loader

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loader, name)

    def create_module(self, spec: Any) -> Any:
        return self._loader.create_module(spec)

    def exec_module(self, module: ModuleType) -> None:
        from . import trace

        with trace.recording() as reads:
            self._loader.exec_module(module)
        if module.__file__:
            reads.files.add(os.path.abspath(module.__file__))  # its source, even when Python read a .pyc
        _helper_reads[module.__name__] = reads


class _HelperFinder:
    """Just before Python's own path finder: the same spec, with a recording loader for a project's helpers."""

    @staticmethod
    def find_spec(name: str, path: Any = None, target: Any = None) -> Any:
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is not None and spec.loader is not None and _under(spec.origin, _loaded_roots):
            spec.loader = _RecordingLoader(spec.loader)
        return spec

    @staticmethod
    def invalidate_caches() -> None:
        pass  # PathFinder is asked itself


def helper_reads() -> list[Any]:
    """What each project helper imported so far read when it ran (trace recorders), oldest first."""
    return [reads for name, reads in _helper_reads.items() if name in sys.modules]


def project_modules(module: ModuleType) -> list[ModuleType]:
    """A dashboard module and the project's helpers imported so far (those _HelperFinder loaded).

    Not a scan of sys.modules: done once per dashboard module, that made loading N modules cost N x the
    size of sys.modules."""
    return [module, *(sys.modules[name] for name in list(_helper_reads) if name in sys.modules)]


def _user_line(exc: BaseException, file: Path) -> int:
    """The line of `file` where the exception passed last (the user's own line)."""
    line = 1
    target = str(file.resolve())
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and os.path.abspath(frame.filename) == target:
            line = frame.lineno or line
    return line


def _called_at(exc: BaseException) -> tuple[str, int] | None:
    """Where the user's code made the call that raised `exc`, when the exception says so (the SDK's DashboardError
    carries `at`): a call in a helper module is reported at the helper's line, not at the module's line that
    called the helper."""
    at = getattr(exc, "at", None)
    if isinstance(at, tuple) and len(at) == 2 and isinstance(at[0], str) and isinstance(at[1], int) and at[1] > 0:
        return display_path(at[0]), at[1]
    return None


class _ExitCalled(Exception):
    """os._exit called by a module: it would end dash at once, with a status that claims success."""


def _refuse_exit(status: int) -> None:
    raise _ExitCalled(status)


@contextlib.contextmanager
def _stdout_captured(into: list[str]) -> Iterator[None]:
    """Python's stdout and file descriptor 1 (subprocesses, C code) both go to a buffer; its text ends in `into`."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no descriptor 1: only Python's stdout can be captured
        saved = None
    python_level = io.StringIO()
    with tempfile.TemporaryFile() as fd_level:
        if saved is not None:
            os.dup2(fd_level.fileno(), 1)
        try:
            with contextlib.redirect_stdout(python_level):
                yield
        finally:
            if saved is not None:
                os.dup2(saved, 1)
                os.close(saved)
            fd_level.seek(0)
            into.append(python_level.getvalue() + fd_level.read().decode("utf-8", "replace"))


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, _ExitCalled):
        return f"os._exit({exc.args[0]}) called while dash imported it: a module must not end the process"
    if isinstance(exc, SystemExit):
        return f"sys.exit({exc.code!r}) called while dash imported it: a module must not end the process"
    if isinstance(exc, KeyboardInterrupt):
        return "KeyboardInterrupt raised while dash imported it (not a signal from the terminal)"
    return f"{type(exc).__name__}: {exc}"


def load_file(path: Path, name: str, printed: list[LoadError] | None = None) -> ModuleType:
    """Import `path` as module `name`; raises LoadFailed naming the file and line.

    What the module prints while it is imported is appended to `printed` (one LoadError), not shown.
    """
    from .interrupts import signal_count

    shown = display_path(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadFailed(LoadError(shown, 0, "not a Python file"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    output: list[str] = []
    real_exit, os._exit = os._exit, _refuse_exit
    signals_before = signal_count()
    try:
        with _stdout_captured(output):
            spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise LoadFailed(LoadError(shown, exc.lineno or 1, f"SyntaxError: {exc.msg}")) from None
    except KeyboardInterrupt as exc:
        sys.modules.pop(name, None)
        if signal_count() != signals_before:
            raise  # Ctrl-C or SIGTERM: the user stops dash, not the module
        raise LoadFailed(LoadError(shown, _user_line(exc, path), _failure_message(exc))) from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - errors in user code are reported, not raised
        sys.modules.pop(name, None)
        file, line = _called_at(exc) or (shown, _user_line(exc, path))
        raise LoadFailed(LoadError(file, line, _failure_message(exc))) from None
    finally:
        os._exit = real_exit
        _report_printed(shown, "".join(output), printed)
    return module


def _report_printed(shown: str, text: str, printed: list[LoadError] | None) -> None:
    lines = text.splitlines()
    if lines and printed is not None:
        quoted = "; ".join(line.strip() for line in lines[:3]) + (" ..." if len(lines) > 3 else "")
        printed.append(LoadError(shown, 1, f"printed {len(lines)} line(s) while dash imported it, kept off dash's "
                                           f"output: {quoted[:300]}"))
