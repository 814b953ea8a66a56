"""A dashboard of any schemaVersion (14 and up) as Grafana has it once loaded: schemaVersion 42.

The steps, each what Grafana does (public/app/features/dashboard/state/):

1. an export's `__inputs` resolved (what Grafana's import does with them, pkg/services/dashboardimport/
   utils/dash_template_evaluator.go, the substitution of publisher/dashboard_inputs.py: `${DS_X}` is the datasource
   the user picks, a constant input its value). Offline there is nobody to pick, so a datasource
   input that the dashboard refers to becomes a datasource variable of that name and plugin type:
   the choice stays the viewer's, and no uid is invented;
2. the pre-5.0 `rows` layout to panels on the grid (`DashboardMigrator.upgradeToGridLayout`,
   schemaVersion 16): spans to widths, pixel heights to grid rows, a row panel per row when any row
   is collapsed, repeated or shows its title, a collapsed row's panels inside it. Grafana does it
   below schemaVersion 16 only and ignores `rows` after; dash converts non-empty `rows` whatever
   the version, so that their panels are not dropped;
3. datasource names to references (`migrateDatasourceNameToRef`, schemaVersion 33): offline no
   instance is known, so a name becomes `{"uid": name}`, which is what Grafana does for a name it
   cannot find (and its DatasourceSrv looks a uid up by name too, so it is the same datasource);
   `null` and "default" stay the default datasource. A name left in a later schema (hand-written
   JSON) is read the same way;
4. Angular panels to their successors (`getPanelPluginToMigrateTo` and the plugins' change handlers:
   angular.py);
5. a hidden legend as `showLegend: false` (schemaVersion 37), and before schemaVersion 14 the shared
   crosshair as `graphTooltip`;
6. unique panel ids (`DashboardModel.ensurePanelsHaveUniqueIds`: a missing or repeated id gets the
   next one above the highest), and the top-level panels in grid order (`sortPanelsByGridPos`);
7. the defaults `DashboardModel`'s constructor gives missing top-level keys, and the built-in
   annotation (`addBuiltInAnnotationQuery`: modernise.BUILTIN_ANNOTATION, the SDK's copy of it).

Other load migrations of DashboardMigrator (CloudWatch queries, the old value mappings before
schemaVersion 30, variable `tags`...) are not applied: those values stay as written.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ..dashboard_inputs import fill_inputs as filled
from ..sdk.modernise import BUILTIN_ANNOTATION, SCHEMA_VERSION
from .angular import convert as convert_angular

# DashboardMigrator's grid constants (public/app/core/constants.ts).
GRID_CELL_HEIGHT, GRID_CELL_VMARGIN, GRID_COLUMN_COUNT = 30, 8, 24
DEFAULT_ROW_HEIGHT, DEFAULT_PANEL_SPAN, MIN_PANEL_HEIGHT = 250, 4, GRID_CELL_HEIGHT * 3
# PanelModel's default gridPos, for a panel that has none.
DEFAULT_GRID_POS = {"x": 0, "y": 0, "h": 3, "w": 6}
# What DashboardModel's constructor gives a key the JSON lacks.
MODEL_DEFAULTS: dict[str, Any] = {
    "editable": True, "graphTooltip": 0, "links": [], "tags": [], "time": {"from": "now-6h", "to": "now"},
    "timepicker": {}, "timezone": "", "refresh": "", "templating": {"list": []},
}


def resolve_inputs(dashboard: dict[str, Any], inputs: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """Step 1: constants replaced by their values; a referenced datasource input becomes a variable."""
    variables = dashboard.setdefault("templating", {}).setdefault("list", [])
    names = {v.get("name") for v in variables if isinstance(v, dict)}
    added = []
    for item in inputs:
        name, kind = item.get("name"), item.get("type")
        if not isinstance(name, str):
            continue
        if kind == "constant":  # the substitution of Grafana's import (dash_template_evaluator.go), dash's one copy
            dashboard = filled(dashboard, {"${%s}" % name: str(item.get("value", ""))})
        elif kind == "datasource" and name not in names and "${%s}" % name in repr(dashboard):
            added.append({"current": {}, "hide": 0, "includeAll": False, "label": item.get("label") or name,
                          "multi": False, "name": name, "options": [], "query": item.get("pluginId") or "",
                          "refresh": 1, "regex": "", "type": "datasource"})
    if added:
        dashboard["templating"]["list"] = added + dashboard["templating"]["list"]
    return dashboard


def _grid_height(height: Any) -> int:
    """`getGridHeight`: pixels (a number or "250px") to grid rows."""
    if isinstance(height, str):
        match = re.match(r"\s*(\d+)", height)
        height = int(match.group(1)) if match else DEFAULT_ROW_HEIGHT
    height = max(height, MIN_PANEL_HEIGHT)
    return -(-height // (GRID_CELL_HEIGHT + GRID_CELL_VMARGIN))


class _RowArea:
    """`RowArea`: how full each column of the current line of a row is."""

    def __init__(self, height: int, y: int) -> None:
        self.area, self.y, self.height = [0] * GRID_COLUMN_COUNT, y, height

    def add(self, pos: dict[str, int]) -> None:
        for i in range(pos["x"], min(pos["x"] + pos["w"], GRID_COLUMN_COUNT)):
            bottom = pos["y"] + pos["h"] - self.y
            if not self.area[i] or bottom > self.area[i]:
                self.area[i] = bottom

    def position(self, width: int, again: bool = False) -> dict[str, int] | None:
        """`getPanelPosition`: the leftmost free run at the right end that fits, else a new line."""
        start = end = None
        for i in range(len(self.area) - 1, -1, -1):
            if self.height - self.area[i] <= 0:
                break
            if end is None:
                end = i
            elif i < len(self.area) - 1 and self.area[i] <= self.area[i + 1]:
                start = i
            else:
                break
        if start is not None and end is not None and end - start >= width - 1:
            return {"x": start, "y": max(self.area[start:])}
        if again:
            return None
        self.y += self.height
        self.area = [0] * GRID_COLUMN_COUNT
        return self.position(width, True)


def upgrade_to_grid_layout(dashboard: dict[str, Any]) -> None:
    """Step 2: `DashboardMigrator.upgradeToGridLayout`."""
    rows = [r for r in dashboard.pop("rows", None) or [] if isinstance(r, dict)]
    panels = dashboard.setdefault("panels", [])
    ids = [p.get("id") for r in rows for p in r.get("panels") or []] + [p.get("id") for p in panels]
    next_id = max([i for i in ids if isinstance(i, int)] or [0]) + 1
    show_rows = any(r.get("collapse") or r.get("showTitle") or r.get("repeat") for r in rows)
    y = 0
    for row in rows:
        if row.get("repeatIteration"):
            continue
        height = _grid_height(row.get("height") or DEFAULT_ROW_HEIGHT)
        header = None
        if show_rows:
            header = {"id": next_id, "type": "row", "title": row.get("title"), "collapsed": bool(row.get("collapse")),
                      "repeat": row.get("repeat"), "panels": [], "gridPos": {"x": 0, "y": y, "w": 24, "h": height}}
            header = {k: v for k, v in header.items() if v is not None}
            next_id += 1
            y += 1
        area = _RowArea(height, y)
        for panel in row.get("panels") or []:
            span = panel.pop("span", None) or DEFAULT_PANEL_SPAN
            width = int(span) * (GRID_COLUMN_COUNT // 12)
            panel_height = _grid_height(panel.pop("height")) if panel.get("height") else height
            pos = area.position(width) or {"x": 0, "y": 0}
            y = area.y
            panel["gridPos"] = {"x": pos["x"], "y": y + pos["y"], "w": width, "h": panel_height}
            area.add(panel["gridPos"])
            panel.pop("minSpan", None)
            (header["panels"] if header is not None and header["collapsed"] else panels).append(panel)
        if header is not None:
            panels.append(header)
        if not (header is not None and header["collapsed"]):
            y += height


def _datasource_ref(value: Any) -> Any:
    """Step 3: `migrateDatasourceNameToRef` with no instance to look the name up in."""
    if value is None or value == "default":
        return None
    if isinstance(value, str):
        return {"uid": value}
    return value


def _panel(panel: dict[str, Any]) -> dict[str, Any]:
    panel = convert_angular(panel)
    # Step 3 (DashboardMigrator does it below schemaVersion 33; a name in a later schema is read the same way).
    for holder in [panel, *[t for t in panel.get("targets") or [] if isinstance(t, dict)]]:
        if "datasource" in holder:
            ref = _datasource_ref(holder["datasource"])
            if ref is None:
                del holder["datasource"]
            else:
                holder["datasource"] = ref
    legend = (panel.get("options") or {}).get("legend")
    if isinstance(legend, dict) and legend.get("displayMode") == "hidden":  # schemaVersion 37
        legend["displayMode"], legend["showLegend"] = "list", False
    if panel.get("type") == "row":
        panel["panels"] = [_panel(p) for p in panel.get("panels") or [] if isinstance(p, dict)]
    if not isinstance(panel.get("gridPos"), dict):
        panel["gridPos"] = dict(DEFAULT_GRID_POS)
    return panel


def _unique_ids(panels: list[dict[str, Any]]) -> None:
    """Step 6: `ensurePanelsHaveUniqueIds`, rows' panels included."""
    every = [p for top in panels for p in [top, *(top.get("panels") or [] if top.get("type") == "row" else [])]]
    top_id = max([p["id"] for p in every if isinstance(p.get("id"), int) and not isinstance(p["id"], bool)] or [0])
    seen: set[int] = set()
    for panel in every:
        pid = panel.get("id")
        if not isinstance(pid, int) or isinstance(pid, bool) or pid in seen:
            top_id += 1
            panel["id"] = pid = top_id
        seen.add(pid)


def _variables(dashboard: dict[str, Any]) -> None:
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        if not isinstance(variable, dict) or variable.get("type") != "query":
            continue
        if isinstance(variable.get("datasource"), str):
            variable["datasource"] = _datasource_ref(variable["datasource"])
            if variable["datasource"] is None:
                del variable["datasource"]


def migrate(dashboard: dict[str, Any], inputs: tuple[dict[str, Any], ...] = ()) -> dict[str, Any]:
    """The dashboard as Grafana has it after loading (a new dict; the argument is left as it was)."""
    out = resolve_inputs(copy.deepcopy(dashboard), inputs)
    schema = out.get("schemaVersion") if isinstance(out.get("schemaVersion"), int) else 0
    if schema < 14 and "sharedCrosshair" in out:  # DashboardMigrator, schemaVersion 14
        out["graphTooltip"] = 1 if out.pop("sharedCrosshair") else 0
    if out.get("rows"):  # Grafana does this below schemaVersion 16 only; later, rows it would drop still hold panels
        upgrade_to_grid_layout(out)
    out.pop("rows", None)  # Grafana's model has no `rows` since schemaVersion 16
    out["panels"] = [_panel(p) for p in out.get("panels") or [] if isinstance(p, dict)]
    _unique_ids(out["panels"])
    out["panels"].sort(key=lambda p: (p["gridPos"].get("y", 0), p["gridPos"].get("x", 0)))
    _variables(out)
    for key, default in MODEL_DEFAULTS.items():
        if out.get(key) is None:
            out[key] = copy.deepcopy(default)
    annotations = out.get("annotations") if isinstance(out.get("annotations"), dict) else {}
    listed = annotations.get("list") if isinstance(annotations.get("list"), list) else []
    if not any(isinstance(a, dict) and a.get("builtIn") == 1 for a in listed):
        listed = [copy.deepcopy(BUILTIN_ANNOTATION), *listed]
    out["annotations"] = {**annotations, "list": listed}
    out["schemaVersion"] = SCHEMA_VERSION
    return out
