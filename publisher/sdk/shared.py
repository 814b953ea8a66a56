"""What every panel helper shares: the `Panel` it returns and the keywords every helper takes.

The keywords, checked when the helper is called (each error names the panel and says what to write):

    description=        the panel's description (a string)
    mappings=[...]      value mappings: value_map({...}), RangeMap, RegexMap, SpecialMap
    overrides=[...]     Override.by_name(...), by_regex, by_query, by_type
    transformations=[]  organize(...), merge(), reduce(...), sort_by(...), Transformation(id, options)...
    links=[...]         link(title, url): the panel header's links
    data_links=[...]    data_link(title, url): links on each value
    repeat="instance"   one panel per value of a dashboard variable; repeat_direction="h"|"v", max_per_row=
    datasource=         a Datasource, instead of the dashboard's
    extra_json={...}    panel JSON set over what the helper writes (deep-merged)
    width= weight= height= grid=   the layout: columns (1-24), share of the line, grid rows, an explicit GridPos
"""

from __future__ import annotations

import copy
from typing import Any, Iterable

import attr
import attrs
import grafanalib.core as G

from . import args as A
from . import links as L
from . import mappings as M
from . import overrides as O
from . import transformations as T
from . import units as U
from .datasources import Datasource
from .errors import DashboardError
from .layout import GridPos, Slot
from .query import Query, as_query
from .source import declared_at
from .thresholds import NEUTRAL, Thresholds

COLUMNS = 24
KEYWORDS = ("description", "mappings", "overrides", "transformations", "links", "data_links", "repeat",
            "repeat_direction", "max_per_row", "datasource", "extra_json", "width", "weight", "height", "grid")


@attrs.define
class Panel:
    """A grafanalib panel plus what the dashboard needs to place and wire it."""

    panel: G.Panel
    queries: tuple[Query, ...] = ()
    datasource: Datasource | None = None
    slot: Slot = attrs.field(factory=Slot)
    repeat: str | None = None  # the variable the panel repeats by, which the dashboard must declare
    # file and line of the user's code that made the panel, so lint can point at it
    declared_at: tuple[str, int] = attrs.field(factory=declared_at, init=False, eq=False)

    @property
    def title(self) -> str:
        return self.panel.title


def wrap(panel: "Panel | G.Panel") -> Panel:
    """Accept a plain grafanalib panel too; its GridPos, if any, is kept."""
    if isinstance(panel, Panel):
        return panel
    if isinstance(panel, G.Panel):
        fixed = None
        if isinstance(panel.gridPos, G.GridPos):
            g = panel.gridPos
            fixed = GridPos(g.x, g.y, g.w, g.h)
        return Panel(panel=panel, slot=Slot(fixed=fixed))
    raise DashboardError(
        f"expected a panel (from publisher.sdk or grafanalib.core), got {type(panel).__name__}: {panel!r:.60}"
    )


@attr.s
class JsonPanel(G.Panel):
    """A panel whose plugin JSON the SDK writes itself (where grafanalib has no class, or a wrong one); the
    dashboard fills in its id, position, datasource and targets as for any grafanalib panel."""

    type: str = attr.ib(default="")
    body: dict = attr.ib(factory=dict)

    def to_json_data(self) -> dict[str, Any]:
        return self.panel_json({"type": self.type, **copy.deepcopy(self.body)})


def merge(base: dict[str, Any], extra: dict[str, Any] | None) -> dict[str, Any]:
    """Deep-merge a user's `extra_json` over ours, as grafanalib's extraJson does."""
    out = dict(base)
    for key, value in (extra or {}).items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def unit(value: Any, kind: str, title: str) -> Any:
    """The unit checked against Grafana's list. None (not given) is no unit: lint's DASH051 warns about it, the one
    rule for every dashboard whatever wrote it (the README's "Units" says why a warning and not an error)."""
    if value is None or value == "":
        return ""  # grafanalib's "no unit"
    if not isinstance(value, str):
        raise A.fail(A.where(kind, title), "unit", "a string such as units.PERCENT or 'reqps'", value)
    return U.check_unit(value, where=f"panel {title!r}: ")


def queries(kind: str, title: str, given: Iterable[Any], required: bool = True) -> tuple[Query, ...]:
    out = []
    for i, q in enumerate(given):
        if not isinstance(q, (Query, str)):
            raise A.fail(A.where(kind, title), f"query {i + 1}", "a PromQL/LogQL string or Query('...', legend=...)"
                         " (keywords such as unit= go after the queries)", q)
        out.append(as_query(q))
    if not out and required:
        raise DashboardError(f"panel {title!r}: give at least one query")
    return tuple(out)


def thresholds(kind: str, title: str, value: Any, default: Thresholds | None = NEUTRAL) -> Thresholds | None:
    if value is None:
        return default
    if not isinstance(value, Thresholds):
        example = "high_is_bad(80, 90) or thresholds('green', (80, 'orange'), (90, 'red'))"
        raise A.fail(A.where(kind, title), "thresholds", f"made with {example}", value)
    return value


def defaults(unit: str | None, thresholds: Thresholds | None, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if unit:  # "" is no unit: Grafana writes no key then
        out["unit"] = unit
    out["thresholds"] = (thresholds or NEUTRAL).to_json()
    out.update(extra or {})
    return out


def _datasource(prefix: str, value: Any) -> Datasource | None:
    if value is None or isinstance(value, Datasource):
        return value
    if isinstance(value, str):
        raise DashboardError(f"{prefix}datasource must be a Datasource, not the name {value!r}: declare it once, "
                             "PROM = Datasource('Prometheus', 'prometheus', uid='prometheus'), and pass "
                             "datasource=PROM")
    raise A.fail(prefix, "datasource", "a Datasource('Name', 'type', uid='...')", value)


def _layout(prefix: str, width: Any, weight: Any, height: Any, grid: Any) -> Slot:
    if width is not None and (isinstance(width, bool) or not isinstance(width, int) or not 1 <= width <= COLUMNS):
        raise A.fail(prefix, "width", "a whole number of columns from 1 to 24 (the grid is 24 wide)", width)
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight <= 0:
        raise A.fail(prefix, "weight", "a positive number (the panel's share of its line, 1 by default)", weight)
    if height is not None and (isinstance(height, bool) or not isinstance(height, int) or height < 1):
        raise A.fail(prefix, "height", "a whole number of grid rows, at least 1 (8 by default)", height)
    if grid is not None and not isinstance(grid, GridPos):
        raise A.fail(prefix, "grid", "a GridPos(x, y, w, h)", grid)
    return Slot(width=width, weight=weight, height=height, fixed=grid)


def _repeat(prefix: str, repeat: Any, direction: Any, max_per_row: Any) -> dict[str, Any]:
    if repeat is None:
        if max_per_row is not None:
            raise DashboardError(f"{prefix}max_per_row needs repeat='variable'")
        return {}
    if not isinstance(repeat, str) or not repeat.isidentifier():
        raise A.fail(prefix, "repeat", "the name of a dashboard variable, such as 'instance' (without '$')", repeat)
    A.choice(prefix, "repeat_direction", direction, ("h", "v"), " (h: side by side, v: one below the other)")
    out: dict[str, Any] = {"repeat": repeat, "repeatDirection": direction}
    if max_per_row is not None:
        if isinstance(max_per_row, bool) or not isinstance(max_per_row, int) or not 1 <= max_per_row <= COLUMNS:
            raise A.fail(prefix, "max_per_row", "a whole number from 1 to 24", max_per_row)
        out["maxPerRow"] = max_per_row
    return out


@attrs.frozen
class Shared:
    """The keywords every helper takes, checked; `json` is what they add to the panel's JSON."""

    kind: str
    title: str
    description: str | None
    datasource: Datasource | None
    slot: Slot
    repeat: str | None
    json: dict[str, Any]
    extra_json: dict[str, Any] | None

    @classmethod
    def of(cls, kind: str, given: dict[str, Any]) -> "Shared":
        """From a helper's `locals()`: only the shared keywords are read (those it does not take count as unset)."""
        title = A.title(kind, given["title"])
        prefix = A.where(kind, title)
        v = {key: given.get(key) for key in KEYWORDS}
        A.text(prefix, "description", v["description"], "'What the panel shows, and what to do when it is red'")
        extra = v["extra_json"]
        if extra is not None and not isinstance(extra, dict):
            raise A.fail(prefix, "extra_json", "a dict of panel JSON keys", extra)
        defaults: dict[str, Any] = {}
        if v["mappings"]:
            defaults["mappings"] = M.to_json(M.check(prefix, v["mappings"]))
        if v["data_links"]:
            defaults["links"] = [x.to_json() for x in L.check(prefix, v["data_links"], L.DataLink,
                                                             "[data_link('Logs', '/explore?...')]")]
        json: dict[str, Any] = {}
        if defaults:
            json["fieldConfig"] = {"defaults": defaults}
        if v["overrides"]:
            json.setdefault("fieldConfig", {})["overrides"] = [o.to_json() for o in O.check(prefix, v["overrides"])]
        else:
            O.check(prefix, v["overrides"])
        if v["links"]:
            json["links"] = [x.to_json() for x in L.check(prefix, v["links"], L.PanelLink,
                                                         "[link('Runbook', 'https://...')]")]
        else:
            L.check(prefix, v["links"], L.PanelLink, "[link('Runbook', 'https://...')]")
        json["transformations"] = [t.to_json() for t in T.check(prefix, v["transformations"])]
        if not json["transformations"]:
            del json["transformations"]
        json.update(_repeat(prefix, v["repeat"], v["repeat_direction"] or "h", v["max_per_row"]))
        slot = _layout(prefix, v["width"], 1.0 if v["weight"] is None else v["weight"], v["height"], v["grid"])
        return cls(kind, title, v["description"], _datasource(prefix, v["datasource"]), slot, v["repeat"], json,
                   extra)

    @property
    def where(self) -> str:
        return A.where(self.kind, self.title)

    def extra(self, base: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """The panel's extraJson: the helper's own JSON, then the shared keywords', then the user's."""
        out = merge(merge(base or {}, self.json), self.extra_json)
        return out or None

    def panel(self, panel: G.Panel, qs: tuple[Query, ...] = ()) -> Panel:
        return Panel(panel, qs, self.datasource, self.slot, self.repeat)
