"""SIGINT and SIGTERM: how dash stops when asked to.

Outside a publish's writes, both raise KeyboardInterrupt (the CLI says what
was interrupted and exits 130 or 143). While a publish writes, the first
signal only sets a `Stop`: the requests in flight finish, nothing new starts,
and the summary says what was done; a second signal stops at once.
`signal_count()` tells a real signal apart from a KeyboardInterrupt that a user's
module raised itself.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator

EXIT_CODES = {"SIGINT": 130, "SIGTERM": 143}  # 128 + the signal's number, as shells report it
_received: list[str] = []


def received() -> str | None:
    """The name of the last signal that asked dash to stop, if one did."""
    return _received[-1] if _received else None


def signal_count() -> int:
    """How many signals asked dash to stop so far: a change in it during a block means one arrived."""
    return len(_received)


def _interrupt(signum: int, frame: Any) -> None:
    _received.append(signal.Signals(signum).name)
    raise KeyboardInterrupt


def install() -> None:
    """SIGINT and SIGTERM both interrupt (SIGTERM would otherwise kill dash without a word)."""
    with contextlib.suppress(ValueError):  # not the main thread: leave the handlers alone
        signal.signal(signal.SIGINT, _interrupt)
        signal.signal(signal.SIGTERM, _interrupt)


class Stop:
    """Set by the first signal during a publish; changes not yet started are then skipped."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.signal: str | None = None

    def is_set(self) -> bool:
        return self._event.is_set()

    @property
    def reason(self) -> str:
        return f"interrupted by {self.signal}; publish again to finish"

    def set(self, name: str) -> None:
        self.signal = name
        _received.append(name)
        self._event.set()


@contextlib.contextmanager
def finishing_in_flight(stop: Stop) -> Iterator[Stop]:
    """While the block runs, the first SIGINT/SIGTERM sets `stop`; a second one interrupts."""
    def on_signal(signum: int, frame: Any) -> None:
        if stop.is_set():
            _interrupt(signum, frame)
        stop.set(signal.Signals(signum).name)

    try:
        previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    except ValueError:  # not the main thread
        yield stop
        return
    try:
        yield stop
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
