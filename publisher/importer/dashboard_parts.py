"""A dashboard's variables and links as SDK calls (`label_values`, `custom`, `Link`), where they give the same JSON.

Each candidate call is written as source, evaluated with the SDK and rendered on a scratch
dashboard; a list is written as calls only when every item renders exactly as the source has it
(else the list stays as written, in `grafana=`). The datasource variable the SDK writes for the
dashboard's datasource is left out of the calls: `Dashboard(datasource=...)` writes it.
"""

from __future__ import annotations

import re
from typing import Any

from .check import compare
from .helpers import Context
from .literal import literal

_LABEL_VALUES = re.compile(r"^label_values\((.+),\s*([A-Za-z_][A-Za-z0-9_]*)\)$")


def _label_values(v: dict[str, Any]) -> list[str]:
    match = _LABEL_VALUES.match(str(v.get("query") or ""))
    if v.get("type") != "query" or not match:
        return []
    metric, label = match.group(1).strip(), match.group(2)
    args = [literal(v.get("name")), literal(metric)] + ([literal(label)] if label != v.get("name") else [])
    if v.get("label"):
        args.append(f"title={literal(v['label'])}")
    if not v.get("multi"):
        args.append("multi=False")
    if not v.get("includeAll"):
        args.append("include_all=False")
    elif v.get("allValue") not in (None, ".*"):
        args.append(f"all_value={literal(v['allValue'])}")
    return [f"label_values({', '.join(args)})"]


def _custom(v: dict[str, Any]) -> list[str]:
    if v.get("type") != "custom" or not isinstance(v.get("query"), str):
        return []
    values = [part for part in v["query"].split(",")]
    current = (v.get("current") or {}).get("value")
    args = [literal(v.get("name")), literal(values)]
    if current is not None and current != values[0]:
        args.append(literal(current))
    if v.get("label"):
        args.append(f"title={literal(v['label'])}")
    return [f"custom({', '.join(args)})"]


def _evaluate(text: str, context: Context | None) -> Any:
    from .. import sdk

    namespace = {n: getattr(sdk, n) for n in ("label_values", "custom", "Link")}
    if context is not None:
        namespace[context.name] = context.datasource
    try:
        return eval(text, namespace)  # noqa: S307 - source this module wrote from JSON literals
    except Exception:  # noqa: BLE001 - whatever fails, the call does not write this item
        return None


def _scratch(context: Context | None, **kw: Any) -> dict[str, Any] | None:
    from .. import sdk

    try:
        return sdk.Dashboard("scratch", uid="scratch", datasource=context.datasource if context else None,
                             **kw).to_json()
    except Exception:  # noqa: BLE001 - whatever fails, the call does not write this item
        return None


def variables(d: dict[str, Any], context: Context | None) -> tuple[list[str], list[Any]] | None:
    """(texts, objects) for `variables=`, or None when a variable is not one an SDK call writes."""
    listed = list((d.get("templating") or {}).get("list") or [])
    if context is not None:
        listed = listed[1:]  # the datasource variable, which Dashboard(datasource=...) writes
    if not listed:
        return None
    texts, objects = [], []
    for v in listed:
        found = None
        for text in (_label_values(v) if isinstance(v, dict) else []) + (_custom(v) if isinstance(v, dict) else []):
            obj = _evaluate(text, context)
            rendered = _scratch(context, variables=[obj]) if obj is not None else None
            if rendered is not None and not compare({"v": v}, {"v": rendered["templating"]["list"][-1]}):
                found = (text, obj)
                break
        if found is None:
            return None
        texts.append(found[0])
        objects.append(found[1])
    return texts, objects


def links(d: dict[str, Any]) -> tuple[list[str], list[Any]] | None:
    """(texts, objects) for `links=`, or None when a link is not one `Link` writes."""
    listed = d.get("links") or []
    texts, objects = [], []
    for link in listed:
        if not isinstance(link, dict) or not isinstance(link.get("title"), str) or not isinstance(link.get("url"), str):
            return None
        url = link["url"]
        target = f"uid={literal(url[3:])}" if url.startswith("/d/") else f"url={literal(url)}"
        flags = [f"keep_time={literal(bool(link.get('keepTime')))}"] if not link.get("keepTime") else []
        flags += ["include_vars=True"] if link.get("includeVars") else []
        text = f"Link({', '.join([literal(link['title']), target, *flags])})"
        obj = _evaluate(text, None)
        rendered = _scratch(None, links=[obj]) if obj is not None else None
        if rendered is None or compare({"l": link}, {"l": rendered["links"][0]}):
            return None
        texts.append(text)
        objects.append(obj)
    return (texts, objects) if texts else None
