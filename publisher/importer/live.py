"""Dashboards to import from a running Grafana (`--env E` with `--uid`, `--folder` or `--all`) and from
grafana.com (`grafana.com/1860`, `grafana.com/1860@41`): sources with the `name` and `read()` of
`sources.Source`, so that the rest of the import does not know where a dashboard came from.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from ..model import MANAGED_TAG
from .sources import Imported, ImportFailed, unwrap

GRAFANA_COM = re.compile(r"^(?:https?://)?grafana\.com/(?:grafana/dashboards/|api/dashboards/)?(\d+)(?:@(\d+))?/?$")


@attrs.frozen
class LiveSource:
    """Dashboards of one environment's Grafana, read through the API path its probe chose (/api or /apis)."""

    target: Any  # a connected targets.server.ServerTarget
    env: str
    uids: tuple[str, ...] = ()
    folder: str | None = None  # a folder's title or uid
    unmanaged: bool = False  # --all: every dashboard dash does not manage
    root: str | None = None  # the environment's `folder:`: paths below it are given relative to it, as in code

    @property
    def name(self) -> str:
        return f"env {self.env}"

    def _wanted(self) -> list[str]:
        if self.uids:
            return list(self.uids)
        hits = self.target.search.search(type_="dash-db")
        if self.folder is not None:
            hits = [h for h in hits if self.folder in (h.get("folderTitle"), h.get("folderUid"))]
            if not hits:
                raise ImportFailed(f"env {self.env}: no dashboard in a folder titled (or with uid) {self.folder!r}")
        if self.unmanaged:
            hits = [h for h in hits if MANAGED_TAG not in (h.get("tags") or [])]
        return sorted({h["uid"] for h in hits if h.get("uid")})

    def read(self) -> list[Imported]:
        out = []
        paths: dict[str, str] | None = None
        for uid in self._wanted():
            envelope = self.target.dashboards.get(uid)
            if envelope is None:
                raise ImportFailed(f"env {self.env}: no dashboard with uid {uid!r} (`dash import --env {self.env} "
                                   "--all` imports every dashboard dash does not manage)")
            folder_uid = (envelope.get("meta") or {}).get("folderUid") or ""
            if folder_uid and paths is None:
                paths = folder_paths(self.target.search.search(type_="dash-folder"))
            imported = unwrap(envelope, f"env {self.env} dashboard {uid}")
            # The folder as the SDK's path ("Platform/API"); /apis answers only a uid, and /api only the title.
            out.append(attrs.evolve(imported, folder=self._relative((paths or {}).get(folder_uid))))
        return out

    def _relative(self, path: str | None) -> str | None:
        if path and self.root and path.startswith(self.root + "/"):
            return path[len(self.root) + 1:]
        return None if path == self.root else path


def folder_paths(hits: list[dict[str, Any]]) -> dict[str, str]:
    """Folder uid -> its path of titles from the top ("Platform/API"), from the folders' search hits."""
    by_uid = {h["uid"]: h for h in hits if h.get("uid")}

    def path(uid: str, seen: frozenset[str] = frozenset()) -> str:
        hit = by_uid[uid]
        parent = hit.get("folderUid") or ""
        title = str(hit.get("title") or uid)
        return f"{path(parent, seen | {uid})}/{title}" if parent in by_uid and parent not in seen else title
    return {uid: path(uid) for uid in by_uid}


@attrs.define
class GrafanaComSource:
    """A grafana.com dashboard at a revision (the latest when none is given), downloaded now; `pin` is then
    the GrafanaCom(...) declaration that would fetch exactly this file at build time."""

    id: int
    revision: int | None = None
    pin: str | None = None

    @classmethod
    def parse(cls, text: str) -> "GrafanaComSource | None":
        match = GRAFANA_COM.match(text.strip())
        return cls(int(match[1]), int(match[2]) if match[2] else None) if match else None

    @property
    def name(self) -> str:
        return f"grafana.com/{self.id}" + (f"@{self.revision}" if self.revision else "")

    def read(self) -> list[Imported]:
        import orjson

        from .. import grafana_com

        try:
            revision = self.revision or grafana_com.latest_revision(self.id)
            data = grafana_com.download(self.id, revision)
        except (grafana_com.GrafanaComError, grafana_com.Unavailable) as exc:
            raise ImportFailed(f"{self.name}: {exc}") from None
        try:
            obj = orjson.loads(data)
        except orjson.JSONDecodeError as exc:
            raise ImportFailed(f"{self.name}: grafana.com answered something that is not JSON ({exc})") from None
        self.pin = f'GrafanaCom({self.id}, revision={revision}, sha256="{grafana_com.bytes_hash(data)}")'
        return [unwrap(obj, f"grafana.com/{self.id}@{revision}")]
