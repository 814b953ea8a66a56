"""Reading dash.yaml's values: each check names the file and the key path, and says what was found."""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any

from .secrets import SecretRef

SECRET_HINT = "{env: VARIABLE_NAME} or {file: /path/to/secret}"
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
KEY_LIKE = re.compile(r"^[A-Za-z0-9_+=-]+$")


class ConfigError(Exception):
    """A problem in dash.yaml, worded for the person who edits it; `file` and `key` say where (for JSON)."""

    def __init__(self, message: str, file: str | None = None, key: str | None = None,
                 line: int | None = None) -> None:
        super().__init__(message)
        self.file, self.key, self.line = file, key, line


class Reader:
    """Checks one file's values, naming the key path in every error."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def fail(self, path: str, message: str) -> ConfigError:
        return ConfigError(f"{self.file}: {path}: {message}", str(self.file), path or None)

    def mapping(self, value: Any, path: str, allowed: tuple[str, ...] | None = None) -> dict[str, Any]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(path, f"must be a mapping, got {kind_of(value)}")
        if allowed is not None:
            for key in value:
                if key not in allowed:
                    close = difflib.get_close_matches(str(key), allowed, n=1)
                    hint = f"did you mean {close[0]!r}?" if close else f"allowed keys: {', '.join(allowed)}"
                    raise self.fail(f"{path}.{key}" if path else str(key), f"unknown key; {hint}")
        return value

    def string(self, value: Any, path: str, required: bool = False) -> str | None:
        if value is None:
            if required:
                raise self.fail(path, "is required")
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(path, f"must be a non-empty string, got {kind_of(value)}")
        return value

    def boolean(self, value: Any, path: str, default: bool) -> bool:
        if value is None:
            return default
        if not isinstance(value, bool):
            raise self.fail(path, f"must be true or false, got {kind_of(value)}")
        return value

    def number(self, value: Any, path: str, default: float, minimum: float, integer: bool = False) -> Any:
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            kind = "a whole number" if integer else "a number"
            raise self.fail(path, f"must be {kind}, got {kind_of(value)}")
        if value < minimum:
            raise self.fail(path, f"must be at least {minimum}, got {value}")
        return value

    def strings(self, value: Any, path: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(path, f"must be a list of strings, got {kind_of(value)}")
        return tuple(value)

    def secret(self, value: Any, path: str) -> SecretRef:
        if isinstance(value, str):
            raise self.fail(path, "a secret written inline is refused (it would live in Git); reference it instead: "
                            f"{SECRET_HINT}")
        ref = self.mapping(value, path, ("env", "file"))
        if len(ref) != 1:
            raise self.fail(path, f"give exactly one of env or file: {SECRET_HINT}")
        (kind, target), = ref.items()
        if not isinstance(target, str) or not target:
            raise self.fail(f"{path}.{kind}", "must be a non-empty string")
        if looks_like_a_secret(target) or (kind == "env" and not ENV_NAME.match(target)):
            # Never echo it: someone pasted the secret where its name belongs.
            what = "an environment variable name" if kind == "env" else "a file path"
            raise self.fail(f"{path}.{kind}", f"is not {what}: it looks like a secret itself (not shown); put the "
                            f"secret in the environment or a file, and write {what} here instead")
        return SecretRef(env=target) if kind == "env" else SecretRef(file=target)


def looks_like_a_secret(text: str) -> bool:
    """A Grafana token (glsa_..., glc_..., eyJ... JWTs) or a long run of key-like characters with no path in it."""
    return text.startswith(("glsa_", "glc_", "glsc_", "eyJ")) or (len(text) >= 32 and bool(KEY_LIKE.match(text)))


def kind_of(value: Any) -> str:
    return {dict: "a mapping", list: "a list", str: f"the string {value!r}", bool: f"{value}".lower(),
            type(None): "nothing"}.get(type(value), f"{value!r}")


