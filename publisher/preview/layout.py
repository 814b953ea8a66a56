"""Where Grafana draws each panel of a classic dashboard JSON (schemaVersion 39-42), in pixels.

Grafana's grid (public/app/core/constants.ts, grafana/grafana at d005d6c9):
`GRID_CELL_HEIGHT = 30`, `GRID_CELL_VMARGIN = 8`, `GRID_COLUMN_COUNT = 24`, handed to react-grid-layout as
`rowHeight`, `margin=[VMARGIN, VMARGIN]`, `cols` and `containerPadding=[0, 0]` (DashboardGrid.tsx, and the
same in the scenes grid, SceneGridLayoutRenderer). react-grid-layout's calcGridItemPosition turns a gridPos
into pixels (below, `_pixels`), and its vertical compaction moves every panel up while the space above it is
free, then down past any panel it overlaps (`_compact`): what Grafana shows is the compacted layout.

A panel without a usable gridPos gets Grafana's default, key by key (PanelModel's `defaults`:
`gridPos: {x: 0, y: 0, h: 3, w: 6}`, applied with lodash defaultsDeep), and is then compacted like any
other: it lands in the first free place of its column. Such boxes say so (`defaulted`).
"""

from __future__ import annotations

from typing import Any

import attrs

from ..dashboard_json import COLUMNS, walk_panels

GRID_CELL_HEIGHT = 30
GRID_CELL_VMARGIN = 8
GRID_COLUMN_COUNT = COLUMNS  # 24
DEFAULT_GRID_POS = {"x": 0, "y": 0, "w": 6, "h": 3}
PAGE_WIDTH = 1200  # px for the 24 columns: about a laptop's Grafana
QUERY_FIELDS = ("expr", "query", "rawSql")  # PromQL and LogQL, most others, SQL datasources


@attrs.frozen
class Query:
    ref_id: str
    text: str


@attrs.frozen
class Box:
    """One panel or row as drawn: grid cell (after compaction) and pixels; a collapsed row's hidden panels."""

    key: str  # the panel's id as text ("" when it has none): the page's data-panel-id
    title: str
    type: str
    unit: str | None
    queries: tuple[Query, ...]
    x: int
    y: int
    w: int
    h: int
    left: int
    top: int
    width: int
    height: int
    row: bool = False
    collapsed: bool = False
    hidden: tuple[str, ...] = ()  # titles of the panels a collapsed row holds
    defaulted: bool = False  # no usable gridPos: placed with Grafana's default


@attrs.frozen
class Layout:
    """A dashboard's boxes in drawing order; `owner` maps each panel's walk path (dashboard_json.walk_panels)
    to the index of the box that shows it (a collapsed row's panels: the row's box)."""

    uid: str
    title: str
    boxes: tuple[Box, ...]
    width: int
    height: int
    owner: dict[tuple[Any, ...], int] = attrs.field(eq=False, repr=False)
    notes: tuple[str, ...] = ()


def _int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:  # NaN
        return None
    return int(value)


def grid_of(panel: dict[str, Any]) -> tuple[dict[str, int], bool]:
    """The panel's gridPos with Grafana's defaults for missing or unusable keys, kept on the grid the way
    react-grid-layout's correctBounds does (too far right: moved left; left of 0: x 0); rows span the
    width and are one unit high (a row header, whatever its gridPos says). Also: whether a default was used."""
    raw = panel.get("gridPos")
    raw = raw if isinstance(raw, dict) else {}
    grid, defaulted = {}, not raw
    for key, default in DEFAULT_GRID_POS.items():
        value = _int(raw.get(key))
        low = 1 if key in ("w", "h") else 0
        if value is None or value < low:
            value, defaulted = default, True
        grid[key] = value
    grid["w"] = min(grid["w"], GRID_COLUMN_COUNT)
    if panel.get("type") == "row":
        grid.update(x=0, w=GRID_COLUMN_COUNT, h=1)
    if grid["x"] + grid["w"] > GRID_COLUMN_COUNT:
        grid["x"] = GRID_COLUMN_COUNT - grid["w"]
    return grid, defaulted


def _collides(a: dict[str, int], b: dict[str, int]) -> bool:
    return not (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"] or b["y"] + b["h"] <= a["y"])


def _beside(a: dict[str, int], b: dict[str, int]) -> bool:
    """Whether two items share a column."""
    return not (a["x"] + a["w"] <= b["x"] or b["x"] + b["w"] <= a["x"])


def _compact(grids: list[dict[str, int]]) -> list[dict[str, int]]:
    """react-grid-layout's vertical compaction (utils.js compact/compactItem): in (y, x) order, each item
    rises while nothing is above it, then drops below whatever it overlaps."""
    order = sorted(range(len(grids)), key=lambda i: (grids[i]["y"], grids[i]["x"]))  # stable, like theirs
    placed: list[dict[str, int]] = []
    out: list[dict[str, int]] = [{} for _ in grids]
    for i in order:
        item = dict(grids[i])
        item["y"] = min(max((p["y"] + p["h"] for p in placed), default=0), item["y"])
        if not any(_collides(item, p) for p in placed):
            # their `while (y > 0 && !collides) y--`, then the drop below what it hit, in one step (a gridPos
            # a billion units down must not take a billion steps): the lowest bottom above it in its columns
            item["y"] = max((p["y"] + p["h"] for p in placed if _beside(item, p) and p["y"] + p["h"] <= item["y"]),
                            default=0)
        hit = next((p for p in placed if _collides(item, p)), None)
        while hit is not None:
            item["y"] = hit["y"] + hit["h"]
            hit = next((p for p in placed if _collides(item, p)), None)
        placed.append(item)
        out[i] = item
    return out


def _pixels(grid: dict[str, int], page_width: int) -> tuple[int, int, int, int]:
    """react-grid-layout's calcGridItemPosition with containerPadding 0: (left, top, width, height)."""
    margin = GRID_CELL_VMARGIN
    column = (page_width - margin * (GRID_COLUMN_COUNT - 1)) / GRID_COLUMN_COUNT
    left = round((column + margin) * grid["x"])
    top = round((GRID_CELL_HEIGHT + margin) * grid["y"])
    width = round(column * grid["w"] + max(0, grid["w"] - 1) * margin)
    height = round(GRID_CELL_HEIGHT * grid["h"] + max(0, grid["h"] - 1) * margin)
    return left, top, width, height


def queries_of(panel: dict[str, Any]) -> tuple[Query, ...]:
    """Each target's query text (expr, query or rawSql) with its refId; targets without text left out."""
    targets = panel.get("targets")
    out = []
    for i, target in enumerate(targets if isinstance(targets, list) else []):
        if not isinstance(target, dict):
            continue
        text = next((target[f] for f in QUERY_FIELDS if isinstance(target.get(f), str) and target[f].strip()), None)
        if text is not None:
            out.append(Query(str(target.get("refId") or chr(ord("A") + i % 26)), text))
    return tuple(out)


def _unit(panel: dict[str, Any]) -> str | None:
    field_config = panel.get("fieldConfig")
    defaults = field_config.get("defaults") if isinstance(field_config, dict) else None
    unit = defaults.get("unit") if isinstance(defaults, dict) else None
    return unit if isinstance(unit, str) and unit else None


def _title(panel: dict[str, Any]) -> str:
    title = panel.get("title")
    return str(title) if title not in (None, "") else ""


def layout(dashboard: dict[str, Any], page_width: int = PAGE_WIDTH) -> Layout:
    """The boxes Grafana draws for `dashboard`: top-level panels and rows on the grid, compacted; the panels
    of a collapsed row listed on its box (Grafana draws them only when the row is opened)."""
    dashboard = dashboard if isinstance(dashboard, dict) else {}
    tops: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    hidden: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], dict[str, Any]]]] = {}
    legacy = 0
    for at in walk_panels(dashboard):
        if at.legacy:
            legacy += 1
        elif at.row is None:
            tops.append((at.path, at.panel))
        elif at.row.get("collapsed"):
            hidden.setdefault(at.path[:2], []).append((at.path, at.panel))
        # an open row's own `panels` list: Grafana ignores it (it draws the panels that follow the row)
    grids = [grid_of(panel) for _, panel in tops]
    compacted = _compact([grid for grid, _ in grids])
    boxes, owner = [], {}
    for index, ((path, panel), (_, defaulted), grid) in enumerate(zip(tops, grids, compacted)):
        row = panel.get("type") == "row"
        inside = hidden.get(path, []) if row and panel.get("collapsed") else []
        boxes.append(Box(
            str(panel["id"]) if _int(panel.get("id")) is not None else "", _title(panel),
            str(panel.get("type") or "panel"), _unit(panel), queries_of(panel), **grid,
            **dict(zip(("left", "top", "width", "height"), _pixels(grid, page_width))),
            row=row, collapsed=bool(row and panel.get("collapsed")), hidden=tuple(_title(p) for _, p in inside),
            defaulted=defaulted and not row))
        owner[path] = index
        owner.update((child_path, index) for child_path, _ in inside)
    notes = [f"{legacy} panel(s) in the pre-5.0 `rows` layout are not drawn (Grafana migrates them on load)"
             ] if legacy else []
    height = max((b.top + b.height for b in boxes), default=0)
    return Layout(str(dashboard.get("uid") or ""), _title(dashboard), tuple(boxes), page_width, height, owner,
                  tuple(notes))
