"""dash.yaml: where the dashboards live and the environments to publish to.

Errors name the file, the key and the fix. Unknown keys are refused rather
than ignored, so that a typo cannot silently change what is published.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import attrs

DEFAULT_FILE = "dash.yaml"
TOP_LEVEL_KEYS = {"dashboards", "environments"}


class ConfigError(Exception):
    """A problem in dash.yaml, worded for the person who edits it."""


@attrs.frozen
class Config:
    path: Path | None  # None when no file exists and defaults apply
    dashboards: Path | None = None  # None = the built-in dashboards
    raw_environments: dict[str, Any] = attrs.field(factory=dict)


def _read_yaml(path: Path) -> Any:
    import yaml

    try:
        return yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{path}{where}: not valid YAML: {problem}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc.strerror}") from None


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    """Load `path`, or ./dash.yaml when it exists, or return the defaults."""
    explicit = path is not None
    file = Path(path) if explicit else Path(DEFAULT_FILE)
    if not file.exists():
        if explicit:
            raise ConfigError(f"{file}: no such configuration file (from --config or DASH_CONFIG)")
        return Config(path=None)
    data = _read_yaml(file)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{file}: the top level must be a mapping with keys such as 'environments'")
    unknown = sorted(set(data) - TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"{file}: unknown key {unknown[0]!r}; the top level may hold {', '.join(sorted(TOP_LEVEL_KEYS))}"
        )
    dashboards = data.get("dashboards")
    if dashboards is not None and not isinstance(dashboards, str):
        raise ConfigError(f"{file}: 'dashboards' must be a directory path, relative to {file.name}")
    envs = data.get("environments") or {}
    if not isinstance(envs, dict):
        raise ConfigError(f"{file}: 'environments' must be a mapping of environment names to settings")
    base = file.resolve().parent
    return Config(
        path=file,
        dashboards=(base / dashboards) if dashboards else None,
        raw_environments=envs,
    )
