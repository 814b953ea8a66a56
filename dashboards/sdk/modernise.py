"""Turn grafanalib's output into the JSON that current Grafana writes.

grafanalib 0.7.1 emits dashboards for the Grafana of 2019: schemaVersion 12,
keys set to null, legacy keys (`span`, `error`, `style`, `sharedCrosshair`, a
target's `query`/`metric`/`step`/`target`), thresholds whose base value is the
string "null", a gauge's reduce options inside `fieldConfig.defaults`, and the
pre-8.0 heatmap model. Angular panels (Graph, SingleStat...) are no longer
rendered at all since Grafana 12. This step fixes each of those, and refuses
Angular panels with an error that names the replacement.

The target is `schemaVersion` 42: the default in Grafana's own dashboard kind
(`kinds/dashboard/dashboard_kind.cue` at v12.3.3, the schema we validate
against) and what Grafana 13.2 writes when it saves a dashboard. Grafana
migrates older versions when it loads them, so emitting 42 means a dashboard
that Grafana opens as it is, with no migration that would change it on the
next save and show up as drift.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import AngularPanelError, DashboardError

SCHEMA_VERSION = 42

# Angular plugin id -> what to use instead.
ANGULAR_PANELS: dict[str, str] = {
    "graph": "TimeSeries (dashboards.sdk.timeseries, rate, ratio or quantile; grafanalib.core.TimeSeries)",
    "singlestat": "Stat (dashboards.sdk.stat; grafanalib.core.Stat)",
    "grafana-singlestat-panel": "Stat (dashboards.sdk.stat; grafanalib.core.Stat)",
    "table-old": "Table (grafanalib.core.Table)",
    "grafana-piechart-panel": "the core pie chart (dashboards.sdk.breakdown; grafanalib.core.PieChartv2)",
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


def _field_config(panel: dict[str, Any]) -> dict[str, Any]:
    fc = panel.get("fieldConfig") or {}
    fc.setdefault("defaults", {})
    fc.setdefault("overrides", [])
    panel["fieldConfig"] = fc
    return fc["defaults"]


# --- per-type conversions -------------------------------------------------------------


def _timeseries(p: dict[str, Any]) -> None:
    custom = _field_config(p).get("custom", {})
    if custom.get("stacking") == {}:
        custom["stacking"] = {"group": "A", "mode": "none"}
    sd = custom.get("scaleDistribution")
    if isinstance(sd, dict) and sd.get("type") == "linear":
        sd.pop("log", None)
    legend = p.get("options", {}).get("legend")
    if isinstance(legend, dict):
        legend.setdefault("showLegend", legend.get("displayMode") != "hidden")


def _stat(p: dict[str, Any]) -> None:
    defaults = _field_config(p)
    if not defaults.get("color"):
        defaults["color"] = {"mode": "thresholds"}
    if defaults.get("noValue") == "none":  # grafanalib's default would print the word "none"
        del defaults["noValue"]
    if defaults.get("custom") == {}:
        del defaults["custom"]
    options = p.setdefault("options", {})
    options.setdefault("wideLayout", True)
    options.setdefault("showPercentChange", False)
    options.setdefault("percentChangeColorMode", "standard")


def _gauge(p: dict[str, Any]) -> None:
    defaults = _field_config(p)
    fc = p["fieldConfig"]
    options = p.setdefault("options", {})
    options.setdefault(
        "reduceOptions",
        {
            "calcs": defaults.pop("calcs", ["lastNotNull"]),
            "fields": "",
            "values": defaults.pop("values", False),
            **({"limit": defaults["limit"]} if defaults.get("limit") is not None else {}),
        },
    )
    for key in ("calcs", "values", "limit", "override"):
        defaults.pop(key, None)
    if defaults.get("title"):
        defaults["displayName"] = defaults.pop("title")
    defaults.pop("title", None)
    if defaults.get("links") == []:
        del defaults["links"]
    options.setdefault("showThresholdLabels", fc.pop("showThresholdLabels", False))
    options.setdefault("showThresholdMarkers", fc.pop("showThresholdMarkers", True))
    fc.pop("showThresholdLabels", None)
    fc.pop("showThresholdMarkers", None)
    options.setdefault("orientation", "auto")
    options.setdefault("sizing", "auto")
    options.setdefault("minVizWidth", 75)
    options.setdefault("minVizHeight", 75)


def _bargauge(p: dict[str, Any]) -> None:
    defaults = _field_config(p)
    options = p.setdefault("options", {})
    legacy = options.pop("fieldOptions", None) or {}
    for key in ("unit", "min", "max", "decimals"):
        value = (legacy.get("defaults") or {}).get(key)
        if value is not None:
            defaults.setdefault(key, value)
    if (legacy.get("defaults") or {}).get("title"):
        defaults.setdefault("displayName", legacy["defaults"]["title"])
    defaults.setdefault("mappings", legacy.get("mappings") or [])
    options.setdefault(
        "reduceOptions",
        {"calcs": legacy.get("calcs") or ["lastNotNull"], "fields": "", "values": bool(legacy.get("values"))},
    )
    options.pop("showThresholdLabels", None)
    options.pop("showThresholdMarkers", None)
    for key, value in (
        ("showUnfilled", True),
        ("valueMode", "color"),
        ("namePlacement", "auto"),
        ("sizing", "auto"),
        ("minVizWidth", 8),
        ("minVizHeight", 16),
        ("maxVizHeight", 300),
    ):
        options.setdefault(key, value)


_OLD_SCHEMES = {
    "interpolateOranges": "Oranges", "interpolateReds": "Reds", "interpolateGreens": "Greens",
    "interpolateBlues": "Blues", "interpolatePurples": "Purples", "interpolateGreys": "Greys",
    "interpolateViridis": "Viridis", "interpolateMagma": "Magma", "interpolateInferno": "Inferno",
    "interpolatePlasma": "Plasma", "interpolateSpectral": "Spectral", "interpolateRdYlGn": "RdYlGn",
    "interpolateYlOrRd": "YlOrRd", "interpolateTurbo": "Turbo", "interpolateCool": "Cool",
    "interpolateWarm": "Warm", "interpolateBuGn": "BuGn", "interpolateBuPu": "BuPu",
    "interpolateGnBu": "GnBu", "interpolateOrRd": "OrRd", "interpolatePuBu": "PuBu",
    "interpolateRdPu": "RdPu", "interpolateYlGn": "YlGn", "interpolateYlGnBu": "YlGnBu",
    "interpolateYlOrBr": "YlOrBr", "interpolateCividis": "Cividis", "interpolateRdBu": "RdBu",
}
_BUCKET_BOUND = {"upper": "le", "lower": "ge", "middle": "unknown", "auto": "auto"}


def _heatmap(p: dict[str, Any]) -> None:
    """The pre-8.0 heatmap (cards, color, dataFormat, xAxis, yAxis...) -> the current options model."""
    if isinstance(p.get("options"), dict) and "calculate" in p["options"]:
        return  # already the current model
    color = p.pop("color", None) or {}
    cards = p.pop("cards", None) or {}
    y_axis = p.pop("yAxis", None) or {}
    legend = p.pop("legend", None) or {}
    tooltip = p.pop("tooltip", None) or {}
    data_format = p.pop("dataFormat", "timeseries")
    bound = p.pop("yBucketBound", None)
    reverse = bool(p.pop("reverseYBuckets", False))
    hide_zero = bool(p.pop("hideZeroBuckets", False))
    x_size, y_size = p.pop("xBucketSize", None), p.pop("yBucketSize", None)
    x_number, y_number = p.pop("xBucketNumber", None), p.pop("yBucketNumber", None)
    for key in ("heatmap", "highlightCards", "xAxis", "options"):
        p.pop(key, None)

    opacity = color.get("mode") == "opacity"
    scale = "linear" if color.get("colorScale") == "linear" else "exponential"
    y: dict[str, Any] = {"axisPlacement": "left" if y_axis.get("show", True) else "hidden", "reverse": reverse}
    for old, new in (("format", "unit"), ("decimals", "decimals"), ("min", "min"), ("max", "max")):
        if y_axis.get(old) not in (None, ""):
            y[new] = float(y_axis[old]) if new in ("min", "max") else y_axis[old]
    if y_axis.get("label"):
        y["axisLabel"] = y_axis["label"]
    calculate = data_format != "tsbuckets"
    options: dict[str, Any] = {
        "calculate": calculate,
        "cellGap": int(cards.get("cardPadding") or 1),
        "color": {
            "exponent": float(color.get("exponent", 0.5)),
            "fill": (color.get("cardColor") if opacity else None) or "dark-orange",
            "mode": "opacity" if opacity else "scheme",
            "reverse": False,
            "scale": scale,
            "scheme": _OLD_SCHEMES.get(color.get("colorScheme", ""), "Oranges"),
            "steps": 64,
        },
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
        "legend": {"show": bool(legend.get("show", True))},
        "rowsFrame": {"layout": _BUCKET_BOUND.get(bound or "auto", "auto")},
        "showValue": "auto",
        "tooltip": {"mode": "single" if tooltip.get("show", True) else "none", "yHistogram": False},
        "yAxis": y,
    }
    if cards.get("cardRound"):
        options["cellRadius"] = float(cards["cardRound"])
    if hide_zero:
        options["filterValues"] = {"le": 1e-9}
    if calculate:
        calc: dict[str, Any] = {}
        if x_size or x_number:
            calc["xBuckets"] = {"mode": "size" if x_size else "count", "value": str(x_size or x_number)}
        if y_size or y_number:
            calc["yBuckets"] = {"mode": "size" if y_size else "count", "value": str(y_size or y_number)}
        if y_axis.get("logBase", 1) not in (1, None):
            calc.setdefault("yBuckets", {})["scale"] = {"type": "log", "log": int(y_axis["logBase"])}
        if calc:
            options["calculation"] = calc
    p["options"] = options
    defaults = _field_config(p)
    defaults.setdefault("custom", {})
    defaults["custom"].setdefault("hideFrom", {"legend": False, "tooltip": False, "viz": False})
    defaults["custom"].setdefault("scaleDistribution", {"type": "linear"})
    defaults.pop("thresholds", None)  # heatmaps colour by scheme, not thresholds


def _table(p: dict[str, Any]) -> None:
    defaults = _field_config(p)
    colour = p.pop("color", None)
    if colour and "color" not in defaults:
        defaults["color"] = colour
    mappings = p.pop("mappings", None)
    if mappings and "mappings" not in defaults:
        defaults["mappings"] = mappings
    for key in ("columns", "fontSize", "styles", "scroll", "sort", "transform"):
        p.pop(key, None)
    options = p.setdefault("options", {})
    options.setdefault("showHeader", True)
    options.setdefault("cellHeight", "sm")


def _logs(p: dict[str, Any]) -> None:
    defaults = _field_config(p)
    if defaults.get("custom") == {}:
        del defaults["custom"]
    p.get("options", {}).setdefault("showLogContextToggle", False)


_CONVERTERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "timeseries": _timeseries,
    "stat": _stat,
    "gauge": _gauge,
    "bargauge": _bargauge,
    "heatmap": _heatmap,
    "table": _table,
    "logs": _logs,
}


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
            "dashboards.sdk.Datasource so that it becomes a {type, uid} reference"
        )
    if kind == "row":
        p.pop("fieldConfig", None)
        p.pop("targets", None)
        p.pop("maxDataPoints", None)
        p.setdefault("collapsed", False)
        p["panels"] = [panel(child) for child in p.get("panels") or []]
        return p
    convert = _CONVERTERS.get(kind or "")
    if convert:
        convert(p)
    defaults = _field_config(p)
    _thresholds(defaults)
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
    if v.get("regex") == "":
        pass  # Grafana writes an empty regex; keep it
    return v


_LINK_DEFAULTS = {
    "asDropdown": False, "icon": "external link", "includeVars": False, "keepTime": False,
    "tags": [], "targetBlank": False, "tooltip": "",
}


def link(link: dict[str, Any]) -> dict[str, Any]:
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
    out["links"] = [link(l) for l in out.get("links") or []]
    out["panels"] = [panel(p) for p in out.get("panels") or []]
    if out.get("description") == "":
        del out["description"]
    return out
