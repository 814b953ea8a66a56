"""Where in the user's code an object was declared, for error messages that point at the line."""

from __future__ import annotations

import functools
import os
import sys

_SDK_DIR = os.path.dirname(os.path.abspath(__file__))


@functools.lru_cache(maxsize=256)
def _is_internal(filename: str) -> bool:
    # "<attrs generated init ...>" and the SDK's own modules are never where the user declared something.
    return filename.startswith("<") or os.path.dirname(os.path.abspath(filename)) == _SDK_DIR


def declared_at() -> tuple[str, int]:
    """The file and line of the first caller outside the SDK (and outside attrs' generated code)."""
    frame = sys._getframe(1)
    while frame is not None and _is_internal(frame.f_code.co_filename):
        frame = frame.f_back
    if frame is None:
        return ("<unknown>", 0)
    return (frame.f_code.co_filename, frame.f_lineno)
