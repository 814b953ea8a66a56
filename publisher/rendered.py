"""One rendered dashboard: its Grafana JSON as the bytes of its file, compressed, and where it was declared.

The compressed bytes are what is kept: a cache entry stores them as they are,
and a file is written from them. They are a tenth of the file and a thirtieth
of the decoded JSON, so a build of 10,000 dashboards holds about 20 MB of
them. `encoded` (the file's bytes) and `json` are made on each use, so a
caller may change what it gets without changing the dashboard.
"""

from __future__ import annotations

import zlib
from pathlib import PurePosixPath
from typing import Any

import attrs

from .dashboard_json import walk_panels

DASHBOARD = "dashboard"
SAVED_QUERIES_FALLBACK = "saved-queries-fallback"  # stands in for the query library
PACK_LEVEL = 1  # zlib's fastest: dashboards' JSON still shrinks about tenfold


def pack(data: bytes) -> bytes:
    """A file's bytes as kept in memory and in the module cache (deterministic: the same bytes, the same pack)."""
    return zlib.compress(data, PACK_LEVEL)


def unpack(packed: bytes) -> bytes:
    return zlib.decompress(packed)


@attrs.frozen
class Rendered:
    uid: str
    title: str
    folder: str
    packed: bytes = attrs.field(repr=False)  # pack() of the file's bytes (output.json_bytes)
    source: str  # file:line that declared it
    datasources: tuple[str, ...] = ()  # uids of the datasources it uses
    panel_sources: dict[int, str] = attrs.field(factory=dict, eq=False, repr=False)  # panel id -> file:line
    role: str = DASHBOARD

    @property
    def encoded(self) -> bytes:
        """The file's bytes."""
        return unpack(self.packed)

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
