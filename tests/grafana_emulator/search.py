"""GET /api/search (behaviour.md §2): folders and dashboards, filtered, sorted and paged."""

from __future__ import annotations

import time
from typing import Any

from .model import Org, err, slugify


def _folder_hits(org: Org, text: str, uids: set[str], folders: list[str] | None,
                 nesting: bool = True) -> list[dict[str, Any]]:
    """Folders; with nesting off (11.6's toggle) every folder is at the root."""
    hits = []
    for f in org.folders.values():
        parent_uid = f.parent_uid if nesting else ""
        if text in f.title.lower() and (not uids or f.uid in uids) and \
                (folders is None or parent_uid in folders):
            hit = {"id": f.id, "uid": f.uid, "orgId": org.id, "title": f.title,
                   "uri": f"db/{slugify(f.title)}", "url": f"/dashboards/f/{f.uid}/{slugify(f.title)}",
                   "slug": "", "type": "dash-folder", "tags": [], "isStarred": False, "sortMeta": 0,
                   "isDeleted": False}
            if parent_uid:
                parent = org.folders[parent_uid]
                hit.update({"folderId": parent.id, "folderUid": parent.uid, "folderTitle": parent.title,
                            "folderUrl": f"/dashboards/f/{parent.uid}/{slugify(parent.title)}"})
            hits.append(hit)
    return hits


def _dashboard_hits(org: Org, text: str, tags: list[str], uids: set[str],
                    folders: list[str] | None) -> list[dict[str, Any]]:
    hits = []
    moment = time.monotonic()
    for d in org.dashboards.values():
        if d.searchable_at > moment:  # unified storage: not yet indexed (modes.py)
            continue
        dtags = d.json.get("tags") or []
        title = d.json.get("title", "")
        if text and text not in title.lower():
            continue
        if not all(t in dtags for t in tags) or (uids and d.uid not in uids):
            continue
        if folders is not None and d.folder_uid not in folders:
            continue
        slug = slugify(title)
        hit = {"id": d.id, "uid": d.uid, "orgId": org.id, "title": title, "uri": f"db/{slug}",
               "url": f"/d/{d.uid}/{slug}", "slug": "", "type": "dash-db", "tags": list(dtags),
               "isStarred": False, "sortMeta": 0, "isDeleted": False}
        folder = org.folders.get(d.folder_uid)
        if folder is not None:  # root dashboards omit the folder keys
            hit.update({"folderId": folder.id, "folderUid": folder.uid, "folderTitle": folder.title,
                        "folderUrl": f"/dashboards/f/{folder.uid}/{slugify(folder.title)}"})
        hits.append(hit)
    return hits


class SearchEndpoints:
    """The /api/search handler of the request handler (server.py)."""

    def h_search(self, user, org: Org, query, body):
        try:
            limit = int((query.get("limit") or ["1000"])[0])
        except ValueError:
            limit = 1000  # a non-numeric value falls back to the default
        if limit > 5000:
            return 422, err("Limit is above maximum allowed (5000), use page parameter to access hits beyond limit")
        try:
            page = max(1, int((query.get("page") or ["1"])[0]))
        except ValueError:
            page = 1
        if query.get("dashboardIds") and (query.get("dashboardUIDs") or query.get("dashboardUID")):
            return 400, err("search supports UIDs or IDs, not both")
        text = (query.get("query") or [""])[0].lower()
        tags = query.get("tag") or []
        kind = (query.get("type") or [""])[0]
        uids = set((query.get("dashboardUIDs") or []) + (query.get("dashboardUID") or []))
        folders = query.get("folderUIDs")
        hits = []
        if kind in ("", "dash-folder") and not tags:
            hits += _folder_hits(org, text, uids, folders, self.app.grafana.nesting())
        if kind in ("", "dash-db"):
            hits += _dashboard_hits(org, text, tags, uids, folders)
        reverse = (query.get("sort") or ["alpha-asc"])[0] == "alpha-desc"
        hits.sort(key=lambda h: (h["title"].lower(), h["uid"]), reverse=reverse)
        start = (page - 1) * limit
        return 200, hits[start:start + limit]
