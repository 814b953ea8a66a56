"""Secrets by reference: `{env: NAME}` or `{file: PATH}` in dash.yaml, never the value.

A resolved secret is a `Secret`: its repr and str never show the value, and
every value resolved in this process is remembered so that `redact()` can
scrub it from any text we print (an error body that echoes a header, say).
"""

from __future__ import annotations

import base64
import json
import os
import threading
from pathlib import Path
from typing import Any
from urllib.parse import quote, quote_plus

import attrs

_seen: set[str] = set()
_lock = threading.Lock()


class SecretError(Exception):
    """A reference that cannot be resolved; the message names the reference, never a value."""


class Secret:
    """A secret value that does not print itself."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str) -> None:
        self._value = value
        self.source = source  # "$GRAFANA_TOKEN" or "file /run/secrets/x": safe to show
        remember(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret(from {self.source})"

    __str__ = __repr__

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@attrs.frozen
class SecretRef:
    """Where a secret comes from: an environment variable or a file."""

    env: str | None = None
    file: str | None = None

    def describe(self) -> str:
        return f"${self.env}" if self.env else f"file {self.file}"

    def resolve(self, base: Path | None = None) -> Secret:
        """The secret: remembered, so that every later output is scrubbed of it."""
        return Secret(self.read(base), self.describe())

    def read(self, base: Path | None = None) -> str:
        """The referenced text as it is (for values that are references but not secrets, such as a URL)."""
        if self.env:
            value = os.environ.get(self.env)
            if value is None:
                raise SecretError(f"environment variable {self.env} is not set; export it before running dash")
            if not value:
                raise SecretError(f"environment variable {self.env} is empty")
            return value
        path = Path(self.file).expanduser()
        if base is not None and not path.is_absolute():
            path = base / path
        try:
            value = path.read_text(encoding="utf-8").rstrip("\r\n")  # editors and `echo` add a final newline
        except OSError as exc:
            raise SecretError(f"cannot read secret file {path}: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise SecretError(f"secret file {path} is not UTF-8 text (byte {exc.start}); a token or password is "
                              "text: write it as UTF-8") from None
        if not value:
            raise SecretError(f"secret file {path} is empty")
        return value


def encodings(value: str) -> set[str]:
    """The forms a secret takes in text we might print: as it is, URL-encoded, base64 (and JSON-escaped)."""
    forms = {value, quote(value, safe=""), quote_plus(value), base64.b64encode(value.encode()).decode(),
             base64.urlsafe_b64encode(value.encode()).decode(), json.dumps(value)[1:-1]}
    return {f for f in forms | {f.rstrip("=") for f in forms} if len(f) >= 4}  # shorter would redact words


def remember(value: str) -> None:
    """Scrub `value`, in each of its encodings, from everything printed from now on (`redact`)."""
    with _lock:
        _seen.update(encodings(value))


def redact(text: str) -> str:
    """`text` with every secret value resolved so far replaced by ****."""
    with _lock:
        values = sorted(_seen, key=len, reverse=True)
    for value in values:
        if value in text:
            text = text.replace(value, "****")
    return text
