"""Where in the user's code an object was declared, for error messages that point at the line."""

from __future__ import annotations

import os
import sys
from types import FrameType

_SDK_PACKAGE = __name__.rpartition(".")[0]  # "publisher.sdk"
_DASH_PACKAGE = _SDK_PACKAGE.rpartition(".")[0]  # "publisher": dash's own code, never the user's
_ATTRS_GENERATED = "<attrs generated"  # the filename of the __init__ etc. that attrs writes for a class


def _is_internal(frame: FrameType) -> bool:
    """Whether the frame runs the SDK's own code (or attrs' generated code), never where the user declared something."""
    module = frame.f_globals.get("__name__", "")
    if module == _SDK_PACKAGE or module.startswith(_SDK_PACKAGE + "."):
        return True
    return frame.f_code.co_filename.startswith(_ATTRS_GENERATED)


def _first_outside(frame: FrameType | None) -> FrameType | None:
    while frame is not None and _is_internal(frame):
        frame = frame.f_back
    return frame


def declared_at() -> tuple[str, int]:
    """The file and line of the first caller outside the SDK (and outside attrs' generated code)."""
    frame = _first_outside(sys._getframe(1))
    if frame is None:
        return ("<unknown>", 0)
    return (frame.f_code.co_filename, frame.f_lineno)


def user_call() -> tuple[str, int] | None:
    """Like `declared_at`, but None when the SDK was called by dash itself (rendering a dashboard, importing one):
    the line is then dash's, which would tell the user nothing."""
    frame = _first_outside(sys._getframe(1))
    if frame is None:
        return None
    module = frame.f_globals.get("__name__", "")
    if module == _DASH_PACKAGE or module.startswith(_DASH_PACKAGE + "."):
        return None
    return (frame.f_code.co_filename, frame.f_lineno)


def shown(at: tuple[str, int]) -> str:
    """`file:line`, the file relative to the current directory when it lies below it: the one place that writes
    where an error is for the person reading it."""
    file, line = at
    try:
        relative = os.path.relpath(file)
    except ValueError:
        relative = file
    return f"{relative if not relative.startswith('..') else file}:{line}"
