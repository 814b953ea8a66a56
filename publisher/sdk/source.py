"""Where in the user's code an object was declared, for error messages that point at the line."""

from __future__ import annotations

import sys
from types import FrameType

_SDK_PACKAGE = __name__.rpartition(".")[0]  # "publisher.sdk"
_ATTRS_GENERATED = "<attrs generated"  # the filename of the __init__ etc. that attrs writes for a class


def _is_internal(frame: FrameType) -> bool:
    """Whether the frame runs the SDK's own code (or attrs' generated code), never where the user declared something."""
    module = frame.f_globals.get("__name__", "")
    if module == _SDK_PACKAGE or module.startswith(_SDK_PACKAGE + "."):
        return True
    return frame.f_code.co_filename.startswith(_ATTRS_GENERATED)


def declared_at() -> tuple[str, int]:
    """The file and line of the first caller outside the SDK (and outside attrs' generated code)."""
    frame: FrameType | None = sys._getframe(1)
    while frame is not None and _is_internal(frame):
        frame = frame.f_back
    if frame is None:
        return ("<unknown>", 0)
    return (frame.f_code.co_filename, frame.f_lineno)
