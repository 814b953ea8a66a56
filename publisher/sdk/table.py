"""Tables: one row per series (or per row of a table-format query), with columns shaped by `Column`.

    table("Pods", Query('kube_pod_info', instant=True, format="table"),
          columns=[Column("pod", display_name="Pod", width=240),
                   Column("Value", cell="color-background", unit=units.PERCENT, thresholds=high_is_bad(80, 90))],
          transformations=[organize(exclude=["Time", "__name__"])], filterable=True)

`cell` is how every cell shows its value ("auto", "color-text", "color-background", "gauge", "json-view",
"sparkline", "data-links", "image"); a `Column` sets it (and a width, a unit...) for one column, as an
override by name. A table needs no unit: the columns often differ.
"""

from __future__ import annotations

from typing import Any

import attrs

from . import args as A
from .datasources import Datasource
from .errors import DashboardError
from .layout import GridPos
from .overrides import Override
from .query import Query
from .shared import JsonPanel, Panel, Shared, defaults
from .shared import queries as _queries
from .shared import thresholds as _thresholds
from .shared import unit as _unit
from .thresholds import Thresholds

CELLS = ("auto", "color-text", "color-background", "gauge", "json-view", "sparkline", "data-links", "image")
GAUGES = ("basic", "lcd", "gradient")
ALIGNS = ("auto", "left", "center", "right")


def cell_options(where: str, cell: Any, gauge: Any = "gradient") -> dict[str, Any]:
    """Grafana's `custom.cellOptions` for a cell display mode."""
    A.choice(where, "cell", cell, CELLS, " (Grafana's cell types)")
    out: dict[str, Any] = {"type": cell}
    if cell == "gauge":
        out["mode"] = A.choice(where, "gauge", gauge, GAUGES)
    elif cell == "color-background":
        out["mode"] = "gradient"
    return out


@attrs.frozen
class Column:
    """One column of a table, by its field name: `Column("Value", display_name="CPU", width=120, cell="gauge")`.

    Any of `display_name`, `width` (pixels), `cell` (a cell type, as table's `cell=`), `unit`, `decimals`,
    `align` ("left", "center", "right"), `hidden`, `thresholds` and `mappings`; rendered as
    `Override.by_name(name, ...)`. The name is the field's after the panel's transformations (Grafana applies
    overrides to their output): after `organize(rename={"Value": "Failures"})`, write `Column("Failures")`."""

    name: str
    display_name: str | None = None
    width: int | None = None
    cell: str | None = None
    unit: str | None = None
    decimals: int | None = None
    align: str | None = None
    hidden: bool = False
    thresholds: Thresholds | None = None
    mappings: list[Any] | None = None

    def to_override(self) -> Override:
        where = f"Column({self.name!r}): "
        if not isinstance(self.name, str) or not self.name:
            raise A.fail("Column: ", "name", "the field's name, a non-empty string", self.name)
        custom: dict[str, Any] = {}
        if self.width is not None:
            if isinstance(self.width, bool) or not isinstance(self.width, int) or self.width < 1:
                raise A.fail(where, "width", "a whole number of pixels", self.width)
            custom["width"] = self.width
        if self.cell is not None:
            custom["cellOptions"] = cell_options(where, self.cell)
        if self.align is not None:
            custom["align"] = A.choice(where, "align", self.align, ALIGNS)
        if A.flag(where, "hidden", self.hidden):
            custom["hidden"] = True
        if self.display_name is None and not custom and self.unit is None and self.decimals is None \
                and self.thresholds is None and self.mappings is None:
            raise DashboardError(f"{where}give at least one of display_name, width, cell, unit, decimals, align, "
                                 "hidden, thresholds, mappings")
        return Override.by_name(self.name, unit=self.unit, decimals=self.decimals, display_name=self.display_name,
                                thresholds=self.thresholds, mappings=self.mappings, custom=custom or None)

    def __attrs_post_init__(self) -> None:
        self.to_override()  # checked where it is declared


def table(
    title: str,
    *queries: Query | str,
    unit: str | None = None,
    description: str | None = None,
    thresholds: Thresholds | None = None,
    columns: list[Column] | None = None,
    cell: str = "auto",
    column_width: int | None = None,
    filterable: bool = False,
    show_header: bool = True,
    sort_by: str | None = None,
    sort_desc: bool = False,
    mappings: list[Any] | None = None,
    overrides: list[Any] | None = None,
    transformations: list[Any] | None = None,
    links: list[Any] | None = None,
    data_links: list[Any] | None = None,
    repeat: str | None = None,
    repeat_direction: str = "h",
    max_per_row: int | None = None,
    datasource: Datasource | None = None,
    extra_json: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    grid: GridPos | None = None,
) -> Panel:
    """A table: `table("Hosts", Query("node_uname_info", instant=True, format="table"), filterable=True)`.

    `cell` is every cell's type, `column_width` every column's width (pixels), `filterable` adds the column
    filters, `sort_by`/`sort_desc` the initial sort; `columns=[Column(...)]` shape single columns (after the
    `overrides`)."""
    shared = Shared.of("table", locals())
    where = shared.where
    unit = _unit(unit, "table", title)
    th = _thresholds("table", title, thresholds)
    custom: dict[str, Any] = {"align": "auto", "cellOptions": cell_options(where, cell), "inspect": False}
    if column_width is not None:
        if isinstance(column_width, bool) or not isinstance(column_width, int) or column_width < 1:
            raise A.fail(where, "column_width", "a whole number of pixels", column_width)
        custom["width"] = column_width
    if A.flag(where, "filterable", filterable):
        custom["filterable"] = True
    A.flag(where, "show_header", show_header)
    A.text(where, "sort_by", sort_by, "'Value'")
    A.flag(where, "sort_desc", sort_desc)
    cols = A.items(where, "columns", columns, Column, "[Column('Value', width=120)]")
    fc: dict[str, Any] = {"defaults": defaults(unit, th, {"color": {"mode": "thresholds"}, "custom": custom})}
    extra = shared.extra()
    given = ((extra or {}).get("fieldConfig") or {}).get("overrides") or []
    fc["overrides"] = [*given, *(c.to_override().to_json() for c in cols)]
    options: dict[str, Any] = {"cellHeight": "sm", "showHeader": show_header}
    if sort_by:
        options["sortBy"] = [{"desc": sort_desc, "displayName": sort_by}]
    body = {"fieldConfig": fc, "options": options}
    panel = JsonPanel(title=title, description=description, type="table", body=body, maxDataPoints=None,
                      extraJson=_without_overrides(extra))
    return shared.panel(panel, _queries("table", title, queries))


def _without_overrides(extra: dict[str, Any] | None) -> dict[str, Any] | None:
    """The extra JSON without fieldConfig.overrides, which the table's body already holds (with its columns)."""
    if not extra or "overrides" not in (extra.get("fieldConfig") or {}):
        return extra
    fc = {k: v for k, v in extra["fieldConfig"].items() if k != "overrides"}
    out = {**extra, "fieldConfig": fc}
    return out
