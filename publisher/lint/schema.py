"""Validation against Grafana's own dashboard JSON schema, with jsonschema.

The schemas under `schemas/` are copied byte for byte from
grafana/grafana-foundation-sdk (commit f178d5a4, Apache-2.0), generated from
Grafana's CUE kinds: the classic dashboard model (Grafana v12.3.3), one
schema per core panel plugin for `options` and `fieldConfig.defaults.custom`,
and the Prometheus and Loki query models.

The panel and query schemas mark options as required that Grafana fills in
with defaults when they are absent; a missing option is therefore not an
error. A wrong type, an unknown key or a value outside an enum is.

Speed. jsonschema interprets schemas in pure Python, and a whole dashboard
took about 15 ms: linting 200 dashboards took 3 s. Two things make it fast
without changing what is checked:
- each panel is validated against its own definition (Panel, or for rows the
  `oneOf` of Panel and RowPanel), not against the `oneOf` for every panel;
- the big, repetitive parts (a panel's `fieldConfig`, its plugin `options`
  and `custom`, a query with its free-text fields blanked) are validated once
  per distinct content and the result reused: dashboards repeat them a lot.
Both are exact: `fieldConfig` is a plain `$ref` in Panel, a non-row panel can
never match RowPanel (its `type` is the constant "row"), and the blanked
fields are only typed as strings.

Where the schemas are wrong about what Grafana writes, `schema_patches.py`
corrects them as they are loaded. Panels Grafana migrates when it loads the
dashboard (the pre-5.0 `rows` layout, the Angular panels in `MIGRATED_TYPES`)
are not held to the current Panel model: only their plugin options (when
their type has a schema) and their queries are.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterator

import attrs
import orjson
from jsonschema import Draft7Validator

from ..dashboard_json import PanelAt, walk_panels
from . import datasources
from .schema_patches import patched

if TYPE_CHECKING:
    pass

# getPanelPluginToMigrateTo.ts: Angular panels Grafana turns into their successors on load (graph ->
# timeseries, singlestat -> stat...); their saved JSON is the old plugin's model, which no schema here describes.
MIGRATED_TYPES = frozenset({"graph", "singlestat", "grafana-singlestat-panel", "table-old", "grafana-piechart-panel",
                            "grafana-worldmap-panel"})


@attrs.frozen
class SchemaError:
    path: str  # a JSON pointer-like path, e.g. panels/3/fieldConfig/defaults/unit
    message: str
    panel_title: str | None = None
    schema: str = "dashboard"  # or "panel:<type>", "query:<type>"
    panel_id: int | None = None  # the panel's id, so that a finding points at the line that made it


def _load(name: str) -> dict[str, Any]:
    return patched(name, json.loads(resources.files("publisher.lint").joinpath("schemas", name).read_text()))


@functools.cache
def _validator(name: str, definition: str | None = None, one_of: tuple[str, ...] = ()) -> Draft7Validator:
    schema = _load(name)
    if definition is not None:
        # loki.jsonschema.json's root $ref says "Dataquery" but its definition is
        # named "dataquery": match the name without regard to case.
        names = {key.lower(): key for key in schema.get("definitions", {})}
        schema = {**schema, "$ref": f"#/definitions/{names.get(definition.lower(), definition)}"}
    if one_of:
        schema = {k: v for k, v in schema.items() if k != "$ref"}
        schema["oneOf"] = [{"$ref": f"#/definitions/{d}"} for d in one_of]
    return Draft7Validator(schema)


_PANEL_SCHEMAS = {
    "barchart": "barchart", "bargauge": "bargauge", "gauge": "gauge", "heatmap": "heatmap",
    "histogram": "histogram", "logs": "logs", "piechart": "piechart", "stat": "stat",
    "state-timeline": "statetimeline", "table": "table", "text": "text", "timeseries": "timeseries",
}
_QUERY_SCHEMAS = {"prometheus": "prometheus", "loki": "loki"}
_FREE_TEXT = ("expr", "legendFormat", "refId")  # typed only as strings in the query schemas
_PANEL_TEXT = ("title", "description")  # typed only as strings in Panel
_DASHBOARD_TEXT = ("title", "uid", "description")  # typed only as strings in Dashboard


def _blank(obj: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """`obj` with the string values of `keys` emptied: the schema checks only that they are strings."""
    return {k: ("" if k in keys and isinstance(v, str) else v) for k, v in obj.items()}


def _path(parts: Any) -> str:
    return "/".join(str(p) for p in parts) or "(root)"


def _leaves(error) -> list:
    """For oneOf/anyOf, the errors of the branch the instance came closest to.

    "Not valid under any of the given schemas" helps nobody. The branch whose
    errors lie deepest is the one the instance matched best.
    """
    if not error.context:
        return [error]
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    best = max(branches.values(), key=lambda errs: min(len(e.absolute_path) for e in errs))
    return [leaf for sub in best for leaf in _leaves(sub)]


def _raw_errors(validator, instance: Any, lenient: bool) -> list[tuple[tuple[Any, ...], str]]:
    out = []
    for top in validator.iter_errors(instance):
        for error in _leaves(top):
            if lenient and error.validator == "required":
                continue  # Grafana fills in absent options with their defaults
            out.append((tuple(error.absolute_path), error.message))
    return out


_memo: dict[tuple[Any, ...], list[tuple[tuple[Any, ...], str]]] = {}
_MEMO_LIMIT = 50_000


def _memo_errors(key: tuple[Any, ...], validator, instance: Any, lenient: bool) -> list[tuple[tuple[Any, ...], str]]:
    """The errors of `instance`, computed once per distinct content."""
    try:
        content = orjson.dumps(instance, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # not JSON (a user's odd object): validate without the cache
        return _raw_errors(validator, instance, lenient)
    memo_key = (*key, content)
    found = _memo.get(memo_key)
    if found is None:
        if len(_memo) > _MEMO_LIMIT:
            _memo.clear()
        found = _memo[memo_key] = _raw_errors(validator, instance, lenient)
    return found


def _emit(raw, prefix: list[Any], panel: dict[str, Any] | None, schema: str, root: Any = None) -> Iterator[SchemaError]:
    """SchemaErrors at `prefix` + each path: of `panel` when given, else of the panel the path goes through."""
    for path, message in raw:
        at = panel if panel is not None else _panel_at(root, path)
        title = at.get("title") if isinstance(at, dict) and isinstance(at.get("title"), str) else None
        panel_id = at.get("id") if isinstance(at, dict) and isinstance(at.get("id"), int) else None
        yield SchemaError(_path(prefix + list(path)), message, title, schema, panel_id)


def _panel_at(instance: Any, path: tuple[Any, ...]) -> dict[str, Any] | None:
    """The innermost panel an error at `path` (from the dashboard's root) lies in, if any."""
    node, panel = instance, None
    for i, part in enumerate(path):
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and i > 0 and path[i - 1] == "panels":
            panel = node
    return panel


def _row_errors(row: dict[str, Any], prefix: list[Any]) -> Iterator[SchemaError]:
    """A row (`"type": "row"`) against RowPanel: its own keys; its panels are checked one by one."""
    own = {**row, "panels": []} if isinstance(row.get("panels"), list) else row
    raw = _raw_errors(_validator("dashboard.jsonschema.json", "RowPanel"), own, False)
    yield from _emit(raw, prefix, row, "dashboard")


def _panel_errors(panel: dict[str, Any], prefix: list[Any]) -> Iterator[SchemaError]:
    """One panel against the dashboard schema: its own definition, fieldConfig validated once per content."""
    name = "dashboard.jsonschema.json"
    rest = _blank({k: v for k, v in panel.items() if k != "fieldConfig"}, _PANEL_TEXT)
    if isinstance(rest.get("targets"), list):  # Panel checks only that each target is an object
        rest["targets"] = [{} if isinstance(t, dict) else t for t in rest["targets"]]
    raw = _memo_errors(("Panel",), _validator(name, "Panel"), rest, False)
    yield from _emit(raw, prefix, panel, "dashboard")
    if "fieldConfig" in panel:
        raw = _memo_errors(("fieldConfig",), _validator(name, "FieldConfigSource"), panel["fieldConfig"], False)
        yield from _emit(raw, prefix + ["fieldConfig"], panel, "dashboard")


def _plugin_errors(path: list[Any], panel: dict[str, Any], variables: dict[str, Any]) -> Iterator[SchemaError]:
    kind = panel.get("type")
    plugin = _PANEL_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if plugin:
        file = f"panels/{plugin}.jsonschema.json"
        if isinstance(panel.get("options"), dict):
            raw = _memo_errors((file, "Options"), _validator(file, "Options"), panel["options"], True)
            yield from _emit(raw, path + ["options"], panel, f"panel:{plugin}")
        field_config = panel.get("fieldConfig") if isinstance(panel.get("fieldConfig"), dict) else {}
        defaults = field_config.get("defaults") if isinstance(field_config.get("defaults"), dict) else {}
        custom = defaults.get("custom")
        if isinstance(custom, dict) and "FieldConfig" in _load_definitions(file):
            raw = _memo_errors((file, "FieldConfig"), _validator(file, "FieldConfig"), custom, True)
            yield from _emit(raw, path + ["fieldConfig", "defaults", "custom"], panel, f"panel:{plugin}")
    targets = panel.get("targets")
    for k, target in enumerate(targets if isinstance(targets, list) else []):
        if not isinstance(target, dict):
            continue
        query = _QUERY_SCHEMAS.get(datasources.query_type(target, panel, variables) or "")
        if query:
            file = f"queries/{query}.jsonschema.json"
            blanked = {k2: ("" if k2 in _FREE_TEXT and isinstance(v, str) else v) for k2, v in target.items()}
            raw = _memo_errors((file, "Dataquery"), _validator(file, "Dataquery"), blanked, True)
            yield from _emit(raw, path + ["targets", k], panel, f"query:{query}")


def _model_errors(at: PanelAt) -> Iterator[SchemaError]:
    """A panel's errors against the current panel model, unless Grafana migrates it on load."""
    panel = at.panel
    if at.legacy or panel.get("type") in MIGRATED_TYPES:
        return
    if panel.get("type") == "row":
        yield from _row_errors(panel, list(at.path))
    else:
        yield from _panel_errors(panel, list(at.path))


def validate(dashboard: dict[str, Any]) -> list[SchemaError]:
    """Every schema error in `dashboard`: the dashboard model, then each panel's options and queries."""
    name = "dashboard.jsonschema.json"
    panels = dashboard.get("panels", []) if isinstance(dashboard, dict) else None
    if not isinstance(panels, list):  # not the usual shape: let the whole schema speak
        return list(_emit(_raw_errors(_validator(name), dashboard, False), [], None, "dashboard", dashboard))
    top = _blank({**dashboard, "panels": []} if "panels" in dashboard else dashboard, _DASHBOARD_TEXT)
    if isinstance(top.get("tags"), list):
        top["tags"] = ["" if isinstance(t, str) else t for t in top["tags"]]
    errors = list(_emit(_memo_errors(("Dashboard",), _validator(name), top, False), [], None, "dashboard", dashboard))
    variables = datasources.variables(dashboard)
    for i, panel in enumerate(panels):
        if not isinstance(panel, dict):  # the walker yields panels only
            raw = _raw_errors(_validator(name, one_of=("Panel", "RowPanel")), panel, False)
            errors += _emit(raw, ["panels", i], None, "dashboard")
    for at in walk_panels(dashboard):  # rows' panels, collapsed or not, and the pre-5.0 rows' too
        if not isinstance(at.panel.get("type"), str) and not at.legacy:
            errors += _emit(_raw_errors(_validator(name, "Panel"), at.panel, False), list(at.path), at.panel,
                            "dashboard")
            continue
        errors += _model_errors(at)
        errors += _plugin_errors(list(at.path), at.panel, variables)
    return errors


@functools.cache
def _load_definitions(name: str) -> dict[str, Any]:
    return _load(name).get("definitions", {})
