"""Whether a panel sets a unit, wherever Grafana keeps one (DASH051)."""

from __future__ import annotations

from typing import Any


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def has_unit(panel: dict[str, Any]) -> bool:
    """A unit in any of the places Grafana reads one from:

    - `fieldConfig.defaults.unit` (every panel since Grafana 7);
    - a field override with a `unit` property (`{"id": "unit", "value": "Bps"}`): per series;
    - `options.yAxis.unit` (heatmap);
    - `yaxes[].format` (the Angular graph panel) and `format` (singlestat), which Grafana's
      migrations turn into `fieldConfig.defaults.unit`.
    """
    field_config = _dict(panel.get("fieldConfig"))
    if _dict(field_config.get("defaults")).get("unit"):
        return True
    for override in _list(field_config.get("overrides")):
        for prop in _list(_dict(override).get("properties")):
            if _dict(prop).get("id") == "unit" and _dict(prop).get("value"):
                return True
    if _dict(_dict(panel.get("options")).get("yAxis")).get("unit"):
        return True
    if any(_dict(axis).get("format") for axis in _list(panel.get("yaxes"))):
        return True
    return panel.get("type") == "singlestat" and bool(panel.get("format"))
