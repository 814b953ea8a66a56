"""dash dev's ear: watchfiles' Rust watcher (inotify, FSEvents...) as the loop's Waker (publisher/watch.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


class WatchError(Exception):
    """The machine will not let dash watch the project (a watch limit, directories that keep vanishing)."""


class WatchfilesWaker:
    """A Waker on watchfiles' Rust watcher (inotify, FSEvents...), one directory level each."""

    def __init__(self) -> None:
        self._dirs: list[Path] | None = None
        self._notify: Any = None

    def arm(self, dirs: list[Path]) -> None:
        if dirs == self._dirs:
            return  # the watcher keeps what it heard while the round ran
        from watchfiles._rust_notify import RustNotify

        self.close()
        for _ in range(3):  # a directory removed since it was listed: list again
            try:  # (paths, debug, force_polling, poll_delay_ms, recursive, ignore_permission_denied)
                self._notify = RustNotify([str(d) for d in dirs if d.is_dir()], False, False, 300, False, True)
                break
            except FileNotFoundError:
                continue
            except OSError as exc:  # the inotify watch limit, say: the user's machine, not dash's bug
                raise WatchError(f"cannot watch {len(dirs)} directories: {exc.strerror or exc} (on Linux, raise "
                                 "fs.inotify.max_user_watches)") from None
        if self._notify is None:
            raise WatchError("cannot watch the project: its directories keep disappearing while dash lists them")
        self._dirs = dirs

    def wait(self) -> None:
        from watchfiles import Change, DefaultFilter

        heard = DefaultFilter()
        while True:
            raw = self._notify.watch(1_600, 50, 5_000, None)  # debounce, step, timeout (ms), stop event
            if raw == "signal":  # Ctrl-C while Rust waited: dash's handler recorded it
                raise KeyboardInterrupt
            if isinstance(raw, set) and any(heard(Change(change), path) for change, path in raw):
                return

    def close(self) -> None:
        if self._notify is not None:
            self._notify, notify = None, self._notify
            notify.close()


# --- one round -----------------------------------------------------------------------------------
