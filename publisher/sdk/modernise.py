"""Turn grafanalib's output into the JSON that current Grafana writes.

grafanalib 0.7.1 emits dashboards for the Grafana of 2019: schemaVersion 12,
keys set to null, legacy keys (`span`, `error`, `style`, `sharedCrosshair`, a
target's `query`/`metric`/`step`/`target`), thresholds whose base value is the
string "null", a gauge's reduce options inside `fieldConfig.defaults`, and the
pre-8.0 heatmap model. Angular panels (Graph, SingleStat...) are no longer
rendered at all since Grafana 12. This step fixes each of those, and refuses
Angular panels with an error that names the replacement. What is particular to
one panel type (a gauge's reduce options, the old heatmap model...) is in
`modernise_panels`; this module does the dashboard, its variables, links and
targets, and what every panel needs.

The target is `schemaVersion` 42: the default in Grafana's own dashboard kind
(`kinds/dashboard/dashboard_kind.cue` at v12.3.3, the schema we validate
against) and what Grafana 13.2 writes when it saves a dashboard. Grafana
migrates older versions when it loads them, so emitting 42 means a dashboard
that Grafana opens as it is, with no migration that would change it on the
next save and show up as drift.
"""

from __future__ import annotations

from typing import Any

from .errors import AngularPanelError, DashboardError
from .modernise_panels import CONVERTERS, field_defaults, open_ranges

SCHEMA_VERSION = 42

# Angular plugin id -> what to use instead.
ANGULAR_PANELS: dict[str, str] = {
    "graph": "TimeSeries (publisher.sdk.timeseries, rate, ratio or quantile; grafanalib.core.TimeSeries)",
    "singlestat": "Stat (publisher.sdk.stat; grafanalib.core.Stat)",
    "grafana-singlestat-panel": "Stat (publisher.sdk.stat; grafanalib.core.Stat)",
    "table-old": "Table (grafanalib.core.Table)",
    "grafana-piechart-panel": "the core pie chart (publisher.sdk.breakdown; grafanalib.core.PieChartv2)",
    "grafana-worldmap-panel": "the core Geomap panel (type 'geomap')",
    "natel-discrete-panel": "StateTimeline (grafanalib.core.StateTimeline)",
    "flant-statusmap-panel": "StateTimeline or the core status-history panel",
    "marcuscalidus-svg-panel": "the core Canvas panel (type 'canvas')",
    "larona-epict-panel": "the core Canvas panel (type 'canvas')",
}

# Keys grafanalib writes that current Grafana neither writes nor reads.
_LEGACY_DASHBOARD_KEYS = ("gnetId", "hideControls", "id", "rows", "sharedCrosshair", "style", "version")
_LEGACY_PANEL_KEYS = ("span", "minSpan", "height", "error", "editable", "thresholdType")
_LEGACY_TARGET_KEYS = ("metric", "step", "target", "intervalFactor")
_LEGACY_VARIABLE_KEYS = ("useTags", "tagsQuery", "tagValuesQuery")
_GRAFANALIB_REFRESH_INTERVALS = ["5s", "10s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "1d"]
_GRAFANALIB_MAX_DATA_POINTS = 100  # grafanalib's default, not Grafana's (which sizes it to the panel)

BUILTIN_ANNOTATION: dict[str, Any] = {
    "builtIn": 1,
    "datasource": {"type": "grafana", "uid": "-- Grafana --"},
    "enable": True,
    "hide": True,
    "iconColor": "rgba(0, 211, 255, 1)",
    "name": "Annotations & Alerts",
    "type": "dashboard",
}


_SCALARS = (str, int, float, bool)


def to_plain(obj: Any) -> Any:
    """grafanalib objects -> plain dicts and lists, without the keys set to None.

    What grafanalib's JSON encoder does, without the JSON; dropping None here is
    the "no null" rule (a threshold step's missing value reads as None, -Infinity).
    This runs over every node of every dashboard, so it tests exact types first.
    """
    kind = type(obj)
    if kind is dict:
        return {k: to_plain(v) for k, v in obj.items() if v is not None}
    if kind is list or kind is tuple:
        return [to_plain(v) for v in obj]
    if kind in _SCALARS or obj is None:
        return obj
    to_json = getattr(obj, "to_json_data", None)
    if to_json is not None:
        return to_plain(to_json())
    if isinstance(obj, dict):
        return {k: to_plain(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, (list, tuple)):
        return [to_plain(v) for v in obj]
    return obj


def _step(step: Any) -> dict[str, Any]:
    """A threshold step in the current model: {color, value}, value None for the base."""
    if not isinstance(step, dict) or "color" not in step:
        raise DashboardError(f"threshold step {step!r} must be a mapping with a color and a value")
    value = step.get("value")
    if value in ("null", "", "-Infinity"):
        value = None
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise DashboardError(f"threshold value {value!r} is not a number") from None
    return {"color": step["color"], "value": value}


def _thresholds(fc_defaults: dict[str, Any]) -> None:
    th = fc_defaults.get("thresholds")
    if not isinstance(th, dict):
        return
    steps = [_step(s) for s in (th.get("steps") or [])]
    if not steps:
        del fc_defaults["thresholds"]
        return
    steps.sort(key=lambda s: float("-inf") if s["value"] is None else s["value"])
    if steps[0]["value"] is not None:
        steps.insert(0, {"color": "green", "value": None})
    fc_defaults["thresholds"] = {"mode": th.get("mode") or "absolute", "steps": steps}


def _target(t: dict[str, Any], datasource: Any) -> dict[str, Any]:
    t = {k: v for k, v in t.items() if k not in _LEGACY_TARGET_KEYS}
    if t.get("query") == t.get("expr"):
        t.pop("query", None)  # grafanalib repeats expr as the legacy `query`
    for key, default in (("interval", ""), ("legendFormat", ""), ("hide", False), ("format", "time_series")):
        if t.get(key) == default:
            t.pop(key)
    if t.get("datasource") is None and datasource is not None:
        t["datasource"] = datasource
    ds_type = t.get("datasource", {}).get("type") if isinstance(t.get("datasource"), dict) else None
    if ds_type == "prometheus" and "expr" in t:
        t.setdefault("editorMode", "code")
        t["range"] = not t.get("instant", False)
        t["instant"] = bool(t.get("instant", False))
    elif ds_type == "loki" and "expr" in t:
        t.setdefault("editorMode", "code")
        t.pop("instant", None)
        t.setdefault("queryType", "range")
    return t


def panel(p: dict[str, Any]) -> dict[str, Any]:
    """One panel (or row) in the current model."""
    kind = p.get("type")
    title = p.get("title") or "(untitled)"
    if kind in ANGULAR_PANELS:
        raise AngularPanelError(
            f"panel {title!r} is a {kind!r} panel, an Angular plugin that Grafana 12 and later no "
            f"longer render; use {ANGULAR_PANELS[kind]} instead"
        )
    p = {k: v for k, v in p.items() if k not in _LEGACY_PANEL_KEYS}
    for key, noise in (("transparent", False), ("hideTimeOverride", False), ("links", []), ("transformations", [])):
        if p.get(key) == noise:
            del p[key]
    if p.get("maxDataPoints") == _GRAFANALIB_MAX_DATA_POINTS:
        del p["maxDataPoints"]
    if not p.get("repeat"):
        for key in ("repeat", "repeatDirection", "maxPerRow"):
            p.pop(key, None)
    if isinstance(p.get("datasource"), str):
        raise DashboardError(
            f"panel {title!r} names its datasource {p['datasource']!r} as a string; declare it with "
            "publisher.sdk.Datasource so that it becomes a {type, uid} reference"
        )
    if kind == "row":
        p.pop("fieldConfig", None)
        p.pop("targets", None)
        p.pop("maxDataPoints", None)
        p.setdefault("collapsed", False)
        p["panels"] = [panel(child) for child in p.get("panels") or []]
        return p
    convert = CONVERTERS.get(kind or "")
    if convert:
        convert(p)
    _thresholds(field_defaults(p))
    if field_defaults(p).get("unit") == "":
        del field_defaults(p)["unit"]  # grafanalib's "no unit"; Grafana writes no key
    open_ranges(p)
    if not p["fieldConfig"]["defaults"] and not p["fieldConfig"]["overrides"] and kind == "text":
        del p["fieldConfig"]
    if kind == "text":
        p.pop("targets", None)
    if "targets" in p:
        p["targets"] = [_target(t, p.get("datasource")) for t in p.get("targets") or []]
    return p


def variable(v: dict[str, Any]) -> dict[str, Any]:
    """A template variable without the keys grafanalib adds for the 2017 model."""
    v = {k: val for k, val in v.items() if k not in _LEGACY_VARIABLE_KEYS}
    if v.get("type") != "interval":
        for key in ("auto", "auto_min", "auto_count"):
            v.pop(key, None)
    current = v.get("current")
    if isinstance(current, dict):
        if current.get("text") is None and current.get("value") is None:
            v.pop("current")
        else:
            v["current"] = {k: current[k] for k in ("selected", "text", "value") if current.get(k) is not None}
            if v["current"].get("selected") is False:
                del v["current"]["selected"]
    if v.get("type") == "query" and isinstance(v.get("query"), str):
        v.setdefault("definition", v["query"])
    return v  # an empty `regex` stays: Grafana writes one too


_LINK_DEFAULTS = {
    "asDropdown": False, "icon": "external link", "includeVars": False, "keepTime": False,
    "tags": [], "targetBlank": False, "tooltip": "",
}


def link(link: dict[str, Any]) -> dict[str, Any]:
    """A dashboard link with every key Grafana writes, its defaults filled in."""
    out = {**_LINK_DEFAULTS, **{k: v for k, v in link.items() if v is not None}}
    if out.get("type") == "dashboards" and not out.get("url"):
        out.pop("url", None)
    return out


def dashboard(d: dict[str, Any]) -> dict[str, Any]:
    """A whole dashboard (already plain dicts) in the current model."""
    if d.get("rows"):
        raise DashboardError(
            f"dashboard {d.get('title')!r} uses grafanalib Row objects, the pre-5.0 rows model; "
            "declare rows with Dashboard.row() (or grafanalib RowPanel) instead"
        )
    out = {k: v for k, v in d.items() if k not in _LEGACY_DASHBOARD_KEYS}
    if not out.get("__inputs"):
        out.pop("__inputs", None)
    out["schemaVersion"] = SCHEMA_VERSION
    picker = out.get("timepicker") or {}
    kept: dict[str, Any] = {}
    if picker.get("hidden"):
        kept["hidden"] = True
    if picker.get("nowDelay"):
        kept["nowDelay"] = picker["nowDelay"]
    if picker.get("refresh_intervals") and picker["refresh_intervals"] != _GRAFANALIB_REFRESH_INTERVALS:
        kept["refresh_intervals"] = picker["refresh_intervals"]
    if picker.get("quick_ranges"):
        kept["quick_ranges"] = picker["quick_ranges"]
    out["timepicker"] = kept
    annotations = [a for a in (out.get("annotations") or {}).get("list", []) if a.get("builtIn") != 1]
    out["annotations"] = {"list": [BUILTIN_ANNOTATION, *annotations]}
    out["templating"] = {"list": [variable(v) for v in (out.get("templating") or {}).get("list", [])]}
    out["links"] = [link(each) for each in out.get("links") or []]
    out["panels"] = [panel(p) for p in out.get("panels") or []]
    if out.get("description") == "":
        del out["description"]
    return out
