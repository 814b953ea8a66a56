"""Angular panels to their React successors, as Grafana converts them when it loads a dashboard.

Which plugin replaces which: `getPanelPluginToMigrateTo` (public/app/features/dashboard/state/
getPanelPluginToMigrateTo.ts): `graph` becomes `timeseries` (`barchart` for an x axis in series mode,
`bargauge` if that also shows legend values, `histogram` for a histogram x axis), `singlestat`
becomes `stat` (`gauge` when its gauge was shown: PanelModel's autoMigrateAngular), `table-old`
becomes `table`. The panel keeps the keys `PanelModel.changePlugin` keeps (its `mustKeepProps`); the
rest are the old plugin's options, which the new plugin's change handler reads:

- graph: `graphToTimeseriesOptions` (public/app/plugins/panel/timeseries/migrations.ts, formerly
  `flotToGraphOptions`): y axes, series overrides, alias colours, fill, lines, points, stacking,
  null handling, legend, tooltip, thresholds, the hidden time axis;
- singlestat: `sharedSingleStatPanelChangedHandler` / `migrateFromAngularSinglestat`
  (packages/grafana-ui/src/components/SingleStatShared/SingleStatBaseOptions.ts) and
  `statPanelChangedHandler` (public/app/plugins/panel/stat/StatMigrations.ts);
- table-old: `tablePanelChangedHandler` (public/app/plugins/panel/table/migrations.ts): styles to
  field defaults and overrides, its transform to a transformation.

One addition of dash's own: a graph's `hiddenSeries` (series switched off in its legend) becomes a
`custom.hideFrom` override, as the panel's own legend toggle writes it, where Grafana's migration
drops it.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

from .angular_stat import singlestat, table

# PanelModel.ts `mustKeepProps`: what a panel keeps when its plugin changes (the rest is the old plugin's options).
KEPT = ("id", "gridPos", "type", "title", "scopedVars", "repeat", "repeatPanelId", "repeatDirection", "maxPerRow",
        "collapsed", "panels", "targets", "datasource", "timeFrom", "timeShift", "hideTimeOverride",
        "description", "links", "cacheTimeout", "queryCachingTTL", "transparent", "pluginVersion", "fieldConfig",
        "maxDataPoints", "interval", "libraryPanel", "transformations", "alert")
_REDUCERS = {"avg": "mean", "current": "lastNotNull", "min": "min", "max": "max", "total": "sum", "first": "first",
             "last": "last", "count": "count", "delta": "delta", "range": "range", "diff": "diff", "mean": "mean",
             "lastNotNull": "lastNotNull", "firstNotNull": "firstNotNull", "sum": "sum", "median": "median"}
_REGEX_ALIAS = re.compile(r"^([/~@;%#'])(.*?)\1([gimsuy]*)$")


def _number(value: Any) -> float | int | None:
    """`validNumber`: a number, or a string holding one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return None


def _clean(obj: dict[str, Any]) -> dict[str, Any]:
    """lodash `omitBy(obj, isNil)`."""
    return {k: v for k, v in obj.items() if v is not None}


def _axis(axis: Any) -> dict[str, Any]:
    """`getFieldConfigFromOldAxis`."""
    if not isinstance(axis, dict):
        return {}
    custom: dict[str, Any] = {"axisPlacement": "auto" if axis.get("show") else "hidden"}
    if axis.get("label"):
        custom["axisLabel"] = axis["label"]
    if axis.get("logBase") in (2, 10):
        custom["scaleDistribution"] = {"type": "log", "log": axis["logBase"]}
    return _clean({"unit": axis.get("format"), "decimals": _number(axis.get("decimals")),
                   "min": _number(axis.get("min")), "max": _number(axis.get("max")), "custom": custom})


def _y2(y1: dict[str, Any], y2: dict[str, Any]) -> list[dict[str, Any]]:
    """`fillY2DynamicValues`: what the right axis sets differently from the left one."""
    props = [{"id": k, "value": v} for k, v in y2.items() if k != "custom" and v != y1.get(k)]
    y1_custom = y1.get("custom", {})
    props += [{"id": f"custom.{k}", "value": v} for k, v in y2.get("custom", {}).items() if v != y1_custom.get(k)]
    return props


def _series_property(key: str, value: Any, y1: dict[str, Any], yaxes: list[Any]) -> list[dict[str, Any]]:
    """The override properties of one key of a graph's series override."""
    if key == "yaxis":
        return _y2(y1, _axis(yaxes[1] if len(yaxes) > 1 else None)) if value == 2 else []
    simple = {"fill": ("custom.fillOpacity", lambda v: v * 10), "fillBelowTo": ("custom.fillBelowTo", None),
              "linewidth": ("custom.lineWidth", None), "pointradius": ("custom.pointSize", lambda v: 2 + v * 2),
              "points": ("custom.showPoints", lambda v: "always" if v else "never"),
              "color": ("color", lambda v: {"fixedColor": v, "mode": "fixed"}),
              "transform": ("custom.transform", lambda v: "negative-Y" if v == "negative-Y" else "constant"),
              "stack": ("custom.stacking", lambda v: {"mode": "normal" if v else "none",
                                                      "group": v if isinstance(v, str) else "A"})}
    if key in simple:
        name, convert = simple[key]
        return [{"id": name, "value": convert(value) if convert else value}]
    if key == "fillGradient":
        return [{"id": "custom.fillGradient", "value": "opacity"},
                {"id": "custom.fillOpacity", "value": value * 10}] if value else []
    if key == "bars":
        return ([{"id": "custom.drawStyle", "value": "bars"}, {"id": "custom.fillOpacity", "value": 100}] if value
                else [{"id": "custom.drawStyle", "value": "line"}])
    if key == "lines":
        return [{"id": "custom.drawStyle", "value": "line"}] if value else [{"id": "custom.lineWidth", "value": 0}]
    return []  # alias, $$hashKey and what Grafana ignores too


def _series_overrides(old: dict[str, Any], y1: dict[str, Any], dash: dict[str, Any]) -> list[dict[str, Any]]:
    overrides = []
    for alias, color in (old.get("aliasColors") or {}).items():
        if color:
            overrides.append({"matcher": {"id": "byName", "options": alias},
                              "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}]})
    for series in old.get("seriesOverrides") or []:
        if not isinstance(series, dict) or not series.get("alias"):
            continue
        matcher = "byRegexp" if _REGEX_ALIAS.match(series["alias"]) else "byName"
        props: list[dict[str, Any]] = []
        line_style = None
        for key, value in series.items():
            if key in ("dashLength", "spaceLength", "dashes"):
                line_style = line_style or {"fill": dash["fill"], "dash": list(dash["dash"])}
                if key == "dashes":
                    line_style["fill"] = "dash" if value else "solid"
                else:
                    line_style["dash"][0 if key == "dashLength" else 1] = value
            else:
                props += _series_property(key, value, y1, old.get("yaxes") or [])
        if line_style:
            props.append({"id": "custom.lineStyle", "value": line_style})
        if props:
            overrides.append({"matcher": {"id": matcher, "options": series["alias"]}, "properties": props})
    for name, hidden in (old.get("hiddenSeries") or {}).items():
        if hidden:
            overrides.append({"matcher": {"id": "byName", "options": name}, "properties": [
                {"id": "custom.hideFrom", "value": {"legend": False, "tooltip": False, "viz": True}}]})
    return overrides


def _graph_custom(old: dict[str, Any], custom: dict[str, Any], dash: dict[str, Any], below: bool) -> dict[str, Any]:
    draw = "bars" if old.get("bars") else "line" if old.get("lines") else "points"
    custom["drawStyle"] = draw
    if old.get("points"):
        custom["showPoints"] = "always"
        if _is_number(old.get("pointradius")):
            custom["pointSize"] = 2 + old["pointradius"] * 2
    elif draw != "points":
        custom["showPoints"] = "never"
    custom["lineWidth"] = old.get("linewidth")
    if dash["fill"] != "solid":
        custom["lineStyle"] = dash
    if below:
        custom["fillOpacity"] = 35
    elif _is_number(old.get("fill")):
        custom["fillOpacity"] = old["fill"] * 10
    if _is_number(old.get("fillGradient")) and old["fillGradient"] > 0:
        custom["gradientMode"] = "opacity"
        custom["fillOpacity"] = old["fillGradient"] * 10
    custom["spanNulls"] = old.get("nullPointMode") == "connected"
    if old.get("steppedLine"):
        custom["lineInterpolation"] = "stepAfter"
    if draw == "bars":
        custom["fillOpacity"] = 100
    if old.get("stack"):
        custom["stacking"] = {"mode": "normal", "group": "A"}
    return _clean(custom)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _graph_options(old: dict[str, Any]) -> dict[str, Any]:
    legend: dict[str, Any] = {"displayMode": "list", "showLegend": True, "placement": "bottom", "calcs": []}
    tooltip: dict[str, Any] = {"mode": "single", "sort": "none"}
    config = old.get("legend")
    if isinstance(config, dict):
        if config.get("show"):
            legend["displayMode"] = "table" if config.get("alignAsTable") else "list"
        else:
            legend["showLegend"] = False
        if config.get("rightSide"):
            legend["placement"] = "right"
        if config.get("values"):
            legend["calcs"] = [_REDUCERS[k] for k, v in config.items() if v and k in _REDUCERS]
        if config.get("sideWidth"):
            legend["width"] = config["sideWidth"]
    shown = old.get("tooltip")
    if isinstance(shown, dict) and shown.get("shared") is not None:
        tooltip["mode"] = "multi" if shown["shared"] else "single"
        if shown.get("shared") and shown.get("sort") is not None:
            tooltip["sort"] = {1: "asc", 2: "desc"}.get(shown["sort"], "none")
    return {"legend": legend, "tooltip": tooltip}


def _threshold_colour(t: dict[str, Any]) -> str:
    mode = t.get("colorMode")
    if mode == "custom":
        return t.get("fillColor") or t.get("lineColor")
    return "orange" if mode == "warning" else "red"


def _graph_thresholds(old: list[dict[str, Any]], y1: dict[str, Any]) -> None:
    ordered = sorted((t for t in old if isinstance(t, dict)), key=lambda t: _number(t.get("value")) or 0)
    steps: list[dict[str, Any]] = []
    for i, t in enumerate(ordered):
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        if t.get("op") == "gt":
            steps.append({"value": t.get("value"), "color": _threshold_colour(t)})
        if t.get("op") == "lt":
            if not steps:
                steps.append({"value": -math.inf, "color": _threshold_colour(t)})
            colour = _threshold_colour(following) if following and following.get("op") == "lt" else "transparent"
            steps.append({"value": t.get("value"), "color": colour})
    if steps and steps[0]["value"] != -math.inf:
        steps.insert(0, {"color": "transparent", "value": -math.inf})
    area, line = any(t.get("fill") for t in ordered), any(t.get("line") for t in ordered)
    y1.setdefault("custom", {})["thresholdsStyle"] = {"mode": "line+area" if area and line else
                                                      "area" if area else "line"}
    y1["thresholds"] = {"mode": "absolute", "steps": [
        {"color": s["color"], "value": None if s["value"] == -math.inf else s["value"]} for s in steps]}


def graph(old: dict[str, Any], kept: dict[str, Any]) -> None:
    """graph -> timeseries: `graphToTimeseriesOptions`."""
    yaxes = old.get("yaxes") or []
    fc = old.get("fieldConfig") or {}
    y1 = {**(fc.get("defaults") or {}), **_axis(yaxes[0] if yaxes else None)}
    dash = {"fill": "dash" if old.get("dashes") else "solid",
            "dash": [old.get("dashLength", 10), old.get("spaceLength", 10)]}
    overrides = list(fc.get("overrides") or []) + _series_overrides(old, y1, dash)
    below = any(isinstance(s, dict) and "fillBelowTo" in s for s in old.get("seriesOverrides") or [])
    y1["custom"] = _graph_custom(old, dict(y1.get("custom") or {}), dash, below)
    if old.get("nullPointMode") is not None:
        y1["nullValueMode"] = old["nullPointMode"]
    if old.get("thresholds"):
        _graph_thresholds(old["thresholds"], y1)
    xaxis = old.get("xaxis") or {}
    if xaxis.get("show") is False and xaxis.get("mode") in ("time", None):
        overrides.append({"matcher": {"id": "byType", "options": "time"},
                          "properties": [{"id": "custom.axisPlacement", "value": "hidden"}]})
    kept["fieldConfig"] = {"defaults": _clean(y1), "overrides": overrides}
    kept["options"] = _graph_options(old)


CONVERT: dict[str, Callable[[dict[str, Any], dict[str, Any]], None]] = {
    "graph": graph, "singlestat": singlestat, "grafana-singlestat-panel": singlestat, "table-old": table,
}


def new_type(panel: dict[str, Any]) -> str | None:
    """`getPanelPluginToMigrateTo`: the plugin that replaces an Angular panel's, or None."""
    kind = panel.get("type")
    if kind == "graph":
        xaxis = panel.get("xaxis") or {}
        if xaxis.get("mode") == "series":
            return "bargauge" if (panel.get("legend") or {}).get("values") else "barchart"
        return "histogram" if xaxis.get("mode") == "histogram" else "timeseries"
    if kind in ("singlestat", "grafana-singlestat-panel"):
        return "gauge" if (panel.get("gauge") or {}).get("show") else "stat"
    return {"table-old": "table"}.get(kind or "")


def convert(panel: dict[str, Any]) -> dict[str, Any]:
    """An Angular panel in its successor's model (other panels as they are)."""
    target = new_type(panel)
    if target is None:
        return panel
    kept = {k: v for k, v in panel.items() if k in KEPT}
    old = {k: v for k, v in panel.items() if k not in KEPT or k == "fieldConfig"}
    kept.pop("fieldConfig", None)
    CONVERT[panel["type"]](old, kept)
    kept["type"] = target
    kept.pop("pluginVersion", None)  # the new plugin's version is written when Grafana saves it
    return kept
