"""A migrated dashboard (schemaVersion 42, migrate.py) as the Python module that declares it.

The module reads as the SDK is written: one `Dashboard(...)` with the keywords it models (title,
uid, tags, time, refresh...), `grafana={...}` for the dashboard keys it does not (annotations,
variables and links as written, graphTooltip 2...), then `.row(...)` and `.panels(...)` calls laid
out as layout_fit.py decides. A panel is the SDK helper that reproduces it exactly (helpers.py),
else `panel(type, title, ...)` with Grafana's options as written (publisher/sdk/raw.py). Each
datasource reference the panels use is declared once, as a constant named after its variable or uid.
"""

from __future__ import annotations

import ast
import keyword
import re
from typing import Any

from ..dashboard_json import UID
from . import helpers
from .dashboard_args import dashboard_call
from .layout_fit import Part, fit
from .literal import canonical, keywords, literal

_FIRST_PANEL_KEYS = ("datasource", "description", "targets", "fieldConfig", "options")
_VARIABLE_UID = re.compile(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::\w+)?\}?$")


def slug(text: str, fallback: str = "dashboard") -> str:
    """A Python name from a title: lower case, words joined by '_'; never a keyword or a name the SDK exports."""
    from .. import sdk

    name = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or fallback
    name = f"d_{name}" if name[0].isdigit() else name
    return f"{name}_dashboard" if keyword.iskeyword(name) or name in sdk.__all__ else name


def uid_for(dashboard: dict[str, Any]) -> str:
    uid = dashboard.get("uid")
    if isinstance(uid, str) and UID.match(uid):
        return uid
    return re.sub(r"[^a-zA-Z0-9_-]+", "-", str(dashboard.get("title", "dashboard")).lower()).strip("-")[:40] or "dash"


def _refs(value: Any, into: list[dict[str, Any]]) -> None:
    """Every datasource reference ({type, uid} or {uid}) under a `datasource` key."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "datasource" and isinstance(item, dict) and set(item) <= {"type", "uid"} and item.get("uid"):
                into.append(item)
            else:
                _refs(item, into)
    elif isinstance(value, list):
        for item in value:
            _refs(item, into)


def datasource_constants(panels: list[dict[str, Any]]) -> dict[str, tuple[str, dict[str, Any]]]:
    """canonical(ref) -> (constant name, ref), in order of first use."""
    found: list[dict[str, Any]] = []
    _refs(panels, found)
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    taken: dict[str, Any] = {}  # name -> the plugin type of its reference
    for ref in found:
        key = canonical(ref)
        if key in out:
            continue
        match = _VARIABLE_UID.match(str(ref["uid"]))
        base = re.sub(r"[^A-Za-z0-9]+", "_", match.group(1) if match else str(ref["uid"])).strip("_").upper() or "DS"
        base = base if base.startswith("DS_") else f"DS_{base}"
        suffix = re.sub(r"[^A-Za-z0-9]+", "_", str(ref.get("type", ""))).strip("_").upper()
        other_type = base in taken and taken[base] != ref.get("type")  # `${datasource}` of another plugin
        name = base if base not in taken else f"{base}_{suffix}" if suffix and other_type else f"{base}_2"
        n = 2
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken[name] = ref.get("type")
        out[key] = (name, ref)
    return out


def _grid_text(g: dict[str, Any]) -> str:
    return f"GridPos({g.get('x', 0)}, {g.get('y', 0)}, {g.get('w', 1)}, {g.get('h', 1)})"


def panel_call(p: dict[str, Any], names: dict[str, str], layout: list[str], with_id: bool,
               context: helpers.Context | None = None) -> str:
    """One panel as a helper call or `panel(...)` / `library_panel(...)`; `layout` are its layout keywords."""
    # The SDK's helpers take no `id`: a panel whose id must be kept is written as panel(...), which does.
    helper = helpers.recognise(p, context) if not (with_id and "id" in p) else None
    if helper is not None:
        return helper.call(layout)
    rest = {k: v for k, v in p.items() if k not in ("type", "title", "id", "gridPos")}
    ordered = {k: rest.pop(k) for k in _FIRST_PANEL_KEYS if k in rest} | rest
    if "fieldConfig" in ordered:
        ordered = {("field_config" if k == "fieldConfig" else k): v for k, v in ordered.items()}
    head = [f"id={p['id']}"] if with_id and "id" in p else []
    if "libraryPanel" in p and "type" not in p:
        lib = ordered.pop("libraryPanel")
        args = [literal(lib.get("uid", "")), literal(lib.get("name", "")), *head, *layout]
        if set(lib) - {"uid", "name"}:
            ordered["libraryPanel"] = lib  # the reference as written, other keys and all
        if "title" in p:
            ordered = {"title": p["title"], **ordered}
        args += keywords(ordered, names)
        return f"library_panel({', '.join(args)})"
    title = p.get("title") if isinstance(p.get("title"), str) else ""
    args = [literal(p.get("type", "")), literal(title), *head, *layout, *keywords(ordered, names)]
    return f"panel({', '.join(args)})"


def _panel_layout(part: Part, i: int) -> list[str]:
    p = part.panels[i]
    if part.fixed:
        return [f"grid={_grid_text(p.get('gridPos') or {})}"]
    out = [f"width={part.widths[i]}"] if part.widths[i] is not None else []
    return out + ([f"height={part.heights[i]}"] if part.heights[i] is not None else [])


def section_call(var: str, part: Part, names: dict[str, str], with_id: bool,
                 context: helpers.Context | None = None) -> str:
    panels = [panel_call(p, names, _panel_layout(part, i), with_id, context) for i, p in enumerate(part.panels)]
    options = []
    if not part.fixed and part.height != 8:
        options.append(f"height={part.height}")
    if not part.fixed and part.per_line != 4:
        options.append(f"per_line={part.per_line}")
    if part.header is None:
        return f"{var}.panels({', '.join(panels + options)})"
    row = part.header
    title = row.get("title") if isinstance(row.get("title"), str) else ""
    extra = {k: v for k, v in row.items() if k not in ("type", "title", "id", "gridPos", "collapsed", "panels",
                                                       "repeat")}
    if not title.strip():
        extra["title"] = title
        title = "(untitled row)"
    if part.collapsed:
        options.append("collapsed=True")
    if isinstance(row.get("repeat"), str) and row["repeat"]:
        options.append(f"repeat={literal(row['repeat'])}")
    if part.header_grid is not None:
        options.append(f"grid={_grid_text(row.get('gridPos') or {})}")
    if with_id and "id" in row:
        options.append(f"id={row['id']}")
    if extra:
        options.append(f"grafana={literal(extra, names)}")
    return f"{var}.row({', '.join([literal(title), *panels, *options])})"


def _render_order_ids(parts: list[Part]) -> list[Any]:
    return [p.get("id") for part in parts for p in ([part.header] if part.header else []) + part.panels]


def generate(dashboard: dict[str, Any], source: str, folder: str | None = None) -> str:
    """The module's source (before `ruff format`)."""
    constants = datasource_constants(dashboard.get("panels") or [])
    names = {key: name for key, (name, _) in constants.items()}
    parts = fit(dashboard.get("panels") or [])
    ids = _render_order_ids(parts)
    with_id = ids != list(range(1, len(ids) + 1))
    var = slug(str(dashboard.get("title", "")))
    context = helpers.default_datasource(dashboard)
    calls = [section_call(var, part, names, with_id, context) for part in parts]
    body = "\n\n".join(calls)
    head = dashboard_call(var, dashboard, uid_for(dashboard), folder, names, context)
    referenced = called(f"{body}\n{head}", ast.Name)
    declared = [f"{c.name} = Datasource({literal(c.datasource.name)}, type={literal(c.datasource.type)}, "
                f"uid={literal(c.datasource.uid)})" for c in helpers.dash_datasources(dashboard)]
    used = {"Dashboard", *called(body), *called(head), *(["Datasource"] if declared else [])}
    lines = [
        f'"""{_docstring_text(dashboard.get("title"))}: imported by `dash import` from {_docstring_text(source)}.',
        "",
        "Panels that no SDK helper reproduces exactly are Grafana's JSON as written (`panel(...)`).",
        '"""',
        "",
        "# ruff: noqa: E501 - queries and texts are kept whole, as Grafana has them",
        "",
        f"from publisher.sdk import {', '.join(sorted(used, key=lambda n: (n[0].islower(), n)))}",
        "",
        *declared,
        *[f"{name} = {literal(ref)}" for name, ref in constants.values() if name in referenced],
        "",
        head,
        "",
        body,
        "",
    ]
    return "\n".join(lines)


def _docstring_text(value: Any) -> str:
    return str(value or "").replace("\\", "\\\\").replace('"""', "'''").replace("\n", " ")


def called(source: str, kind: type = ast.Call) -> set[str]:
    """The names the generated calls use (an SDK helper, `panel`, `GridPos`...: what the module imports), or with
    `kind=ast.Name` every name the source refers to (which constants it needs)."""
    tree = ast.parse(source)
    if kind is ast.Name:
        return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
    return {node.func.id for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
