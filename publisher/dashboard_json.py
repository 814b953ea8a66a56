"""Rules of Grafana's dashboard model that several parts of dash apply: one place for each.

- `walk_panels`: every panel of a dashboard's JSON, with its path and the row it
  sits in, panels nested in collapsed rows included, and the panels of the
  pre-5.0 layout (`rows[].panels[]`, which Grafana's DashboardMigrator turns
  into a grid for schemaVersion < 16);
- `UID` / `uid_problem`: Grafana's rule for uids (`pkg/util/shortid_generator.go`:
  `[a-zA-Z0-9_-]`, at most 40 characters);
- `COLUMNS`, `fits_grid`, `overlaps`: the 24-column grid.

It imports nothing of dash, so the SDK, lint, the diff and the build can all use it.
"""

from __future__ import annotations

import re
from typing import Any, Iterator, NamedTuple

COLUMNS = 24
UID = re.compile(r"^[a-zA-Z0-9_-]{1,40}$")


class PanelAt(NamedTuple):
    """One panel, where it is (`("panels", 3, "panels", 0)`) and its row (None at the top level).

    In the pre-5.0 layout the path is `("rows", 0, "panels", 2)` and `row` the old row object
    (no `type`, no `gridPos`: its panels have a `span` instead)."""

    panel: dict[str, Any]
    path: tuple[Any, ...]
    row: dict[str, Any] | None

    @property
    def legacy(self) -> bool:
        """Whether the panel sits in the pre-5.0 `rows` layout."""
        return self.path[0] == "rows"


def walk_panels(dashboard: dict[str, Any]) -> Iterator[PanelAt]:
    """Every panel and row in order; a row's own `panels` (collapsed rows) follow the row; then the
    panels of the pre-5.0 `rows` (the old rows themselves are not panels and are not yielded)."""
    panels = dashboard.get("panels") if isinstance(dashboard, dict) else None
    for i, panel in enumerate(panels if isinstance(panels, list) else []):
        if not isinstance(panel, dict):
            continue
        yield PanelAt(panel, ("panels", i), None)
        children = panel.get("panels") if panel.get("type") == "row" else None
        for j, child in enumerate(children if isinstance(children, list) else []):
            if isinstance(child, dict):
                yield PanelAt(child, ("panels", i, "panels", j), panel)
    rows = dashboard.get("rows") if isinstance(dashboard, dict) else None
    for i, row in enumerate(rows if isinstance(rows, list) else []):
        children = row.get("panels") if isinstance(row, dict) else None
        for j, child in enumerate(children if isinstance(children, list) else []):
            if isinstance(child, dict):
                yield PanelAt(child, ("rows", i, "panels", j), row)


def panel_ids(dashboard: dict[str, Any]) -> dict[str, int]:
    """Panel title -> panel id (the first panel of a title), rows left out: what links to a panel need."""
    ids: dict[str, int] = {}
    for at in walk_panels(dashboard):
        panel = at.panel
        if panel.get("type") != "row" and panel.get("title") and "id" in panel:
            ids.setdefault(panel["title"], panel["id"])
    return ids


def uid_problem(uid: Any) -> str | None:
    """Why Grafana would refuse `uid`, or None."""
    if not isinstance(uid, str) or not uid:
        return "is empty"
    if len(uid) > 40:
        return "is longer than 40 characters"
    if not UID.match(uid):
        return "has characters outside [a-zA-Z0-9_-]"
    return None


def fits_grid(x: Any, y: Any, w: Any, h: Any) -> bool:
    """Whether a gridPos lies on the grid: whole numbers, x >= 0, w and h >= 1, x + w <= 24."""
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y, w, h)):
        return False
    return x >= 0 and y >= 0 and w >= 1 and h >= 1 and x + w <= COLUMNS


def overlaps(a: dict[str, int], b: dict[str, int]) -> bool:
    """Whether two gridPos rectangles share a cell."""
    apart_x = a["x"] >= b["x"] + b["w"] or b["x"] >= a["x"] + a["w"]
    apart_y = a["y"] >= b["y"] + b["h"] or b["y"] >= a["y"] + a["h"]
    return not (apart_x or apart_y)
