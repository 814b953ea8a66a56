"""Thresholds in Grafana's current model.

Grafana stores thresholds as steps sorted by value whose first step is the
base colour, with the value JSON null (meaning -Infinity). grafanalib writes
the string "null" there, which Grafana's schema rejects. Here a threshold is
declared as a base colour and ascending (value, colour) steps, checked when it
is declared.
"""

from __future__ import annotations

import re
from typing import Any

import attrs

from .errors import DashboardError

_HUES = ("red", "orange", "yellow", "green", "blue", "purple")
_SHADES = ("", "dark-", "semi-dark-", "light-", "super-light-")
NAMED_COLOURS = frozenset(
    [shade + hue for hue in _HUES for shade in _SHADES] + ["text", "transparent"]
)
_CSS_COLOUR = re.compile(r"^(#[0-9a-fA-F]{3,8}|rgba?\([\d\s.,%]+\))$")


def check_colour(colour: str) -> str:
    if colour in NAMED_COLOURS or (isinstance(colour, str) and _CSS_COLOUR.match(colour)):
        return colour
    raise DashboardError(
        f"unknown colour {colour!r}: use a Grafana colour name such as 'green', 'orange', "
        "'red' or 'dark-red', or a CSS colour such as '#73BF69'"
    )


@attrs.frozen
class Thresholds:
    """A base colour and ascending (value, colour) steps."""

    base: str = "green"
    steps: tuple[tuple[float, str], ...] = ()
    percentage: bool = False  # values are % of the field's min..max range

    def __attrs_post_init__(self) -> None:
        check_colour(self.base)
        previous = None
        for step in self.steps:
            if not (isinstance(step, tuple) and len(step) == 2):
                raise DashboardError(f"threshold step {step!r} must be a (value, colour) pair")
            value, colour = step
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise DashboardError(f"threshold value {value!r} must be a number")
            check_colour(colour)
            if previous is not None and value <= previous:
                raise DashboardError(
                    f"threshold values must ascend: {value} comes after {previous}"
                )
            previous = value

    def to_json(self) -> dict[str, Any]:
        return {
            "mode": "percentage" if self.percentage else "absolute",
            "steps": [{"color": self.base, "value": None}]
            + [{"color": colour, "value": value} for value, colour in self.steps],
        }


def thresholds(base: str = "green", *steps: tuple[float, str], percentage: bool = False) -> Thresholds:
    """`thresholds("green", (70, "orange"), (90, "red"))`."""
    return Thresholds(base=base, steps=tuple(steps), percentage=percentage)


def high_is_bad(warning: float, critical: float) -> Thresholds:
    """Green, orange from `warning`, red from `critical` (CPU, latency, errors): `high_is_bad(75, 90)`."""
    return thresholds("green", (warning, "orange"), (critical, "red"))


def low_is_bad(critical: float, warning: float) -> Thresholds:
    """Red below `critical`, orange below `warning`, green above (conversion, uptime): `low_is_bad(0.9, 0.99)`."""
    return thresholds("red", (critical, "orange"), (warning, "green"))


NEUTRAL = Thresholds(base="blue")
