"""singlestat -> stat (or gauge) and table-old -> table, as Grafana's change handlers convert them.

- `migrateFromAngularSinglestat` (packages/grafana-ui/src/components/SingleStatShared/
  SingleStatBaseOptions.ts), with `convertOldAngularValueMappings` (packages/grafana-data/src/utils/
  valueMappings.ts) for its value and range maps, then `statPanelChangedHandler`
  (public/app/plugins/panel/stat/StatMigrations.ts) for the sparkline, colour and text modes;
- `tablePanelChangedHandler` (public/app/plugins/panel/table/migrations.ts): the `/.*/` style gives
  the field defaults (`migrateDefaults`), the other styles give overrides
  (`migrateTableStyleToOverride`), the old transform a transformation (`migrateTransformations`).
"""

from __future__ import annotations

from typing import Any

_REDUCERS = {"avg": "mean", "current": "lastNotNull", "min": "min", "max": "max", "total": "sum", "first": "first",
             "delta": "delta", "diff": "diff", "range": "range", "last_time": "lastNotNull", "name": "mean"}
_COLOR_MODES = {"cell": "color-background", "row": "color-background", "value": "color-text"}
_TRANSFORMS = {"timeseries_to_rows": "seriesToRows", "timeseries_to_columns": "seriesToColumns",
               "timeseries_aggregations": "reduce"}
_COLUMNS = {"avg": "mean", "min": "min", "max": "max", "total": "sum", "current": "last", "count": "count"}


def _levels(text: Any) -> list[float | int]:
    out = []
    for part in str(text or "").split(","):
        try:
            number = float(part.strip())
        except ValueError:
            continue
        out.append(int(number) if number.is_integer() else number)
    return out


def _mappings(old: dict[str, Any]) -> list[dict[str, Any]]:
    """`convertOldAngularValueMappings`: value maps (one mapping), `null` as a special value, range maps."""
    values: dict[str, Any] = {}
    out: list[dict[str, Any]] = []
    kind = old.get("mappingType")
    for i, vm in enumerate(old.get("valueMaps") or [] if kind in (None, 1) else []):
        if vm.get("value") == "null":
            out.append({"type": "special", "options": {"match": "null", "result": {"text": vm.get("text"),
                                                                                   "index": i}}})
        elif vm.get("value") is not None:
            values[str(vm["value"])] = {"text": vm.get("text"), "index": i}
    for i, rm in enumerate(old.get("rangeMaps") or [] if kind in (None, 2) else []):
        out.append({"type": "range", "options": {"from": _num(rm.get("from")), "to": _num(rm.get("to")),
                                                 "result": {"text": rm.get("text"), "index": i}}})
    if values:
        out.insert(0, {"type": "value", "options": values})
    return out


def _num(value: Any) -> Any:
    levels = _levels(value)
    return levels[0] if levels else None


def singlestat(old: dict[str, Any], kept: dict[str, Any]) -> None:
    """singlestat -> stat: `migrateFromAngularSinglestat`, then `statPanelChangedHandler`."""
    reducer = _REDUCERS.get(old.get("valueName") or "", old.get("valueName") or "mean")
    options: dict[str, Any] = {"reduceOptions": {"calcs": [reducer]}, "orientation": "horizontal"}
    defaults: dict[str, Any] = {}
    if old.get("format"):
        defaults["unit"] = old["format"]
    if old.get("tableColumn"):
        options["reduceOptions"]["fields"] = f"/^{old['tableColumn']}$/"
    if old.get("nullPointMode"):
        defaults["nullValueMode"] = old["nullPointMode"]
    if old.get("nullText"):
        defaults["noValue"] = old["nullText"]
    if old.get("decimals") or old.get("decimals") == 0:
        defaults["decimals"] = old["decimals"]
    if old.get("thresholds") is not None and old.get("colors"):
        levels = _levels(old["thresholds"])
        steps = [{"color": c, "value": None if i == 0 else (levels[i - 1] if i - 1 < len(levels) else None)}
                 for i, c in enumerate(old["colors"])]
        defaults["thresholds"] = {"mode": "absolute", "steps": steps}
    mappings = _mappings(old)
    if mappings:
        defaults["mappings"] = mappings
    gauge = old.get("gauge") or {}
    if gauge.get("show"):
        defaults["min"], defaults["max"] = gauge.get("minValue"), gauge.get("maxValue")
        options["showThresholdLabels"] = bool(gauge.get("thresholdLabels"))
        options["showThresholdMarkers"] = bool(gauge.get("thresholdMarkers", True))
    else:
        _stat_modes(old, options, defaults)
    kept["fieldConfig"] = {"defaults": {k: v for k, v in defaults.items() if v is not None}, "overrides": []}
    kept["options"] = options


def _stat_modes(old: dict[str, Any], options: dict[str, Any], defaults: dict[str, Any]) -> None:
    """`statPanelChangedHandler`: sparkline to graph mode, colour to colour mode, the name as text mode."""
    sparkline = old.get("sparkline") or {}
    options["graphMode"] = "area" if sparkline.get("show") else "none"
    if old.get("colorBackground"):
        options["colorMode"] = "background"
    elif old.get("colorValue"):
        options["colorMode"] = "value"
    else:
        options["colorMode"] = "none"
        if sparkline.get("lineColor") and options["graphMode"] == "area":
            options["colorMode"] = "value"
            defaults["color"] = {"mode": "fixed", "fixedColor": sparkline["lineColor"]}
    if old.get("valueName") == "name":
        options["textMode"] = "name"


def _thresholds(levels: Any, colours: Any) -> dict[str, Any]:
    """`generateThresholds`: a base step, then one per level."""
    colours = list(colours or [])
    steps = [{"color": colours[0] if colours else "green", "value": None}]
    for i, level in enumerate(_levels(",".join(str(v) for v in levels or []))):
        steps.append({"color": colours[i + 1] if i + 1 < len(colours) else colours[-1], "value": level})
    return {"mode": "absolute", "steps": steps}


def _style_defaults(style: dict[str, Any]) -> dict[str, Any]:
    """`migrateDefaults`."""
    custom: dict[str, Any] = {}
    if style.get("align") not in (None, "auto"):
        custom["align"] = style["align"]
    if style.get("colorMode") in _COLOR_MODES:
        custom["cellOptions"] = {"type": _COLOR_MODES[style["colorMode"]]}
    out = {k: v for k, v in (("unit", style.get("unit")), ("decimals", style.get("decimals")),
                             ("displayName", style.get("alias"))) if v is not None}
    out["custom"] = custom
    if style.get("thresholds"):
        out["thresholds"] = _thresholds(style["thresholds"], style.get("colors"))
    return out


def _style_override(style: dict[str, Any]) -> dict[str, Any]:
    """`migrateTableStyleToOverride`."""
    pattern = str(style.get("pattern", ""))
    regex = pattern.startswith("/")
    props: list[dict[str, Any]] = []
    if style.get("alias"):
        props.append({"id": "displayName", "value": style["alias"]})
    if style.get("unit"):
        props.append({"id": "unit", "value": style["unit"]})
    if style.get("decimals"):
        props.append({"id": "decimals", "value": style["decimals"]})
    if style.get("type") == "date":
        props.append({"id": "unit", "value": f"time: {style.get('dateFormat')}"})
    if style.get("type") == "hidden":
        props.append({"id": "custom.hidden", "value": True})
    if style.get("link"):
        props.append({"id": "links", "value": [{"title": style.get("linkTooltip") or "",
                                                "url": style.get("linkUrl") or "",
                                                "targetBlank": bool(style.get("linkTargetBlank"))}]})
    if style.get("colorMode") in _COLOR_MODES:
        props.append({"id": "custom.cellOptions", "value": {"type": _COLOR_MODES[style["colorMode"]]}})
    if style.get("align") not in (None, "auto"):
        props.append({"id": "custom.align", "value": style["align"]})
    if style.get("thresholds"):
        props.append({"id": "thresholds", "value": _thresholds(style["thresholds"], style.get("colors"))})
    return {"matcher": {"id": "byRegexp" if regex else "byName", "options": pattern}, "properties": props}


def table(old: dict[str, Any], kept: dict[str, Any]) -> None:
    """table-old -> table: `tablePanelChangedHandler`."""
    transformations = list(kept.get("transformations") or [])
    if old.get("transform") in _TRANSFORMS:
        opts: dict[str, Any] = {"reducers": []}
        if old["transform"] == "timeseries_aggregations":
            opts["includeTimeField"] = False
            opts["reducers"] = [_COLUMNS.get(c.get("value")) for c in old.get("columns") or []]
        transformations.append({"id": _TRANSFORMS[old["transform"]], "options": opts})
    styles = [s for s in old.get("styles") or [] if isinstance(s, dict)]
    default = next((s for s in styles if s.get("pattern") == "/.*/"), None)
    kept["transformations"] = transformations
    kept["fieldConfig"] = {"defaults": _style_defaults(default) if default else {"custom": {}},
                           "overrides": [_style_override(s) for s in styles if s.get("pattern") != "/.*/"]}
    kept["options"] = {}
