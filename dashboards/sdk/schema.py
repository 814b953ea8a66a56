"""Validation against Grafana's own dashboard JSON schema.

The schemas under `schemas/` are copied byte for byte from
grafana/grafana-foundation-sdk (commit f178d5a4, Apache-2.0), generated from
Grafana's CUE kinds: the classic dashboard model (Grafana v12.3.3), one
schema per core panel plugin for `options` and `fieldConfig.defaults.custom`,
and the Prometheus and Loki query models.

The panel and query schemas mark options as required that Grafana fills in
with defaults when they are absent; a missing option is therefore not an
error. A wrong type, an unknown key or a value outside an enum is.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any, Iterator

import attrs


@attrs.frozen
class SchemaError:
    path: str  # a JSON pointer-like path, e.g. panels/3/fieldConfig/defaults/unit
    message: str
    panel_title: str | None = None
    schema: str = "dashboard"  # or "panel:<type>", "query:<type>"


def _load(name: str) -> dict[str, Any]:
    return json.loads(resources.files("dashboards.sdk").joinpath("schemas", name).read_text())


@functools.cache
def _validator(name: str, definition: str | None = None):
    from jsonschema import Draft7Validator

    schema = _load(name)
    if definition is not None:
        # loki.jsonschema.json's root $ref says "Dataquery" but its definition is
        # named "dataquery": match the name without regard to case.
        names = {key.lower(): key for key in schema.get("definitions", {})}
        schema = {**schema, "$ref": f"#/definitions/{names.get(definition.lower(), definition)}"}
    return Draft7Validator(schema)


_PANEL_SCHEMAS = {
    "barchart": "barchart", "bargauge": "bargauge", "gauge": "gauge", "heatmap": "heatmap",
    "histogram": "histogram", "logs": "logs", "piechart": "piechart", "stat": "stat",
    "state-timeline": "statetimeline", "table": "table", "text": "text", "timeseries": "timeseries",
}
_QUERY_SCHEMAS = {"prometheus": "prometheus", "loki": "loki"}


def _path(parts: Any) -> str:
    return "/".join(str(p) for p in parts) or "(root)"


def _leaves(error) -> list:
    """For oneOf/anyOf, the errors of the branch the instance came closest to.

    A panel is "a Panel or a RowPanel"; reporting "not valid under any of the
    given schemas" helps nobody. The branch whose errors lie deepest is the one
    the panel matched best (a timeseries fails the RowPanel branch at the top).
    """
    if not error.context:
        return [error]
    branches: dict[int, list] = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    best = max(branches.values(), key=lambda errs: min(len(e.absolute_path) for e in errs))
    return [leaf for sub in best for leaf in _leaves(sub)]


def _errors(
    validator, instance: Any, prefix: list[Any], title: str | None, lenient: bool, schema: str = "dashboard"
) -> Iterator[SchemaError]:
    for top in validator.iter_errors(instance):
        for error in _leaves(top):
            if lenient and error.validator == "required":
                continue  # Grafana fills in absent options with their defaults
            yield SchemaError(
                _path(prefix + list(error.absolute_path)), error.message, title or _title_at(instance, error), schema
            )


def _title_at(instance: Any, error) -> str | None:
    """The title of the panel an error lies in, when the path goes through one."""
    path = list(error.absolute_path)
    node, title = instance, None
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and "type" in node and "title" in node:
            title = node.get("title")
    return title


def _all_panels(dashboard: dict[str, Any]) -> Iterator[tuple[list[Any], dict[str, Any]]]:
    for i, panel in enumerate(dashboard.get("panels") or []):
        if not isinstance(panel, dict):
            continue
        yield ["panels", i], panel
        for j, child in enumerate(panel.get("panels") or [] if panel.get("type") == "row" else []):
            if isinstance(child, dict):
                yield ["panels", i, "panels", j], child


def validate(dashboard: dict[str, Any]) -> list[SchemaError]:
    """Every schema error in `dashboard`: the dashboard model, then each panel's options and queries."""
    errors = list(_errors(_validator("dashboard.jsonschema.json"), dashboard, [], None, lenient=False))
    for path, panel in _all_panels(dashboard):
        title = panel.get("title")
        plugin = _PANEL_SCHEMAS.get(panel.get("type", ""))
        if plugin:
            if isinstance(panel.get("options"), dict):
                v = _validator(f"panels/{plugin}.jsonschema.json", "Options")
                errors += _errors(v, panel["options"], path + ["options"], title, True, f"panel:{plugin}")
            custom = (panel.get("fieldConfig") or {}).get("defaults", {}).get("custom")
            definitions = _load_definitions(f"panels/{plugin}.jsonschema.json")
            if isinstance(custom, dict) and "FieldConfig" in definitions:
                v = _validator(f"panels/{plugin}.jsonschema.json", "FieldConfig")
                errors += _errors(v, custom, path + ["fieldConfig", "defaults", "custom"], title, True, f"panel:{plugin}")
        for k, target in enumerate(panel.get("targets") or []):
            ds = (target.get("datasource") or panel.get("datasource") or {}) if isinstance(target, dict) else {}
            query = _QUERY_SCHEMAS.get(ds.get("type", "") if isinstance(ds, dict) else "")
            if query:
                v = _validator(f"queries/{query}.jsonschema.json", "Dataquery")
                errors += _errors(v, target, path + ["targets", k], title, True, f"query:{query}")
    return errors


@functools.cache
def _load_definitions(name: str) -> dict[str, Any]:
    return _load(name).get("definitions", {})
