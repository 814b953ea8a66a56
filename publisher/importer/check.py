"""The proof of an import: the module, built by dash, against the source after Grafana's load migrations.

`compare(expected, actual)` walks both JSON values and lists every difference as a `Difference`:
`lost` (the source has it, the build has not), `changed` (both, with other values) or `added`
(only the build has it: what dash writes of its own, such as a row's empty `panels`). Lost and
changed values fail the check; added ones are counted.

What the comparison normalises, and why (the whole list):

- a key set to `null` is a key not set: dash never writes `null` outside a threshold's base step,
  and Grafana reads both alike;
- the dashboard's `id`, `version` and `iteration` are the Grafana instance's bookkeeping (it sets
  them on save, whatever the JSON says), and an export's `__inputs`, `__requires` and `__elements`
  are instructions for the import itself (its inputs are resolved by migrate.py);
- nothing else: panel ids, positions, targets and options are compared as they are. Lists are
  compared item by item, in order.
"""

from __future__ import annotations

from typing import Any, Iterator

import attrs

IGNORED_DASHBOARD_KEYS = ("id", "version", "iteration", "__inputs", "__requires", "__elements")
_ABSENT = object()


@attrs.frozen
class Difference:
    kind: str  # "lost", "changed" or "added"
    path: str
    before: Any = None
    after: Any = None

    def line(self) -> str:
        before = "(absent)" if self.kind == "added" else _short(self.before)
        after = "(absent)" if self.kind == "lost" else _short(self.after)
        return f"{self.kind:<8} {self.path}: {before} -> {after}"


def _short(value: Any) -> str:
    import json

    text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def normalise(dashboard: dict[str, Any]) -> dict[str, Any]:
    out = _plain(dashboard)
    for key in IGNORED_DASHBOARD_KEYS:
        out.pop(key, None)
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _same(a: Any, b: Any) -> bool:
    """Equal JSON scalars: 1 and 1.0 are one number, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def _walk(before: Any, after: Any, path: str) -> Iterator[Difference]:
    if isinstance(before, dict) and isinstance(after, dict):
        for key, value in before.items():
            sub = f"{path}.{key}" if path else key
            if key in after:
                yield from _walk(value, after[key], sub)
            else:
                yield Difference("lost", sub, value)
        for key, value in after.items():
            if key not in before:
                yield Difference("added", f"{path}.{key}" if path else key, None, value)
    elif isinstance(before, list) and isinstance(after, list):
        for i in range(max(len(before), len(after))):
            sub = f"{path}[{i}]"
            if i >= len(after):
                yield Difference("lost", sub, before[i])
            elif i >= len(before):
                yield Difference("added", sub, None, after[i])
            else:
                yield from _walk(before[i], after[i], sub)
    elif not _same(before, after):
        yield Difference("changed", path, before, after)


def compare(expected: dict[str, Any], actual: dict[str, Any]) -> list[Difference]:
    """Every difference between the migrated source and the build, after `normalise`."""
    return list(_walk(normalise(expected), normalise(actual), ""))


def failures(differences: list[Difference]) -> list[Difference]:
    return [d for d in differences if d.kind != "added"]
