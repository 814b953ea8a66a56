"""The values Prometheus and Alertmanager share, checked: durations and label names, and the error they raise."""

from __future__ import annotations

import re
from typing import Mapping

_DURATION = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
METRIC_NAME = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


class AlertsError(ValueError):
    """A rule, route or config that Prometheus or Alertmanager would refuse."""


def duration(value: str, where: str) -> str:
    """A Prometheus duration ("30s", "1h30m", "0s"); anything else is refused here."""
    if not isinstance(value, str) or not value or not _DURATION.match(value):
        raise AlertsError(f"{where}: {value!r} is not a Prometheus duration such as '30s', '5m' or '1h30m'")
    return value


def seconds(value: str) -> float:
    """A duration in seconds (for test timelines)."""
    units = {"y": 31536000, "w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
    return sum(int(n) * units[u] for n, u in re.findall(r"(\d+)(ms|[ywdhms])", value))


def label_set(value: Mapping[str, str], where: str) -> dict[str, str]:
    """A label set: names Prometheus accepts (none reserved with `__`), string values."""
    out = {}
    for key, val in dict(value or {}).items():
        if not LABEL_NAME.match(key) or key.startswith("__"):
            raise AlertsError(f"{where}: {key!r} is not a label name")
        if not isinstance(val, str):
            raise AlertsError(f"{where}: the value of label {key!r} must be a string, got {val!r}")
        out[key] = val
    return out
