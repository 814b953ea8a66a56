"""Where imported dashboards come from: anything that yields dashboard JSON.

A source has a `name` (what messages call it) and `read()`, which gives the `Imported` dashboards it
holds or raises `ImportFailed` with a one-line message. `FileSource` reads a JSON file: a bare
dashboard, an export (with `__inputs`, `__requires`, `__elements`) or an API envelope
(`{"dashboard": ..., "meta": ...}`, what `GET /api/dashboards/uid/U` returns). A live Grafana
(`--env E --uid U`) or grafana.com (an id) would be another class with the same two members.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Protocol

import attrs


class ImportFailed(Exception):
    """Bad input for `dash import`: the message names the file and what to do."""


@attrs.frozen
class Imported:
    """One dashboard as its source gave it."""

    source: str  # the file (or other source) it came from, for messages
    dashboard: dict[str, Any]  # the dashboard model itself (the envelope's `dashboard`)
    inputs: tuple[dict[str, Any], ...] = ()  # an export's `__inputs`
    folder: str | None = None  # the envelope's meta.folderTitle, when it has one


class Source(Protocol):
    name: str

    def read(self) -> list[Imported]: ...


def _is_dashboard(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("title"), str) and (
        isinstance(obj.get("panels"), list) or isinstance(obj.get("rows"), list))


def unwrap(obj: Any, name: str) -> Imported:
    """The dashboard in a decoded JSON document: bare, an export, or an API envelope."""
    meta: dict[str, Any] = {}
    if isinstance(obj, dict) and isinstance(obj.get("dashboard"), dict):
        meta = obj.get("meta") if isinstance(obj.get("meta"), dict) else {}
        obj = obj["dashboard"]
    if not _is_dashboard(obj):
        raise ImportFailed(f"{name}: not a Grafana dashboard (no title and panels or rows); give a dashboard's "
                           "JSON: an export, the JSON model from the dashboard settings, or an API response")
    inputs = obj.get("__inputs") if isinstance(obj.get("__inputs"), list) else []
    folder = meta.get("folderTitle") if isinstance(meta.get("folderTitle"), str) else None
    return Imported(name, obj, tuple(i for i in inputs if isinstance(i, dict)), folder or None)


@attrs.frozen
class FileSource:
    path: Path

    @property
    def name(self) -> str:
        return str(self.path)

    def read(self) -> list[Imported]:
        if self.path.is_dir():
            raise ImportFailed(f"{self.name}: is a directory; give the dashboard JSON files in it "
                               f"({self.name}/*.json)")
        try:
            text = self.path.read_bytes()
        except FileNotFoundError:
            raise ImportFailed(f"{self.name}: no such file; give the path of a dashboard JSON file") from None
        except OSError as exc:
            raise ImportFailed(f"{self.name}: cannot be read ({exc.strerror or exc}); check the path and its "
                               "permissions") from None
        try:
            obj = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            where = f" at line {exc.lineno}" if isinstance(exc, json.JSONDecodeError) else ""
            raise ImportFailed(f"{self.name}: not JSON{where} ({exc.msg if hasattr(exc, 'msg') else exc}); "
                               "give a dashboard's JSON file") from None
        return [unwrap(obj, self.name)]


def sources(arguments: list[str]) -> list[Source]:
    """The sources the command line names: grafana.com/ID[@REVISION], else a JSON file."""
    from .live import GrafanaComSource

    return [GrafanaComSource.parse(a) or FileSource(Path(a)) for a in arguments]
