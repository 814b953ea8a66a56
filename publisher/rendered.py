"""One rendered dashboard: its Grafana JSON as the bytes of its file, and where it was declared.

The bytes are what is kept: a file is written from them, a cache entry
stores them, and they are a third of the size of the decoded JSON. `json`
decodes them on each use, so a caller may change what it gets without
changing the dashboard.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import attrs

from .dashboard_json import walk_panels

DASHBOARD = "dashboard"
SAVED_QUERIES_FALLBACK = "saved-queries-fallback"  # stands in for the query library


@attrs.frozen
class Rendered:
    uid: str
    title: str
    folder: str
    encoded: bytes = attrs.field(repr=False)  # the file's bytes (output.json_bytes)
    source: str  # file:line that declared it
    datasources: tuple[str, ...] = ()  # uids of the datasources it uses
    panel_sources: dict[int, str] = attrs.field(factory=dict, eq=False, repr=False)  # panel id -> file:line
    role: str = DASHBOARD

    @property
    def json(self) -> dict[str, Any]:
        import orjson

        return orjson.loads(self.encoded)

    @property
    def relpath(self) -> PurePosixPath:
        return PurePosixPath(*self.folder.split("/"), f"{self.uid}.json")

    @property
    def panel_count(self) -> int:
        return sum(1 for at in walk_panels(self.json) if at.panel.get("type") != "row")
