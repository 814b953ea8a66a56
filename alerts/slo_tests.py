"""The promtool test cases of an SLO's burn-rate alerts, generated from its definition.

For each alert, on a steady 10,000 events a minute (1 m steps):

- it fires when the error ratio burns the budget 10% faster than its factor: pending at `for`, firing one
  step later (the first ratio needs two samples, at 1m), with the burn rate in its description;
- it stays silent 10% below its factor;
- a page stays silent once the burn has stopped for longer than its short window, although its long
  window still holds three times the factor's errors: the short window is what resolves it (for a
  ticket, 2h and 6h windows, the same case would cost promtool seconds of 1m steps);
- for a latency SLI with a whole-second threshold, a page's firing case again with `le="1.0"`, as
  Prometheus 3 (and Python's client) spell the bucket: the expression must give the same result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rules import Fires, Silent
from .values import seconds

if TYPE_CHECKING:
    from .slo import SLO, BurnRate

PER_STEP = 10000  # events a minute in every generated series


def _num(value: float) -> str:
    return repr(round(value, 6))


def _counter(phases: list[tuple[int, float]]) -> str:
    """A counter in promtool's notation, increasing by `inc` for `steps` minutes per phase, with no flat step
    between phases: [(3, 10), (2, 0)] -> '0+10x3 30+0x1' (0 10 20 30 30 30)."""
    parts, value = [], 0.0
    for i, (steps, inc) in enumerate(phases):
        if i == 0:
            parts.append(f"0+{_num(inc)}x{steps}")
        else:
            parts.append(f"{_num(value + inc)}+{_num(inc)}x{steps - 1}")
        value += inc * steps
    return " ".join(parts)


def _input(slo: "SLO", phases: list[tuple[int, float]], le: str | None = None) -> dict[str, str]:
    """The SLI's input series for phases of (minutes, error share)."""
    values = {
        "bad": _counter([(n, PER_STEP * share) for n, share in phases]),
        "good": _counter([(n, PER_STEP * (1 - share)) for n, share in phases]),
        "total": _counter([(n, PER_STEP) for n, _ in phases]),
    }
    return slo.sli.test_input(f"SLO {slo.name!r}", values, le)


def _minutes(value: str) -> int:
    return int(seconds(value) // 60)


def cases(slo: "SLO", burn: "BurnRate") -> list[Fires | Silent]:
    from .slo import FOR

    budget, factor = slo.budget, burn.factor
    wait = _minutes(FOR[burn.kind])
    at, length = wait + 1, wait + 12
    above, below = 1.1 * factor, 0.9 * factor
    description = {"description": slo.description_of(burn, f"{above:.1f}")}
    out: list[Fires | Silent] = [
        Fires(f"burning at {above:.2f}x", series=_input(slo, [(length, above * budget)]), pending_at=f"{wait}m",
              at=f"{at}m", labels=slo.labels, annotations=description),
        Silent(f"burning at {below:.2f}x", series=_input(slo, [(length, below * budget)]), at=f"{at + 5}m"),
    ]
    quiet = _minutes(burn.short) + 5
    if burn.kind == "page" and 3 * factor * budget <= 1:  # a ticket's would take hours of 1m steps: ~5 s
        out.append(Silent(f"burnt at {3 * factor:g}x for {quiet}m, then {quiet}m without errors",
                          series=_input(slo, [(quiet, 3 * factor * budget), (quiet, 0)]), at=f"{2 * quiet}m"))
    spellings = getattr(slo.sli, "spellings", lambda: [])()
    if len(spellings) > 1 and burn.kind == "page":
        out.append(Fires(f'burning at {above:.2f}x, le="{spellings[1]}" as Prometheus 3 writes it',
                         series=_input(slo, [(length, above * budget)], le=spellings[1]), pending_at=f"{wait}m",
                         at=f"{at}m", labels=slo.labels, annotations=description))
    return out
