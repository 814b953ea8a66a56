"""Deterministic YAML that reads like a hand-written file.

Keys keep the order the model gives them (alert, expr, for, labels,
annotations...), multi-line strings are literal blocks, nothing is wrapped,
and the same data always gives the same bytes.
"""

from __future__ import annotations

from typing import Any

import yaml


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):  # noqa: ANN201
        return super().increase_indent(flow, False)  # indent list items under their key, as people do


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


def _list(dumper: yaml.SafeDumper, value: list) -> yaml.SequenceNode:
    """Short lists of plain values on one line, as people write them: [alertname, job]."""
    short = all(isinstance(v, (str, int, float)) and "\n" not in str(v) for v in value)
    flow = bool(value) and short and len(", ".join(map(str, value))) <= 60
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dumps(data: Any, header: str | None = None) -> str:
    text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, default_flow_style=False, width=1 << 16,
                     allow_unicode=True)
    return (f"# {header}\n" if header else "") + text
