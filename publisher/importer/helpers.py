"""SDK helpers that reproduce a panel exactly: a helper call is written only where it gives the very panel.

For a `timeseries`, `stat`, `gauge` or `text` panel on the dashboard's own datasource, the helper's
arguments are read back from the JSON (queries, unit, thresholds, min and max, legend...); a
timeseries whose query is an idiom of `rate`, `ratio` or `quantile` is tried as that helper first
(promql_helpers.py). The call
is then written as source, evaluated with the SDK, and rendered on a scratch dashboard with the
same datasource; only if that panel equals the source panel in every value (id and position
aside: the layout writes those) is the call used. Anything else stays `panel(...)`, so a helper
never changes a value.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from . import promql_helpers
from .check import compare
from .literal import literal

_HELPERS = ("timeseries", "stat", "gauge", "text")
_NAMES = (*_HELPERS, "rate", "ratio", "quantile", "Query", "thresholds", "high_is_bad", "low_is_bad")
# What each helper writes when it is given no thresholds (panels.py: NEUTRAL, and a gauge's high_is_bad(75, 90)).
_DEFAULT_THRESHOLDS = {"timeseries": 'thresholds("blue")', "stat": 'thresholds("blue")', "gauge": "high_is_bad(75, 90)"}


@attrs.frozen
class Context:
    """What a helper needs from the dashboard: its datasource (a Datasource) and the constant that names it."""

    datasource: Any
    name: str


@attrs.frozen
class Helper:
    function: str
    args: tuple[str, ...]

    def call(self, layout: list[str]) -> str:
        return f"{self.function}({', '.join([*self.args, *layout])})"


def _query(target: dict[str, Any]) -> str | None:
    expr = target.get("expr")
    if not isinstance(expr, str) or not expr.strip():
        return None
    kw = [f"legend={literal(target['legendFormat'])}"] if target.get("legendFormat") else []
    kw += [f"{k}={literal(target[k])}" for k in ("instant", "interval", "hide") if target.get(k)]
    if target.get("format") not in (None, "time_series"):
        kw.append(f"format={literal(target['format'])}")
    return f"Query({', '.join([literal(expr), *kw])})"


def _thresholds(config: Any, default: str) -> str | None:
    """The thresholds as the SDK declares them (None: the helper's default, or none to give)."""
    steps = (config or {}).get("steps") or []
    if not steps or steps[0].get("value") is not None:
        return None
    base, pairs = steps[0].get("color"), [(s.get("value"), s.get("color")) for s in steps[1:]]
    percentage = config.get("mode") == "percentage"
    colours = [c for _, c in pairs]
    if not percentage and len(pairs) == 2 and (base, *colours) == ("green", "orange", "red"):
        text = f"high_is_bad({literal(pairs[0][0])}, {literal(pairs[1][0])})"
    elif not percentage and len(pairs) == 2 and (base, *colours) == ("red", "orange", "green"):
        text = f"low_is_bad({literal(pairs[0][0])}, {literal(pairs[1][0])})"
    else:
        body = ", ".join([literal(base), *[f"({literal(v)}, {literal(c)})" for v, c in pairs]])
        text = f"thresholds({body}{', percentage=True' if percentage else ''})"
    return None if text == default else text


def _common(p: dict[str, Any]) -> list[str] | None:
    """Title, queries, unit, description and thresholds: what every data helper takes (each its defaults)."""
    queries = [_query(t) for t in p.get("targets") or []]
    defaults = (p.get("fieldConfig") or {}).get("defaults") or {}
    if not queries or None in queries or not isinstance(defaults.get("unit"), str):
        return None
    args = [literal(p.get("title", "")), *queries, f"unit={literal(defaults['unit'])}"]
    if p.get("description"):
        args.append(f"description={literal(p['description'])}")
    shown = _thresholds(defaults.get("thresholds"), _DEFAULT_THRESHOLDS.get(str(p.get("type")), ""))
    if shown:
        args.append(f"thresholds={shown}")
    return args


def _timeseries(p: dict[str, Any]) -> list[str] | None:
    args = _common(p)
    if args is None:
        return None
    defaults = p["fieldConfig"]["defaults"]
    custom = defaults.get("custom") or {}
    legend = (p.get("options") or {}).get("legend") or {}
    if (custom.get("stacking") or {}).get("mode") == "normal":
        args.append("stack=True")
    if custom.get("fillOpacity") not in (None, 10):
        args.append(f"fill={literal(custom['fillOpacity'])}")
    args += [f"{k}={literal(defaults[k])}" for k in ("min", "max") if k in defaults]
    if legend.get("displayMode") not in (None, "list"):
        args.append(f"legend={literal(legend['displayMode'])}")
    if legend.get("calcs"):
        args.append(f"legend_calcs={literal(legend['calcs'])}")
    return args


def _stat(p: dict[str, Any]) -> list[str] | None:
    args = _common(p)
    if args is None:
        return None
    options = p.get("options") or {}
    calcs = (options.get("reduceOptions") or {}).get("calcs") or ["lastNotNull"]
    if calcs != ["lastNotNull"]:
        args.append(f"reduce={literal(calcs[0])}")
    if options.get("graphMode") == "none":
        args.append("graph=False")
    decimals = p["fieldConfig"]["defaults"].get("decimals")
    return args + ([f"decimals={literal(decimals)}"] if decimals is not None else [])


def _gauge(p: dict[str, Any]) -> list[str] | None:
    args = _common(p)
    if args is None:
        return None
    defaults = p["fieldConfig"]["defaults"]
    args += [f"{k}={literal(defaults[k])}" for k in ("min", "max") if k in defaults]
    calcs = ((p.get("options") or {}).get("reduceOptions") or {}).get("calcs") or ["lastNotNull"]
    return args + ([f"reduce={literal(calcs[0])}"] if calcs != ["lastNotNull"] else [])


def _text(p: dict[str, Any]) -> list[str] | None:
    content = (p.get("options") or {}).get("content", p.get("content"))
    if not isinstance(content, str):
        return None
    extra = [f"description={literal(p['description'])}"] if p.get("description") else []
    return [literal(p.get("title", "")), literal(content), *extra]


_READERS = {"timeseries": _timeseries, "stat": _stat, "gauge": _gauge, "text": _text}


def _rendered(call: str, context: Context) -> dict[str, Any] | None:
    """The panel the call renders on a scratch dashboard with the context's datasource (None if it fails)."""
    from .. import sdk

    namespace = {name: getattr(sdk, name) for name in _NAMES}
    try:
        built = eval(call, namespace)  # noqa: S307 - source this module wrote from JSON literals
        scratch = sdk.Dashboard("scratch", uid="scratch", datasource=context.datasource).panels(built)
        return scratch.to_json()["panels"][0]
    except Exception:  # noqa: BLE001 - whatever fails, the call is not the panel's helper
        return None


def recognise(p: dict[str, Any], context: Context | None) -> Helper | None:
    """The helper call that renders exactly `p`, or None."""
    reader = _READERS.get(str(p.get("type")))
    if reader is None or context is None:
        return None
    ref = context.datasource.ref_via("datasource")
    if p.get("type") != "text" and p.get("datasource") != ref:
        return None
    args = reader(p)
    if args is None:
        return None

    def renders(call: str) -> bool:
        rendered = _rendered(call, context)
        return rendered is not None and not compare(_placed_aside(p), _placed_aside(rendered))

    if p.get("type") == "timeseries":
        for function, fixed, optional in promql_helpers.candidates(p, args):
            found = promql_helpers.shortest(function, fixed, optional, renders)
            if found is not None:
                return Helper(function, tuple(found))
    helper = Helper(str(p["type"]), tuple(args))
    return helper if renders(helper.call([])) else None


def _placed_aside(panel: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in panel.items() if k not in ("id", "gridPos")}


def _dash_datasource(v: Any) -> Context | None:
    """The Datasource a variable stands for, when it is the very variable the SDK writes for one."""
    from ..sdk import DashboardError, Datasource
    from ..sdk.modernise import to_plain, variable
    from ..sdk.variables import datasource_variable

    if not isinstance(v, dict) or v.get("type") != "datasource" or not str(v.get("name", "")).startswith("datasource"):
        return None
    current = v.get("current") or {}
    try:
        ds = Datasource(str(current.get("text")), type=str(v.get("query")), uid=str(current.get("value")))
        title = "Data source" if v["name"] == "datasource" else f"{ds.name} data source"
        written = variable(to_plain(datasource_variable(v["name"], ds, title=title)))
    except DashboardError:
        return None
    if compare(v, written):
        return None
    name = re.sub(r"[^A-Za-z0-9]+", "_", ds.name).strip("_").upper() or "DATASOURCE"
    return Context(ds, name if name.isidentifier() else f"DS_{name}")


def dash_datasources(dashboard: dict[str, Any]) -> list[Context]:
    """The datasources whose variables are the SDK's own (a round trip of dash's output), the default first.

    Only these become `Datasource(...)` declarations: a declared datasource is provisioned and published, so
    one is declared only where a dash project declared it."""
    listed = (dashboard.get("templating") or {}).get("list") or []
    found = [c for c in (_dash_datasource(v) for v in listed) if c is not None]
    names = [c.name for c in found]
    return [c for i, c in enumerate(found) if c.name not in names[:i]]


def default_datasource(dashboard: dict[str, Any]) -> Context | None:
    """The dashboard's datasource: its first variable, when that is the SDK's `datasource` variable."""
    listed = (dashboard.get("templating") or {}).get("list") or []
    context = _dash_datasource(listed[0]) if listed else None
    return context if context is not None and listed[0].get("name") == "datasource" else None
