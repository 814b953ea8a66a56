"""Which datasource a panel or query uses, and of which type: the one rule every check applies.

The query language of a target is its datasource's plugin type, resolved as Grafana does:
- the target's own `datasource`, else its panel's; a panel of the mixed datasource (`-- Mixed --`)
  has no type of its own, so each of its targets decides;
- a `{type, uid}` reference: its type; without a type, a uid that names a datasource variable
  (`$ds`, `${ds}`) takes that variable's plugin type (its `query`: "prometheus", "loki"), a
  built-in uid its built-in type;
- a string (dashboards before schemaVersion 33 name their datasource; DashboardMigrator.ts turns
  names into references at 33): a variable or a built-in the same way, any other name unknown.
An unknown type is not guessed: the query is then not parsed as PromQL or LogQL.
"""

from __future__ import annotations

import re
from typing import Any

#: Grafana's built-in datasources, by uid or name, and their types.
BUILTIN = {"-- Grafana --": "grafana", "grafana": "grafana", "-- Mixed --": "mixed", "-- Dashboard --": "dashboard"}
VAR_REF = re.compile(r"^\$\{?(\w+)\}?$")
NAMES_UNTIL = 33  # DashboardMigrator.ts: `if (oldVersion < 33)` migrates datasource names to references


def variables(dashboard: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The dashboard's template variables by name, and the datasource inputs of an export for sharing.

    An exported dashboard refers to `${DS_PROMETHEUS}`, an entry of its `__inputs` that Grafana's import
    replaces with the datasource the user picks: for lint it is a datasource variable of that plugin type."""
    templating = dashboard.get("templating") if isinstance(dashboard, dict) else None
    items = templating.get("list") if isinstance(templating, dict) else None
    items = items if isinstance(items, list) else []
    found = {v["name"]: v for v in items if isinstance(v, dict) and isinstance(v.get("name"), str)}
    inputs = dashboard.get("__inputs") if isinstance(dashboard, dict) else None
    for item in inputs if isinstance(inputs, list) else []:
        if isinstance(item, dict) and item.get("type") == "datasource" and isinstance(item.get("name"), str):
            found.setdefault(item["name"], {"name": item["name"], "type": "datasource", "query": item.get("pluginId")})
    return found


def _variable_type(name: str, variables: dict[str, dict[str, Any]]) -> str | None:
    var = variables.get(name)
    if var is None or var.get("type") != "datasource" or not isinstance(var.get("query"), str):
        return None
    return var["query"]


def ref_type(ref: Any, variables: dict[str, dict[str, Any]]) -> str | None:
    """The plugin type of one datasource reference ("mixed" for the mixed datasource), or None."""
    if isinstance(ref, dict):
        kind, uid = ref.get("type"), ref.get("uid")
        if isinstance(kind, str) and kind and kind != "datasource":
            return kind
        ref = uid
    if not isinstance(ref, str):
        return None
    if ref in BUILTIN:
        return BUILTIN[ref]
    match = VAR_REF.match(ref)
    return _variable_type(match.group(1), variables) if match else None


def _given(ref: Any) -> bool:
    return ref is not None and ref != {} and ref != ""


def query_type(target: dict[str, Any], panel: dict[str, Any], variables: dict[str, dict[str, Any]]) -> str | None:
    """The plugin type of the datasource that runs `target` (a panel's query), or None when unknown."""
    own = target.get("datasource")
    kind = ref_type(own if _given(own) else panel.get("datasource"), variables)
    return None if kind == "mixed" else kind


def variable_query_type(var: dict[str, Any], variables: dict[str, dict[str, Any]]) -> str | None:
    """The plugin type of the datasource a query variable asks."""
    return ref_type(var.get("datasource"), variables)


def problem(ref: Any, variables: dict[str, dict[str, Any]], known: frozenset[str] | None,
            schema_version: Any = None) -> str | None:
    """None when the datasource reference resolves, else why it does not (DASH022)."""
    if ref is None or ref == "":
        return None  # the panel's (or Grafana's default) datasource
    if isinstance(ref, str):
        if VAR_REF.match(ref):
            return _variable_problem(ref, {}, variables, known)
        if ref in BUILTIN:
            return None
        if isinstance(schema_version, int) and schema_version < NAMES_UNTIL and known is None:
            return None  # a name, which Grafana turns into a reference when it loads the dashboard
        return f"datasource {ref!r} is a bare name; Grafana wants a {{type, uid}} reference"
    if not isinstance(ref, dict) or not isinstance(ref.get("uid"), str):
        return f"datasource {ref!r} has no uid"
    uid = ref["uid"]
    if uid in BUILTIN:
        return None
    if VAR_REF.match(uid):
        return _variable_problem(uid, ref, variables, known)
    if known is not None and uid not in known:
        return f"datasource uid {uid!r} is no declared datasource (declared: {', '.join(sorted(known)) or 'none'})"
    return None


def undeclared_defaults(variables: dict[str, dict[str, Any]], known: frozenset[str] | None) -> list[str]:
    """Why each datasource variable whose default is not a datasource the project declares is a risk (DASH023).

    Not an error: where the default is missing, Grafana shows the type's default datasource instead
    (an imported dashboard's variables name the datasources of the instance it came from)."""
    out = []
    for name, var in sorted(variables.items()):
        current = var.get("current")
        default = current.get("value") if isinstance(current, dict) else None
        if known is None or var.get("type") != "datasource" or default in known or default in (None, "", []):
            continue
        out.append(f"datasource variable {name!r} defaults to {default!r}, which this project does not declare; "
                   f"where it does not exist, Grafana falls back to the default {var.get('query') or ''} datasource")
    return out


def _variable_problem(uid: str, ref: dict[str, Any], variables: dict[str, dict[str, Any]],
                      known: frozenset[str] | None) -> str | None:
    name = VAR_REF.match(uid).group(1)
    var = variables.get(name)
    if var is None:
        return f"datasource uid {uid!r} names no variable of this dashboard"
    if var.get("type") != "datasource":
        return f"datasource uid {uid!r} names a {var.get('type')!r} variable, not a datasource variable"
    if isinstance(ref, dict) and ref.get("type") and var.get("query") and ref["type"] != var["query"]:
        return f"datasource of type {ref['type']!r} uses variable {name!r} of type {var['query']!r}"
    return None
