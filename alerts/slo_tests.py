"""The promtool test cases of an SLO's burn-rate alerts, generated from its definition.

For each alert, on a steady 10,000 events a minute (1 m steps):

- it fires when the error ratio burns the budget 10% faster than its factor: pending at `for`, firing one
  step later (the first ratio needs two samples, at 1m), with the burn rate in its description;
- it stays silent 10% below its factor;
- a page stays silent once the burn has stopped for longer than its short window, although its long
  window still holds three times the factor's errors: the short window is what resolves it (for a
  ticket, 2h and 6h windows, the same case would cost promtool seconds of 1m steps);
- a page stays silent after clean traffic and then a burst at three times its factor, long enough to fire
  on the short window alone: the short window is above the factor, the long one below it, so an alert
  that forgot its long window fails (5m input steps for the 6h page; a ticket's would need a day of clean
  traffic at promtool's 1m evaluations: seconds);
- for a latency SLI with a whole-second threshold, a page's firing case again with `le="1.0"`, as
  Prometheus 3 (and Python's client) spell the bucket: the expression must give the same result.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rules import Fires, Silent
from .values import seconds

if TYPE_CHECKING:
    from .slo import SLO, BurnRate

PER_STEP = 10000  # events a step (a minute unless a case says otherwise) in every generated series
ABOVE, BELOW = 1.1, 0.9  # the firing and the silent case burn 10% above and below the factor


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
    """The SLI's input series for phases of (steps, error share)."""
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
    above, below = ABOVE * factor, BELOW * factor
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
    if burn.kind == "page" and 3 * factor * budget <= 1:  # a ticket's: a day of 1m evaluations, ~5 s
        out.append(_long_window_case(slo, burn))
    spellings = getattr(slo.sli, "spellings", lambda: [])()
    if len(spellings) > 1 and burn.kind == "page":
        out.append(Fires(f'burning at {above:.2f}x, le="{spellings[1]}" as Prometheus 3 writes it',
                         series=_input(slo, [(length, above * budget)], le=spellings[1]), pending_at=f"{wait}m",
                         at=f"{at}m", labels=slo.labels, annotations=description))
    return out


def _long_window_case(slo: "SLO", burn: "BurnRate") -> Silent:
    """Clean traffic, then a burst at 3x the factor: the short window burns above the factor, the long one
    below it. The burst lasts half the short window + `for` + 3m: 3x over a third of the short window already
    passes the factor, so an alert on its short window alone would fire by then. The clean part is 3 bursts,
    less than the long window (a whole one would cost promtool ~1 s of 1m evaluations for the 6h page), so
    the long window holds all the case's samples: its burn is 3/4 of the factor."""
    from .slo import FOR

    long, short = _minutes(burn.long), _minutes(burn.short)
    step = 1 if short <= 5 else 5  # minutes between input samples; the short window keeps 6+ samples
    burst = -(-(short // 2 + _minutes(FOR[burn.kind]) + 3) // step) * step  # rounded up to whole steps
    clean = 3 * burst
    assert clean + burst <= long, burn  # the long window holds the whole case: a burn of 3/4 the factor
    return Silent(f"{clean}m without errors, then {burst}m at {3 * burn.factor:g}x: only the short window burns",
                  series=_input(slo, [(clean // step, 0), (burst // step, 3 * burn.factor * slo.budget)]),
                  at=f"{clean + burst}m", interval=f"{step}m")
