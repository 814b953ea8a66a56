"""The one way dash runs a user's Python: import a file by its path, and report a failure as a LoadError.

A module that cannot be imported (a syntax error, an exception, `sys.exit`)
becomes a LoadError with its file, the user's line and the error, never a
traceback. The directory of the modules is put first on `sys.path`, so that
they can import their `_helpers` modules by name. Modules loaded from a
project's directory are forgotten before the next load, so that a second
project in the same process (or a rebuild) never sees the first one's helpers.
"""

from __future__ import annotations

import importlib.util
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any

import attrs

_loaded_roots: list[str] = []  # directories whose modules we imported; purged before a new load


@attrs.frozen
class LoadError:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"

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
    for root in _loaded_roots:
        while root in sys.path:
            sys.path.remove(root)
    _loaded_roots.clear()


def use_directory(root: Path) -> None:
    """Make `root` the directory whose modules (and helpers) are imported next."""
    forget_project_modules()
    text = str(root.resolve())
    _loaded_roots.append(text)
    sys.path.insert(0, text)


def project_modules(root: Path) -> list[ModuleType]:
    """Every module imported from files below `root`: the dashboard modules and the helpers they import."""
    roots = [str(root.resolve())]
    return [m for m in list(sys.modules.values()) if _under(getattr(m, "__file__", None), roots)]


def _user_line(exc: BaseException, file: Path) -> int:
    """The line of `file` where the exception passed last (the user's own line)."""
    line = 1
    target = str(file.resolve())
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename and os.path.abspath(frame.filename) == target:
            line = frame.lineno or line
    return line


def load_file(path: Path, name: str) -> ModuleType:
    """Import `path` as module `name`; raises LoadFailed naming the file and line."""
    shown = display_path(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise LoadFailed(LoadError(shown, 0, "not a Python file"))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as exc:
        sys.modules.pop(name, None)
        raise LoadFailed(LoadError(shown, exc.lineno or 1, f"SyntaxError: {exc.msg}")) from None
    except (Exception, SystemExit) as exc:  # noqa: BLE001 - errors in user code are reported, not raised
        sys.modules.pop(name, None)
        raise LoadFailed(LoadError(shown, _user_line(exc, path), f"{type(exc).__name__}: {exc}")) from None
    return module
