"""A dashboard: its identity, its rows of panels, and its rendering to Grafana JSON.

    api = Dashboard("API performance", uid="api-performance", folder="Platform",
                    tags=["api"], datasource=PROMETHEUS)
    api.row("Traffic",
        rate("Request rate", "http_requests_total", by="endpoint"),
        ratio("Error rate", 'http_requests_total{status=~"5.."}', "http_requests_total"),
    )

Rendering builds grafanalib objects (RowPanel, panels with GridPos, Targets,
Templates, DashboardLinks) and passes grafanalib's output through the
modernising step, so the JSON is what current Grafana writes.
"""

from __future__ import annotations

import copy
import itertools
import re
from typing import Any, Iterable

import attrs
import grafanalib.core as G

from ..dashboard_json import UID
from . import args as A
from . import modernise, raw
from .args import describe
from .datasources import Datasource
from .errors import DashboardError
from .layout import DEFAULT_HEIGHT, DEFAULT_PER_LINE, GridPos, Section, place
from .query import ref_ids
from .shared import Panel, wrap
from .source import declared_at
from .variables import datasource_variable

_REFRESH = re.compile(r"^\d+[smhdwy]$")
_TIME = re.compile(r"^(now([+-]\d+[smhdwMy])?(/[smhdwMy])?|\d{4}-\d\d-\d\dT[\d:.]+Z?)$")
DEFAULT_DATASOURCE_VARIABLE = "datasource"
ROOT_FOLDER = "General"  # Grafana's name for the top level (no folder)


@attrs.frozen
class Link:
    """A link in the dashboard header to another dashboard (by uid) or to a URL.

    A link by uid must name a dashboard dash builds (lint's DASH052), unless marked external:

        Link("Node details", uid="node-exporter-full")
        Link("Payments", uid="payments-overview", external=True)   # another team's dashboard on this Grafana
        Link("Runbook", url="https://runbooks.internal/api")
    """

    title: str
    uid: str | None = None
    url: str | None = None
    keep_time: bool = True
    include_vars: bool = False
    # A dashboard dash does not build (another team's): shown with the external-link icon, and lint's DASH052
    # (a link to an unknown dashboard) leaves it alone, as it does every url= link.
    external: bool = False

    def __attrs_post_init__(self) -> None:
        if (self.uid is None) == (self.url is None):
            raise DashboardError(f"link {self.title!r}: give either uid= (a dashboard) or url= (anything else)")

    def to_grafanalib(self) -> G.DashboardLink:
        return G.DashboardLink(
            title=self.title,
            type="link",
            uri=self.url if self.url is not None else f"/d/{self.uid}",
            icon="external link" if self.url is not None or self.external else "dashboard",
            keepTime=self.keep_time,
            includeVars=self.include_vars,
            tooltip=self.title,
        )


@attrs.define
class _Row:
    title: str | None
    panels: list[Panel]
    collapsed: bool = False
    height: int = DEFAULT_HEIGHT
    per_line: int = DEFAULT_PER_LINE
    repeat: str | None = None
    grid: GridPos | None = None  # the header's position, when given (an imported layout)
    id: int | None = None  # the header's id, when given
    grafana: dict[str, Any] = attrs.field(factory=dict)  # row panel keys as Grafana writes them (raw.py)


def _folder(value: str) -> str:
    if not isinstance(value, str):
        raise DashboardError(f"folder {value!r} must be a string such as 'Platform' or 'Teams/Payments'")
    parts = [p.strip() for p in value.split("/")]
    if not value.strip() or any(not p for p in parts):
        raise DashboardError(f"folder {value!r} must be a title, or titles joined by '/' for nested folders")
    if value != ROOT_FOLDER and any(p.lower() == ROOT_FOLDER.lower() for p in parts):
        # Grafana refuses a folder titled "General" in any case at any depth (its folder validator).
        raise DashboardError(f"folder {value!r}: 'General' is Grafana's name for the top level and no folder may "
                             "take it; leave folder= out for the top level, or choose another title")
    return "/".join(parts)


def _listed(what: str, value: Any, example: str) -> list[Any]:
    """A Dashboard argument that is a list: a string, a dict or a single object is refused, not iterated."""
    if value is None:
        return []
    if not isinstance(value, (list, tuple)):
        raise DashboardError(f"Dashboard: {what} must be a list such as {example}, got {describe(value)}")
    return list(value)


def _check_variables(title: str, variables: list[Any]) -> None:
    for var in variables:
        if not isinstance(var, G.Template):
            raise DashboardError(
                f"dashboard {title!r}: each of variables must be made with label_values(...), custom(...) or "
                f"datasource_variable(...) (grafanalib Templates), got {describe(var)}; for example "
                "variables=[label_values('namespace', 'kube_pod_info')]")


def _row_header(row: _Row, grid: GridPos, panel_id: int) -> G.RowPanel:
    """The Grafana row panel above a titled row."""
    return G.RowPanel(
        title=row.title,
        id=panel_id,
        gridPos=G.GridPos(h=grid.h, w=grid.w, x=grid.x, y=grid.y),
        collapsed=row.collapsed,
        repeat=G.Repeat(variable=row.repeat) if row.repeat else G.Repeat(),
        extraJson=copy.deepcopy(row.grafana) or None,
    )


@attrs.define
class Dashboard:
    """One Grafana dashboard. `folder` may be nested: "Platform/API"."""

    title: str
    uid: str
    folder: str = attrs.field(default="General", converter=_folder)
    tags: list[str] = attrs.field(factory=list, converter=lambda v: _listed("tags", v, "['api', 'team-payments']"))
    description: str = ""
    datasource: Datasource | None = None
    variables: list[Any] = attrs.field(factory=list, converter=lambda v: _listed(
        "variables", v, "[label_values('namespace', 'kube_pod_info')]"))
    links: list[Link] = attrs.field(factory=list, converter=lambda v: _listed(
        "links", v, "[Link('Runbook', url='https://...')]"))
    time: tuple[str, str] = ("now-6h", "now")
    refresh: str = "1m"
    timezone: str = "browser"
    shared_crosshair: bool = True
    editable: bool = True
    # Dashboard keys as Grafana writes them, set over what dash renders (raw.py; what `dash import` writes)
    grafana: dict[str, Any] = attrs.field(factory=dict)
    _rows: list[_Row] = attrs.field(factory=list, init=False)
    declared_at: tuple[str, int] = attrs.field(factory=declared_at, init=False, eq=False)
    # panel id -> where the panel was declared; filled in by each render
    panel_sources: dict[int, tuple[str, int]] = attrs.field(factory=dict, init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.title, str) or not self.title.strip():
            raise DashboardError("a dashboard needs a non-empty title")
        if not isinstance(self.uid, str) or not UID.match(self.uid):
            raise DashboardError(
                f"dashboard {self.title!r}: uid {self.uid!r} must be 1-40 characters of [a-zA-Z0-9_-] "
                "(Grafana's rule); pick a short stable name such as 'api-performance'"
            )
        A.text(f"dashboard {self.title!r}: ", "description", self.description, "'What this dashboard is for'",
               optional=False)
        if self.datasource is not None and not isinstance(self.datasource, Datasource):
            raise DashboardError(f"dashboard {self.title!r}: datasource must be a Datasource('Prometheus', "
                                 f"'prometheus', uid='prometheus'), declared once and reused, got "
                                 f"{describe(self.datasource)}")
        _check_variables(self.title, self.variables)
        for link in self.links:
            if not isinstance(link, Link):
                raise DashboardError(f"dashboard {self.title!r}: each of links must be a Link('Title', uid=...) or "
                                     f"Link('Title', url=...), got {describe(link)}")
        for tag in self.tags:
            if not isinstance(tag, str) or not tag or len(tag.encode()) > 50:
                raise DashboardError(f"dashboard {self.title!r}: tag {tag!r} must be 1-50 bytes (Grafana's limit)")
        if not isinstance(self.refresh, str) or not _REFRESH.match(self.refresh):
            raise DashboardError(f"dashboard {self.title!r}: refresh {self.refresh!r} must look like '30s' or '1m'")
        if isinstance(self.time, str):
            self.time = (self.time, "now")
        for bound in self.time:
            if not _TIME.match(bound):
                raise DashboardError(f"dashboard {self.title!r}: time {bound!r} must look like 'now-6h' or 'now'")
        raw.check_dashboard_keys(self.title, self.grafana)

    # --- declaring -------------------------------------------------------------------

    def row(
        self,
        title: str,
        *panels: Panel | G.Panel,
        collapsed: bool = False,
        height: int = DEFAULT_HEIGHT,
        per_line: int = DEFAULT_PER_LINE,
        repeat: str | None = None,
        grid: GridPos | None = None,
        id: int | None = None,
        grafana: dict[str, Any] | None = None,
    ) -> "Dashboard":
        """A titled row of panels, laid out left to right and wrapped at 24 columns; returns the dashboard.

            api.row("Traffic", rate("Requests", "http_requests_total"), stat("Up", "sum(up)", unit="short"),
                    per_line=3, height=8)

        A line holds at most `per_line` panels and is balanced (5 at 4 per line are 3 + 2); a panel's `width=`
        or `weight=` shares the line. `collapsed=True` folds the row, `repeat="instance"` repeats it per value
        of a dashboard variable. `grid` and `id` fix the header's position and id; `grafana` holds row keys as
        Grafana writes them."""
        if not isinstance(title, str) or not title.strip():
            raise DashboardError(f"dashboard {self.title!r}: a row needs a title, a non-empty string, got "
                                 f"{describe(title)} (use .panels() for no header)")
        wrapped = self._check_repeats([wrap(p) for p in panels])
        self._rows.append(_Row(title, wrapped, collapsed, height, per_line, repeat, grid, id, dict(grafana or {})))
        return self

    def declared_variables(self, more: Iterable[Panel] = ()) -> list[str]:
        """The names of the dashboard's variables: declared, as Grafana JSON (`grafana=`), and the datasource
        variables of the datasources its panels use (with `more`)."""
        names = [v.name for v in self.variables if isinstance(v, G.Template)]
        names += [v.get("name") for v in (self.grafana.get("templating") or {}).get("list", []) if isinstance(v, dict)]
        candidates = [self.datasource] + [p.datasource for p in [*self.iter_panels(), *more]]
        seen = {ds.uid: ds for ds in candidates if ds is not None}
        names += [n for n in self._variable_names(list(seen.values())).values() if n not in names]
        return [n for n in names if isinstance(n, str)]

    def _check_repeats(self, panels: list[Panel]) -> list[Panel]:
        """Refuse a panel that repeats by a variable the dashboard does not declare."""
        repeated = [p for p in panels if p.repeat]
        if repeated:
            names = self.declared_variables(panels)
            for p in repeated:
                if p.repeat not in names:
                    declared = ", ".join(repr(n) for n in names) or "none"
                    raise DashboardError(
                        f"panel {p.title!r}: repeat={p.repeat!r} names no variable of dashboard {self.title!r} "
                        f"(declared: {declared}); add it to Dashboard(variables=[...]) or repeat by one of those",
                        at=p.declared_at)
        return panels

    def panels(
        self, *panels: Panel | G.Panel, height: int = DEFAULT_HEIGHT, per_line: int = DEFAULT_PER_LINE
    ) -> "Dashboard":
        """Panels with no row header above them, laid out as `row` does: `board.panels(text("Read me", "..."))`."""
        self._rows.append(_Row(None, self._check_repeats([wrap(p) for p in panels]), False, height, per_line))
        return self

    def iter_panels(self) -> Iterable[Panel]:
        """Every panel, in the order declared."""
        for row in self._rows:
            yield from row.panels

    def datasources(self) -> list[Datasource]:
        """Every datasource the dashboard uses, the default first."""
        seen: dict[str, Datasource] = {}
        candidates = [self.datasource] + [p.datasource for p in self.iter_panels()]
        candidates += [q.datasource for p in self.iter_panels() for q in p.queries]
        for ds in candidates:
            if ds is None:
                continue
            other = seen.get(ds.uid)
            if other is not None and other != ds:
                raise DashboardError(
                    f"dashboard {self.title!r}: two different datasources share uid {ds.uid!r} "
                    f"({other.name!r} and {ds.name!r}); declare each datasource once and reuse it"
                )
            seen[ds.uid] = ds
        return list(seen.values())

    # --- rendering -------------------------------------------------------------------
    # One render computes `datasources()` once and hands the list to the steps that need it.

    def _variable_names(self, datasources: list[Datasource]) -> dict[str, str]:
        """Datasource uid -> the name of the variable panels refer to it by."""
        names: dict[str, str] = {}
        by_type: dict[str, int] = {}
        for ds in datasources:
            by_type[ds.type] = by_type.get(ds.type, 0) + 1
        for ds in datasources:
            if ds is self.datasource or (self.datasource is not None and ds.uid == self.datasource.uid):
                names[ds.uid] = DEFAULT_DATASOURCE_VARIABLE
            elif by_type[ds.type] == 1 and not (self.datasource and self.datasource.type == ds.type):
                names[ds.uid] = f"datasource_{ds.type.replace('-', '_')}"
            else:
                names[ds.uid] = f"datasource_{re.sub(r'[^A-Za-z0-9_]', '_', ds.uid)}"
        return names

    def _render_panel(self, panel: Panel, grid: GridPos, panel_id: int, names: dict[str, str]) -> G.Panel:
        ds = panel.datasource or self.datasource
        ref = ds.ref_via(names[ds.uid]) if ds is not None else None
        changes: dict[str, Any] = {"id": panel_id, "gridPos": G.GridPos(h=grid.h, w=grid.w, x=grid.x, y=grid.y)}
        if panel.queries:
            targets = []
            for query, ref_id in zip(panel.queries, ref_ids(len(panel.queries))):
                target = query.to_target(ref_id)
                qds = query.datasource
                target.datasource = qds.ref_via(names[qds.uid]) if qds is not None else ref
                targets.append(target)
            changes["targets"] = targets
        if ref is not None and panel.panel.dataSource is None and not isinstance(panel.panel, G.Text):
            changes["dataSource"] = ref
        # A shallow copy with the rendered fields set: attrs.evolve would re-run every validator,
        # which costs more than the rest of rendering the panel. The panel itself is left as declared.
        rendered = copy.copy(panel.panel)
        for key, value in changes.items():
            setattr(rendered, key, value)
        return rendered

    def _sections(self) -> list[Section]:
        """What the layout needs of each row: its slots, header, height, per_line and collapsed."""
        return [
            Section(
                slots=tuple(p.slot for p in row.panels),
                header=row.title is not None,
                height=row.height,
                per_line=row.per_line,
                collapsed=row.collapsed,
            )
            for row in self._rows
        ]

    def _render_panels(self, names: dict[str, str]) -> list[Any]:
        """Row headers and panels with their positions and ids (from 1, in order); a collapsed row holds its panels.

        Records where each panel was declared in `panel_sources`.
        """
        taken = {row.id for row in self._rows} | {raw.own_id(p.panel) for p in self.iter_panels()}
        ids = (i for i in itertools.count(1) if i not in taken)  # ids given as written are kept; others are free
        panels: list[Any] = []
        self.panel_sources = {}
        for row, placed in zip(self._rows, place(self._sections())):
            header = None
            if row.title is not None:
                header = _row_header(row, row.grid or placed.header, row.id or next(ids))
            children = []
            for p, g in zip(row.panels, placed.slots):
                panel_id = raw.own_id(p.panel) or next(ids)
                self.panel_sources[panel_id] = p.declared_at
                children.append(self._render_panel(p, g, panel_id, names))
            if header is not None and row.collapsed:
                panels.append(attrs.evolve(header, panels=children))
            else:
                panels.extend(([header] if header is not None else []) + children)
        return panels

    def _render_variables(self, datasources: list[Datasource], names: dict[str, str]) -> list[G.Template]:
        """A datasource variable per datasource, then the declared variables (query variables without a
        datasource of their own use the default one)."""
        variables = [
            datasource_variable(
                names[ds.uid],
                ds,
                title="Data source" if names[ds.uid] == DEFAULT_DATASOURCE_VARIABLE else f"{ds.name} data source",
            )
            for ds in datasources
        ]
        for var in self.variables:
            if getattr(var, "dataSource", "absent") is None and var.type == "query" and self.datasource:
                var = attrs.evolve(var, dataSource=self.datasource.ref_via(DEFAULT_DATASOURCE_VARIABLE))
            variables.append(var)
        return variables

    def to_grafanalib(self) -> G.Dashboard:
        """The grafanalib Dashboard, with positions, ids and datasource references filled in."""
        datasources = self.datasources()
        names = self._variable_names(datasources)
        panels = self._render_panels(names)
        variables = self._render_variables(datasources, names)
        return G.Dashboard(
            title=self.title,
            uid=self.uid,
            description=self.description,
            tags=list(self.tags),
            panels=panels,
            templating=G.Templating(list=variables),
            links=[link.to_grafanalib() for link in self.links],
            time=G.Time(*self.time),
            refresh=self.refresh,
            timezone=self.timezone,
            graphTooltip=1 if self.shared_crosshair else 0,
            editable=self.editable,
        )

    def to_json(self) -> dict[str, Any]:
        """The dashboard as current Grafana JSON (schemaVersion 42)."""
        try:
            out = modernise.dashboard(modernise.to_plain(self.to_grafanalib()))
        except DashboardError as exc:
            raise type(exc)(f"dashboard {self.uid!r}: {exc.message}", at=exc.at) from None
        out.update(copy.deepcopy(self.grafana))
        return raw.unwrap(out)
