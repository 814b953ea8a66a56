"""The per-panel-type half of the modernising step: each converter takes one panel of grafanalib's
model for that type (a plain dict, changed in place) to the model current Grafana writes.

`modernise.panel` does what every panel needs and then calls `CONVERTERS[type]`.
"""

from __future__ import annotations

from typing import Any, Callable


def field_defaults(panel: dict[str, Any]) -> dict[str, Any]:
    """The panel's `fieldConfig.defaults`, creating `fieldConfig` with `defaults` and `overrides` if missing."""
    fc = panel.get("fieldConfig") or {}
    fc.setdefault("defaults", {})
    fc.setdefault("overrides", [])
    panel["fieldConfig"] = fc
    return fc["defaults"]


def _timeseries(p: dict[str, Any]) -> None:
    custom = field_defaults(p).get("custom", {})
    if custom.get("stacking") == {}:
        custom["stacking"] = {"group": "A", "mode": "none"}
    sd = custom.get("scaleDistribution")
    if isinstance(sd, dict) and sd.get("type") == "linear":
        sd.pop("log", None)
    legend = p.get("options", {}).get("legend")
    if isinstance(legend, dict):
        legend.setdefault("showLegend", legend.get("displayMode") != "hidden")


def _stat(p: dict[str, Any]) -> None:
    defaults = field_defaults(p)
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
    defaults = field_defaults(p)
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
    defaults = field_defaults(p)
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


# --- heatmap: the pre-8.0 model (cards, color, dataFormat, xAxis, yAxis...) -> the current options -------

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
# Keys of the old model that the new one is computed from, and those it simply drops.
_OLD_HEATMAP_KEYS = (
    "color", "cards", "yAxis", "legend", "tooltip", "dataFormat", "yBucketBound", "reverseYBuckets",
    "hideZeroBuckets", "xBucketSize", "yBucketSize", "xBucketNumber", "yBucketNumber",
)
_DROPPED_HEATMAP_KEYS = ("heatmap", "highlightCards", "xAxis", "options")


def _heatmap(p: dict[str, Any]) -> None:
    """The pre-8.0 heatmap -> the current options model."""
    if isinstance(p.get("options"), dict) and "calculate" in p["options"]:
        return  # already the current model
    old = {key: p.pop(key, None) for key in _OLD_HEATMAP_KEYS}
    for key in _DROPPED_HEATMAP_KEYS:
        p.pop(key, None)
    p["options"] = _heatmap_options(old)
    defaults = field_defaults(p)
    custom = defaults.setdefault("custom", {})
    custom.setdefault("hideFrom", {"legend": False, "tooltip": False, "viz": False})
    custom.setdefault("scaleDistribution", {"type": "linear"})
    defaults.pop("thresholds", None)  # heatmaps colour by scheme, not thresholds


def _heatmap_options(old: dict[str, Any]) -> dict[str, Any]:
    """The current `options` of a heatmap from the values of its old model's keys."""
    cards = old["cards"] or {}
    legend = old["legend"] or {}
    tooltip = old["tooltip"] or {}
    y_axis = old["yAxis"] or {}
    y = _heatmap_y_axis(y_axis, bool(old["reverseYBuckets"]))
    calculate = old["dataFormat"] != "tsbuckets"  # absent means "timeseries": Grafana buckets the values
    options: dict[str, Any] = {
        "calculate": calculate,
        "cellGap": int(cards.get("cardPadding") or 1),
        "color": _heatmap_color(old["color"] or {}),
        "exemplars": {"color": "rgba(255,0,255,0.7)"},
        "legend": {"show": bool(legend.get("show", True))},
        "rowsFrame": {"layout": _BUCKET_BOUND.get(old["yBucketBound"] or "auto", "auto")},
        "showValue": "auto",
        "tooltip": {"mode": "single" if tooltip.get("show", True) else "none", "yHistogram": False},
        "yAxis": y,
    }
    if cards.get("cardRound"):
        options["cellRadius"] = float(cards["cardRound"])
    if old["hideZeroBuckets"]:
        options["filterValues"] = {"le": 1e-9}
    calculation = _heatmap_calculation(old, y_axis) if calculate else {}
    if calculation:
        options["calculation"] = calculation
    return options


def _heatmap_y_axis(y_axis: dict[str, Any], reverse: bool) -> dict[str, Any]:
    y: dict[str, Any] = {"axisPlacement": "left" if y_axis.get("show", True) else "hidden", "reverse": reverse}
    for old, new in (("format", "unit"), ("decimals", "decimals"), ("min", "min"), ("max", "max")):
        if y_axis.get(old) not in (None, ""):
            y[new] = float(y_axis[old]) if new in ("min", "max") else y_axis[old]
    if y_axis.get("label"):
        y["axisLabel"] = y_axis["label"]
    return y


def _heatmap_color(color: dict[str, Any]) -> dict[str, Any]:
    opacity = color.get("mode") == "opacity"
    return {
        "exponent": float(color.get("exponent", 0.5)),
        "fill": (color.get("cardColor") if opacity else None) or "dark-orange",
        "mode": "opacity" if opacity else "scheme",
        "reverse": False,
        "scale": "linear" if color.get("colorScale") == "linear" else "exponential",
        "scheme": _OLD_SCHEMES.get(color.get("colorScheme", ""), "Oranges"),
        "steps": 64,
    }


def _heatmap_calculation(old: dict[str, Any], y_axis: dict[str, Any]) -> dict[str, Any]:
    """How Grafana should bucket the values (a heatmap whose data are not buckets already)."""
    x_size, y_size = old["xBucketSize"], old["yBucketSize"]
    x_number, y_number = old["xBucketNumber"], old["yBucketNumber"]
    calc: dict[str, Any] = {}
    if x_size or x_number:
        calc["xBuckets"] = {"mode": "size" if x_size else "count", "value": str(x_size or x_number)}
    if y_size or y_number:
        calc["yBuckets"] = {"mode": "size" if y_size else "count", "value": str(y_size or y_number)}
    if y_axis.get("logBase", 1) not in (1, None):
        calc.setdefault("yBuckets", {})["scale"] = {"type": "log", "log": int(y_axis["logBase"])}
    return calc


def open_ranges(p: dict[str, Any]) -> None:
    """A range mapping's open end as Grafana writes it, `null`: `to_plain` drops every None, and the schema
    requires `from` and `to` (RangeMap: "It can be null which means -Infinity")."""
    fc = p.get("fieldConfig") or {}
    lists = [(fc.get("defaults") or {}).get("mappings") or []]
    lists += [prop.get("value") or [] for o in fc.get("overrides") or [] for prop in o.get("properties") or []
              if prop.get("id") == "mappings"]
    for mappings in lists:
        for mapping in mappings if isinstance(mappings, list) else []:
            if isinstance(mapping, dict) and mapping.get("type") == "range" \
                    and isinstance(mapping.get("options"), dict):
                mapping["options"].setdefault("from", None)
                mapping["options"].setdefault("to", None)


# --- table and logs -------------------------------------------------------------------


def _table(p: dict[str, Any]) -> None:
    defaults = field_defaults(p)
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
    defaults = field_defaults(p)
    if defaults.get("custom") == {}:
        del defaults["custom"]
    p.get("options", {}).setdefault("showLogContextToggle", False)


CONVERTERS: dict[str, Callable[[dict[str, Any]], None]] = {
    "timeseries": _timeseries,
    "stat": _stat,
    "gauge": _gauge,
    "bargauge": _bargauge,
    "heatmap": _heatmap,
    "table": _table,
    "logs": _logs,
}
