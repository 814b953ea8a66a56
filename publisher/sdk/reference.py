"""docs/sdk.md, the SDK's reference, generated from the docstrings and signatures: `python -m publisher.sdk.reference`.

tests/test_sdk_help.py checks that the committed page is what this writes, so that it never drifts.
"""

from __future__ import annotations

import importlib
import inspect
import sys
from typing import Any

import attrs

GROUPS = (
    ("Dashboards", ("Dashboard", "Link", "Datasource", "Query", "GridPos")),
    ("Panels", ("timeseries", "stat", "gauge", "heatmap", "breakdown", "bargauge", "state_timeline", "barchart",
                "piechart", "table", "Column", "logs", "text", "Panel")),
    ("PromQL panels", ("rate", "ratio", "quantile", "histogram_heatmap")),
    ("Value mappings", ("value_map", "ValueMap", "RangeMap", "RegexMap", "SpecialMap")),
    ("Overrides", ("Override",)),
    ("Transformations", ("organize", "merge", "reduce", "filter_by_name", "join_by_field", "sort_by",
                         "calculate_field", "Transformation")),
    ("Links", ("link", "data_link")),
    ("Thresholds and units", ("thresholds", "high_is_bad", "low_is_bad", "Thresholds", "units")),
    ("Variables", ("label_values", "custom", "datasource_variable")),
    ("Grafana JSON as written", ("panel", "library_panel", "GrafanaPanel")),
    ("Saved log queries and grafana.com dashboards", ("LogQuery", "saved_queries_dashboard", "GrafanaCom")),
    ("SLO dashboards", ("slo_dashboard",)),
    ("Errors", ("DashboardError", "AngularPanelError")),
)
_CLASS_METHODS = {"Override": ("by_name", "by_regex", "by_query", "by_type"), "Dashboard": ("row", "panels")}


def _doc(obj: Any) -> str:
    return inspect.cleandoc(obj.__doc__ or "").strip()


def _factories(obj: Any) -> dict[str, str]:
    """An attrs class's defaults made by a factory (`[]`, `{}`), which its signature shows as NOTHING."""
    if not (inspect.isclass(obj) and attrs.has(obj)):
        return {}
    out = {}
    for f in attrs.fields(obj):
        if isinstance(f.default, attrs.Factory):
            made = None if f.default.takes_self else f.default.factory()
            out[f.name.lstrip("_")] = repr(made) if made in ([], {}, (), "") else "<computed>"
    return out


def _signature(name: str, obj: Any) -> str:
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return name
    factories = _factories(obj)
    params = []
    for p in sig.parameters.values():
        text = ("*" if p.kind is p.VAR_POSITIONAL else "**" if p.kind is p.VAR_KEYWORD else "") + p.name
        if p.annotation is not p.empty:
            text += f": {p.annotation if isinstance(p.annotation, str) else inspect.formatannotation(p.annotation)}"
        if p.name in factories:
            text += f" = {factories[p.name]}"
        elif p.default is not p.empty:
            text += f" = {p.default!r}"
        params.append(text)
    return f"{name}({', '.join(params)})"


def _entry(name: str, obj: Any) -> list[str]:
    if inspect.ismodule(obj):
        constants = [f"`{k}` = {v!r}" for k, v in vars(obj).items()
                     if k.isupper() and not k.startswith("_") and isinstance(v, str)]
        return [f"### `{name}`", "", _doc(obj).split("\n\n")[0], "", "Constants: " + ", ".join(constants), ""]
    out = [f"### `{name}`", "", "```python", _signature(name, obj), "```", "", _doc(obj), ""]
    for method in _CLASS_METHODS.get(name, ()):
        fn = getattr(obj, method)
        out += ["```python", _signature(f"{name}.{method}", fn), "```", "", _doc(fn), ""]
    return out


def render() -> str:
    sdk = importlib.import_module("publisher.sdk")
    shared = importlib.import_module("publisher.sdk.shared")
    lines = ["# The dash SDK reference", "",
             "Generated from the docstrings by `python -m publisher.sdk.reference > docs/sdk.md`; do not edit.", "",
             "```python", "from publisher.sdk import Dashboard, Datasource, rate, stat, table, units", "```", "",
             "## Keywords every panel helper takes", "", "```", _doc(shared).split("\n\n", 1)[1], "```", ""]
    for group, names in GROUPS:
        lines += [f"## {group}", ""]
        for name in names:
            lines += _entry(name, getattr(sdk, name))
    return "\n".join(lines).rstrip() + "\n"


def documented() -> set[str]:
    return {name for _, names in GROUPS for name in names}


if __name__ == "__main__":
    sys.stdout.write(render())
