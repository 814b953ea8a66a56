"""How a changed value reads in a plan: short, with the old and the new side by side.

    refresh: '1m' → '5m'
    thresholds: 70 (orange) → 80 (orange)
    query A: rate(http_requests_total[[-5m-]{+10m+}])
    mapping '0: Down' removed

The reviewer should never have to open the JSON to learn what a line means.
"""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

ARROW = "→"
SHORT = 60  # a value longer than this is cut, an expression longer than this is shown as a word diff
_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")


def shown(value: Any, limit: int = SHORT) -> str:
    """A value as a plan shows it: strings quoted, absence as 'none', the rest as compact JSON, cut at `limit`."""
    if value is None:
        return "none"
    text = repr(value) if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit - 1] + "…"


def change(old: Any, new: Any) -> str:
    return f"{shown(old)} {ARROW} {shown(new)}"


def expression_change(old: str | None, new: str | None) -> str:
    """Both expressions when short; a word diff ([-removed-]{+added+}) of the new one when either is long."""
    if old is None or new is None or max(len(old), len(new)) <= SHORT:
        return f"{old if old is not None else 'none'} {ARROW} {new if new is not None else 'none'}"
    a, b = _TOKEN.findall(old), _TOKEN.findall(new)
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append("".join(a[i1:i2]))
            continue
        if i2 > i1:
            out.append("[-" + "".join(a[i1:i2]) + "-]")
        if j2 > j1:
            out.append("{+" + "".join(b[j1:j2]) + "+}")
    return "".join(out)


def _steps(thresholds: Any) -> list[tuple[Any, Any]]:
    steps = thresholds.get("steps") if isinstance(thresholds, dict) else None
    return [(s.get("value"), s.get("color")) for s in steps or [] if isinstance(s, dict)]


def _step(value: Any, colour: Any) -> str:
    return f"{'base' if value is None else _number(value)} ({colour})"


def _number(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def thresholds_change(old: Any, new: Any) -> str:
    """`70 (orange) → 80 (orange)` step by step when the number of steps is the same, else both lists."""
    a, b = _steps(old), _steps(new)
    modes = [t.get("mode") if isinstance(t, dict) else None for t in (old, new)]
    parts = []
    if modes[0] != modes[1]:
        parts.append(f"mode {change(*modes)}")
    if len(a) == len(b):
        parts += [f"{_step(*x)} {ARROW} {_step(*y)}" for x, y in zip(a, b) if x != y]
    else:
        parts.append(f"{', '.join(_step(*x) for x in a) or 'none'} {ARROW} {', '.join(_step(*y) for y in b) or 'none'}")
    return "; ".join(parts)


def mapping_texts(mappings: Any) -> list[str]:
    """Each value mapping as the text a reviewer recognises: '0: Down', '10-20: Warm', '/err.*/: Error'."""
    out = []
    for mapping in mappings if isinstance(mappings, list) else []:
        if not isinstance(mapping, dict):
            continue
        options = mapping.get("options") or {}
        kind = mapping.get("type")
        if kind == "value" and isinstance(options, dict):
            out += [f"{key}: {_result(result)}" for key, result in sorted(options.items())]
        elif kind == "range":
            out.append(f"{options.get('from')}-{options.get('to')}: {_result(options.get('result'))}")
        elif kind == "regex":
            out.append(f"/{options.get('pattern')}/: {_result(options.get('result'))}")
        elif kind == "special":
            out.append(f"{options.get('match')}: {_result(options.get('result'))}")
        else:
            out.append(shown(mapping))
    return out


def _result(result: Any) -> str:
    if not isinstance(result, dict):
        return shown(result)
    text = result.get("text")
    colour = result.get("color")
    return (repr(text) if text is not None else "(no text)") + (f" ({colour})" if colour else "")


def mappings_words(label: str, old: Any, new: Any) -> list[str]:
    a, b = mapping_texts(old), mapping_texts(new)
    words = [f"{label}: mapping {t!r} removed" for t in a if t not in b]
    words += [f"{label}: mapping {t!r} added" for t in b if t not in a]
    return words or [f"{label}: mappings reordered"]


def keyed_changes(old: dict[str, Any], new: dict[str, Any], keys: list[str] | None = None) -> list[str]:
    """`key: old → new` for each key that differs (all keys when `keys` is None)."""
    names = sorted(set(old) | set(new)) if keys is None else keys
    return [f"{k}: {change(old.get(k), new.get(k))}" for k in names if old.get(k) != new.get(k)]
