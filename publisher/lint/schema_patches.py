"""Where the vendored schemas are wrong about what Grafana writes, the one place that says so.

The files under `schemas/` stay byte for byte as generated (grafana-foundation-sdk); each
patch below is applied to the loaded schema, is as narrow as the fault, and cites the
Grafana source that shows what Grafana really writes or accepts. Each one still rejects a
real mistake (an unknown key, a wrong type): tests/test_lint_corpus.py tests both sides.

Two faults of the generator account for most of them:
- CUE's `_` (any value) came out as `{"type": "object"}`;
- CUE fields with a default (`bool | *false`, and open lists `[...T]`, whose default is `[]`)
  came out as required, though Grafana fills them in when they are absent.
"""

from __future__ import annotations

from typing import Any, Callable

ANY: dict[str, Any] = {}  # CUE's `_`: any JSON value
STRINGS = {"type": "array", "items": {"type": "string"}}
# packages/grafana-data/src/types/dataLink.ts: `interface DataLink { title: string; url: string;
# targetBlank?: boolean; ... }` -- what panel links and field (data) links are, not DashboardLink.
DATA_LINK = {"type": "array", "items": {"type": "object", "required": ["title", "url"],
                                        "properties": {"title": {"type": "string"}, "url": {"type": "string"},
                                                       "targetBlank": {"type": "boolean"}}}}


def _unrequire(definition: dict[str, Any], *names: str) -> None:
    definition["required"] = [r for r in definition.get("required", []) if r not in names]


def _dashboard(d: dict[str, Any]) -> None:
    dash = d["Dashboard"]
    # kinds/dashboard/dashboard_kind.cue: `templating?:`, `annotations?:`; DashboardModel.ts's
    # constructor: `this.annotations = this.ensureListExist(data.annotations)` (same for templating).
    _unrequire(dash, "templating", "annotations")
    dash["properties"].update({
        # DashboardExporter.ts ("Export for sharing externally") writes __inputs, __requires, __elements.
        "__inputs": {"type": "array", "items": {"type": "object"}},
        "__requires": {"type": "array", "items": {"type": "object"}},
        "__elements": {"type": ["object", "array"]},  # library panels by uid; some exports write [] (dotdc's)
        # DashboardModel.ts: `this.gnetId = data.gnetId || null`: Grafana writes null; a dashboard imported
        # from grafana.com carries its number there (1860).
        "gnetId": {"type": ["string", "integer", "null"]},
        # dashboard_kind.cue (schema 0.0): `style: "light" | *"dark"`; later kinds dropped it, old files keep it.
        "style": {"enum": ["light", "dark"]},
        # The pre-5.0 layout: DashboardMigrator.ts `if (oldVersion < 16) this.upgradeToGridLayout(old)`
        # turns `rows[].panels[]` into the grid; `hideControls` belongs to it. Its panels are linted one
        # by one (dashboard_json.walk_panels), not through this schema.
        "rows": {"type": "array", "items": {"type": "object"}},
        "hideControls": {"type": "boolean"},
    })
    # dashboard_kind.cue (schema 0.0) timepicker: `collapse`, `enable`, `time_options: [...string]`.
    d["TimePickerConfig"]["properties"].update(
        {"time_options": STRINGS, "collapse": {"type": "boolean"}, "enable": {"type": "boolean"}})
    # dashboard_kind.cue #DashboardLink: asDropdown/targetBlank/includeVars/keepTime are `bool | *false`
    # and tags `[...string]` (default []); icon and tooltip may be absent (DashboardLinks.tsx renders
    # `linkIconMap[link.icon]`: no icon when there is none; kube-prometheus' generated links omit both).
    # Title and type stay required.
    d["DashboardLink"]["required"] = ["title", "type"]


def _panel(d: dict[str, Any]) -> None:
    props = d["Panel"]["properties"]
    # PanelModel.ts declares `timeFrom?: any; timeShift?: any`; Grafana up to 7 saved them as null.
    for key in ("timeFrom", "timeShift"):
        props[key] = {"type": ["string", "null"]}
    props["links"] = DATA_LINK
    d["FieldConfig"]["properties"]["links"] = DATA_LINK  # dashboard_kind.cue #FieldConfig: `links?: [...]`
    # dashboard_kind.cue #FieldConfigSource: `overrides: [...{...}]`, an open list (default []).
    _unrequire(d["FieldConfigSource"], "overrides")
    # dashboard_kind.cue: #MatcherConfig `options?: _`, #DynamicConfigValue `value?: _`: Grafana writes
    # strings ("/.*out.*/", "negative-Y"), numbers, lists (value mappings) and null there.
    d["MatcherConfig"]["properties"]["options"] = ANY
    d["DynamicConfigValue"]["properties"]["value"] = ANY
    # dashboard_kind.cue #Threshold: `value?: number` ("nulls currently appear here when serializing
    # -Infinity"): the base step may have none. #ThresholdsConfig `mode`: every reader tests
    # `thresholds.mode === ThresholdsMode.Percentage`, so an absent mode is absolute.
    _unrequire(d["Threshold"], "value")
    _unrequire(d["ThresholdsConfig"], "mode")
    # transformDataFrame.ts: `options = { ...info.transformation.defaultOptions, ...config.options }`.
    _unrequire(d["DataTransformerConfig"], "options")
    # dashboard_kind.cue #RowPanel: `collapsed: bool | *false`, `panels: [...]` (default []).
    _unrequire(d["RowPanel"], "collapsed", "panels")


def _variables(d: dict[str, Any]) -> None:
    var = d["VariableModel"]["properties"]
    # dashboard_kind.cue #VariableModel: `query?: string | {...}` (the generator typed each value of
    # the object as an object); Prometheus writes {"query": "label_values(...)", "refId": "...", "qryType": 1}.
    var["query"] = {"type": ["string", "object"]}
    var["allValue"] = {"type": ["string", "null"]}  # older Grafana saved null for "no custom all value"
    # Tag variables of Grafana <= 7 (removed in 8.0; dashboards keep the keys, Grafana ignores them).
    var.update({"tags": {"type": "array"}, "tagsQuery": {"type": "string"},
                "tagValuesQuery": {"type": "string"}, "useTags": {"type": "boolean"}})
    # DashboardExporter.ts writes `current: {}` for the variables of a dashboard exported for sharing
    # (every variable of the rfmoz node-exporter-full export has it).
    _unrequire(d["VariableOption"], "text", "value")


def _timeseries(d: dict[str, Any]) -> None:
    # Grafana 12.2's "Show values" option of the time series panel: fieldConfig.defaults.custom.showValues
    # (a boolean; Grafana 12.2.1 writes `false` on every time series, e.g. in dotdc's k8s-views-pods export).
    # The Grafana sources we could read predate 12.2, so the type is taken from what Grafana writes.
    d["GraphFieldConfig"]["properties"]["showValues"] = {"type": "boolean"}


def _table(d: dict[str, Any]) -> None:
    # packages/grafana-schema/src/common/table.cue: each cell option is `type: TableCellDisplayMode & "auto"`
    # (& "sparkline", ...): a constant, which the generator lost, so {"type": "auto"} matched every branch
    # of the oneOf. The constant is each branch's default.
    for name, definition in d.items():
        if name.startswith("Table") and name.endswith("CellOptions") and "properties" in definition:
            definition["properties"]["type"] = {"const": definition["properties"]["type"]["default"]}
    # Grafana 12.2's table (TableNG) moved wrapping and the footer into the field config: Grafana 12.2.1
    # writes fieldConfig.defaults.custom.wrapText (a boolean) and .footer {"reducers": []} (dotdc's export;
    # as above, taken from what Grafana writes: the readable table.cue predates it).
    d["TableFieldOptions"]["properties"].update({
        "wrapText": {"type": "boolean"},
        "footer": {"type": "object", "additionalProperties": False,
                   "properties": {"reducers": STRINGS, "fields": STRINGS, "countRows": {"type": "boolean"}}},
    })


def _prometheus(d: dict[str, Any]) -> None:
    # The Prometheus query editor of Grafana <= 5 wrote `step` (seconds; now `interval`) and `metric`
    # (its metric picker); Grafana keeps a target's keys as they are, and exports still carry them.
    d["Dataquery"]["properties"].update({"step": {"type": ["number", "string"]}, "metric": {"type": "string"}})


PATCHES: dict[str, Callable[[dict[str, Any]], None]] = {
    "dashboard.jsonschema.json": lambda d: (_dashboard(d), _panel(d), _variables(d)),
    "panels/timeseries.jsonschema.json": _timeseries,
    "panels/table.jsonschema.json": _table,
    "queries/prometheus.jsonschema.json": _prometheus,
}


def patched(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` (the vendored file `name`, freshly loaded) with its patches applied."""
    patch = PATCHES.get(name)
    if patch is not None:
        patch(schema["definitions"])
    return schema
