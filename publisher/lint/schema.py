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
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import TYPE_CHECKING, Any, Iterator

import attrs
import orjson
from jsonschema import Draft7Validator

from ..dashboard_json import walk_panels

if TYPE_CHECKING:
    pass


@attrs.frozen
class SchemaError:
    path: str  # a JSON pointer-like path, e.g. panels/3/fieldConfig/defaults/unit
    message: str
    panel_title: str | None = None
    schema: str = "dashboard"  # or "panel:<type>", "query:<type>"


def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files("publisher.lint").joinpath("schemas", name).read_text())


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


def _emit(raw, prefix: list[Any], title: str | None, schema: str, root: Any) -> Iterator[SchemaError]:
    for path, message in raw:
        yield SchemaError(_path(prefix + list(path)), message, title or _title_at(root, path), schema)


def _title_at(instance: Any, path: tuple[Any, ...]) -> str | None:
    """The title of the panel an error lies in, when the path goes through one."""
    node, title = instance, None
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "type" in node and "title" in node:
            title = node.get("title")
    return title


def _panel_errors(panel: Any, prefix: list[Any], root: Any) -> Iterator[SchemaError]:
    """One panel against the dashboard schema: its own definition, fieldConfig validated once per content."""
    name = "dashboard.jsonschema.json"
    if not isinstance(panel, dict) or panel.get("type") == "row":
        raw = _raw_errors(_validator(name, one_of=("Panel", "RowPanel")), panel, False)
        yield from _emit(raw, prefix, None, "dashboard", root)
        return
    title = panel.get("title") if isinstance(panel.get("title"), str) else None
    rest = _blank({k: v for k, v in panel.items() if k != "fieldConfig"}, _PANEL_TEXT)
    if isinstance(rest.get("targets"), list):  # Panel checks only that each target is an object
        rest["targets"] = [{} if isinstance(t, dict) else t for t in rest["targets"]]
    raw = _memo_errors(("Panel",), _validator(name, "Panel"), rest, False)
    yield from _emit(raw, prefix, title, "dashboard", root)
    if "fieldConfig" in panel:
        raw = _memo_errors(("fieldConfig",), _validator(name, "FieldConfigSource"), panel["fieldConfig"], False)
        yield from _emit(raw, prefix + ["fieldConfig"], title, "dashboard", root)


def _plugin_errors(path: list[Any], panel: dict[str, Any]) -> Iterator[SchemaError]:
    title = panel.get("title")
    plugin = _PANEL_SCHEMAS.get(panel.get("type", ""))
    if plugin:
        file = f"panels/{plugin}.jsonschema.json"
        if isinstance(panel.get("options"), dict):
            raw = _memo_errors((file, "Options"), _validator(file, "Options"), panel["options"], True)
            yield from _emit(raw, path + ["options"], title, f"panel:{plugin}", panel)
        custom = (panel.get("fieldConfig") or {}).get("defaults", {}).get("custom")
        if isinstance(custom, dict) and "FieldConfig" in _load_definitions(file):
            raw = _memo_errors((file, "FieldConfig"), _validator(file, "FieldConfig"), custom, True)
            yield from _emit(raw, path + ["fieldConfig", "defaults", "custom"], title, f"panel:{plugin}", panel)
    for k, target in enumerate(panel.get("targets") or []):
        if not isinstance(target, dict):
            continue
        ds = target.get("datasource") or panel.get("datasource") or {}
        query = _QUERY_SCHEMAS.get(ds.get("type", "") if isinstance(ds, dict) else "")
        if query:
            file = f"queries/{query}.jsonschema.json"
            blanked = {k2: ("" if k2 in _FREE_TEXT and isinstance(v, str) else v) for k2, v in target.items()}
            raw = _memo_errors((file, "Dataquery"), _validator(file, "Dataquery"), blanked, True)
            yield from _emit(raw, path + ["targets", k], title, f"query:{query}", panel)


def validate(dashboard: dict[str, Any]) -> list[SchemaError]:
    """Every schema error in `dashboard`: the dashboard model, then each panel's options and queries."""
    name = "dashboard.jsonschema.json"
    panels = dashboard.get("panels") if isinstance(dashboard, dict) else None
    if not isinstance(panels, list):  # not the usual shape: let the whole schema speak
        return list(_emit(_raw_errors(_validator(name), dashboard, False), [], None, "dashboard", dashboard))
    top = _blank({**dashboard, "panels": []}, _DASHBOARD_TEXT)
    if isinstance(top.get("tags"), list):
        top["tags"] = ["" if isinstance(t, str) else t for t in top["tags"]]
    errors = list(_emit(_memo_errors(("Dashboard",), _validator(name), top, False), [], None, "dashboard", dashboard))
    for i, panel in enumerate(panels):
        errors += _panel_errors(panel, ["panels", i], dashboard)
    for at in walk_panels(dashboard):  # panels in collapsed rows too
        errors += _plugin_errors(list(at.path), at.panel)
    return errors


@functools.cache
def _load_definitions(name: str) -> dict[str, Any]:
    return _load(name).get("definitions", {})
