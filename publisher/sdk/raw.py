"""Panels and dashboard keys as Grafana writes them: the SDK's escape hatch for what the helpers do not model.

    panel("timeseries", "CPU busy", grid=GridPos(0, 1, 12, 8), id=2,
          datasource={"type": "prometheus", "uid": "${datasource}"},
          targets=[{"expr": "sum(rate(node_cpu_seconds_total[5m]))", "refId": "A", "intervalFactor": 2}],
          field_config={"defaults": {"unit": "percent"}, "overrides": []},
          options={"legend": {"displayMode": "table", "placement": "right"}},
          maxDataPoints=100, pluginVersion="11.4.0")

A verbatim panel is Grafana's current panel model, written out: `dash import` writes one for every
panel that no helper reproduces exactly. The dashboard places it (at `grid`, or in its row's flow),
numbers it (its own `id`, or the next free one) and fills in the dashboard's datasource when it has
none; nothing else of it changes. In particular the modernising step (modernise.py) does not rewrite
it: that step turns grafanalib's 2019 model into the current one, and a verbatim panel is in the
current model already, so its values (a target's `intervalFactor`, `maxDataPoints: 100`, a
threshold step's `null`) stay exactly as written. Angular panel types are refused here, as the
modernising step refuses them for grafanalib panels.

`Dashboard(grafana={...})` and `Dashboard.row(..., grafana={...})` are the same hatch for the
dashboard's own keys (annotations, templating as written, links, graphTooltip 2, weekStart...) and
for a row's.
"""

from __future__ import annotations

import copy
import keyword
from typing import Any, Iterable

import attrs

from .errors import AngularPanelError, DashboardError
from .layout import GridPos, Slot
from .panels import Panel

MARK = "__dash_verbatim__"  # the type of the stand-in the modernising step sees instead of a verbatim panel
# Keys dash renders from a Dashboard's own arguments and its rows: not settable through `grafana=`.
RENDERED_KEYS = ("panels", "rows", "schemaVersion", "title", "uid")


class _Verbatim:
    """JSON held where `modernise.to_plain` and `modernise.panel` do not look (they return such objects as they are)."""

    __slots__ = ("json",)

    def __init__(self, json: dict[str, Any]) -> None:
        self.json = json


@attrs.define
class GrafanaPanel:
    """A panel as its Grafana JSON, with the attributes the dashboard sets when it renders a grafanalib panel."""

    json: dict[str, Any]
    title: str
    own_id: int | None = None  # kept as given; None: the dashboard numbers it
    id: int | None = None
    gridPos: Any = None
    dataSource: Any = None
    targets: list[Any] = attrs.field(factory=list)  # set by the dashboard only for SDK queries, which it has none of

    def to_json_data(self) -> dict[str, Any]:
        out = copy.deepcopy(self.json)
        out["id"] = self.own_id if self.own_id is not None else self.id
        if self.gridPos is not None:
            out["gridPos"] = self.gridPos.to_json_data()
        if "datasource" not in out and self.dataSource is not None:
            out["datasource"] = copy.deepcopy(self.dataSource)
        return {"type": MARK, MARK: _Verbatim(out)}


def panel(
    type: str,
    title: str,
    *,
    grid: GridPos | None = None,
    id: int | None = None,
    datasource: dict[str, Any] | None = None,
    targets: Iterable[dict[str, Any]] | None = None,
    field_config: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    **grafana: Any,
) -> Panel:
    """A panel of plugin `type` given as Grafana's JSON; every other keyword is a panel key, as Grafana names it:
    `panel("news", "Grafana blog", options={"feedUrl": "https://grafana.com/blog/news.xml"})`."""
    from .modernise import ANGULAR_PANELS

    if not isinstance(type, str) or not type or type == "row":
        raise DashboardError(f"panel {title!r}: type {type!r} must be a panel plugin id such as 'timeseries' "
                             "(rows are Dashboard.row())")
    if type in ANGULAR_PANELS:
        raise AngularPanelError(f"panel {title!r} is a {type!r} panel, an Angular plugin that Grafana 12 and "
                                f"later no longer render; use {ANGULAR_PANELS[type]} instead")
    if not isinstance(title, str):
        raise DashboardError(f"panel title {title!r} must be a string")
    if isinstance(datasource, str):
        raise DashboardError(f"panel {title!r}: datasource {datasource!r} must be a reference such as "
                             "{'type': 'prometheus', 'uid': '${datasource}'}, not a name")
    for key in ("gridPos", "id", "type", "title", "fieldConfig"):
        if key in grafana:
            raise DashboardError(f"panel {title!r}: give {key!r} as its keyword (grid=, id=, field_config=...)")
    json: dict[str, Any] = {"type": type, "title": title}
    for key, value in (("datasource", datasource), ("targets", targets), ("fieldConfig", field_config),
                       ("options", options)):
        if value is not None:
            json[key] = list(value) if key == "targets" else value
    json.update(grafana)
    grafana_panel = GrafanaPanel(json=copy.deepcopy(json), title=title, own_id=id)
    return Panel(grafana_panel, (), None, Slot(width=width, weight=weight, height=height, fixed=grid))


def own_id(item: Any) -> int | None:
    """The id a panel keeps as given (a verbatim panel's `id=`), or None."""
    return getattr(item, "own_id", None)


def check_dashboard_keys(title: str, grafana: dict[str, Any]) -> None:
    """Refuse dashboard keys that dash renders from the Dashboard's own arguments."""
    if not isinstance(grafana, dict):
        raise DashboardError(f"dashboard {title!r}: grafana= must be a dict of Grafana dashboard keys")
    taken = sorted(set(grafana) & set(RENDERED_KEYS))
    if taken:
        raise DashboardError(f"dashboard {title!r}: grafana= cannot set {', '.join(taken)}: give the title and uid "
                             "as Dashboard arguments and panels with row() or panels()")


def unwrap(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The rendered dashboard with each verbatim panel's JSON in place of its stand-in (rows' panels included)."""
    def one(p: Any) -> Any:
        if isinstance(p, dict) and p.get("type") == MARK:
            return p[MARK].json
        if isinstance(p, dict) and p.get("type") == "row" and p.get("panels"):
            p["panels"] = [one(child) for child in p["panels"]]
        return p

    dashboard["panels"] = [one(p) for p in dashboard.get("panels") or []]
    return dashboard


def python_name(key: str) -> bool:
    """Whether a Grafana key can be written as a keyword argument."""
    return key.isidentifier() and not keyword.iskeyword(key)


def library_panel(
    uid: str,
    name: str,
    *,
    grid: GridPos | None = None,
    id: int | None = None,
    width: int | None = None,
    weight: float = 1.0,
    height: int | None = None,
    **grafana: Any,
) -> Panel:
    """A reference to a library panel (kept in Grafana by its uid): Grafana fills in the panel when it loads:
    `library_panel("cpu-panel-uid", "CPU busy")`."""
    if not isinstance(uid, str) or not uid:
        raise DashboardError(f"library panel {name!r}: give the library panel's uid")
    json = {"libraryPanel": {"uid": uid, "name": name}, **grafana}
    grafana_panel = GrafanaPanel(json=copy.deepcopy(json), title=str(grafana.get("title", name)), own_id=id)
    return Panel(grafana_panel, (), None, Slot(width=width, weight=weight, height=height, fixed=grid))
