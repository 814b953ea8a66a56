"""Service level objectives: one definition gives the recording rules, the burn-rate alerts (with their
promtool tests), the routing cases and what the SLO dashboard shows.

    API_AVAILABILITY = SLO(
        "api-availability", "api", objective=99.9, window="30d",
        sli=ratio(errors='http_requests_total{status=~"5.."}', total="http_requests_total"),
        runbook_url="https://example.com/runbooks/ErrorBudgetBurn.md",
    )
    RuleFile("slo_rules.yml", [s.rule_group() for s in SLOS])

The alerts are the multiwindow, multi-burn-rate alerts of the Google SRE workbook ("Alerting on
SLOs"): a burn rate is the error ratio divided by the error budget (1 - objective); 1 spends the
budget in exactly the SLO window. The factors (14.4, 6, 3, 1) are the workbook's for a 30-day window:
14.4 for 1h spends 2% of it, 6 for 6h 5%, 3 for 1d and 1 for 3d 10%. Each alert needs its long window
(the budget spent) and its short window (still burning now, so it resolves soon after the burn stops).

`page=` and `ticket=` are the labels the page (`severity: critical`) and ticket (`severity: warning`)
alerts add, which Alertmanager routes on; None: no such alerts.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import attrs

from .alertmanager import RoutingCase
from .rules import AlertRule, PanelLink, RecordingRule, RuleGroup
from .slo_sli import Latency, Ratio, latency, ratio
from .values import AlertsError, duration, label_set, seconds

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")  # the error ratios recorded (the alerts' windows)
ERROR_RATIO = "slo:sli_error:ratio_rate{window}"
OBJECTIVE = "slo:objective:ratio"
BUDGET_REMAINING = "slo:error_budget:remaining"
# A page waits 2m: one evaluation after a scrape gap or a deploy's blip must not wake anyone, and 2m is
# little against the 1h of budget-burn it reports. A ticket waits 15m: nobody acts on it at once, and the
# 2h/6h short windows would otherwise open and close tickets around a borderline burn.
FOR = {"page": "2m", "ticket": "15m"}
SEVERITY = {"page": "critical", "ticket": "warning"}
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@attrs.frozen
class BurnRate:
    """One alert: the burn rate stays above `factor` over both windows."""

    kind: str  # "page" or "ticket"
    factor: float
    long: str
    short: str


BURN_RATES = (BurnRate("page", 14.4, "1h", "5m"), BurnRate("page", 6, "6h", "30m"),
              BurnRate("ticket", 3, "1d", "2h"), BurnRate("ticket", 1, "3d", "6h"))


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_]", name))


def _number(value: float) -> str:
    """A float as PromQL and the reader want it: 0.001, not 0.0010000000000000009."""
    return repr(round(value, 12))


@attrs.frozen
class SLO:
    """A service level objective: `objective` percent of `sli`'s events are good over `window`.

    `runbook_url`: the runbook of its alerts (None: the Alerting's pattern); `dashboard_uid`: the SLO
    dashboard the alerts link to (default `slo-<service>`, the one `publisher.sdk.slo_dashboard` builds).
    """

    name: str  # the `slo` label: lower case, digits, - and _
    service: str  # the `service` label; one SLO dashboard per service
    sli: Ratio | Latency = attrs.field(kw_only=True)
    objective: float = attrs.field(default=99.9, kw_only=True)  # percent
    window: str = attrs.field(default="30d", kw_only=True)
    page: Mapping[str, str] | None = attrs.field(factory=dict, kw_only=True)
    ticket: Mapping[str, str] | None = attrs.field(factory=dict, kw_only=True)
    runbook_url: str | None = attrs.field(default=None, kw_only=True)
    dashboard_uid: str | None = attrs.field(default=None, kw_only=True)
    description: str = attrs.field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise AlertsError(f"SLO name {self.name!r} must be lower case letters, digits, '-' and '_', "
                              "e.g. SLO('api-availability', 'api', ...): it becomes the `slo` label")
        where = f"SLO {self.name!r}"
        if not isinstance(self.service, str) or not _NAME.match(self.service):
            raise AlertsError(f"{where}: service {self.service!r} must be lower case letters, digits, '-' and "
                              "'_', e.g. 'api': it becomes the `service` label")
        if not isinstance(self.sli, (Ratio, Latency)):
            raise AlertsError(f"{where}: sli= must be ratio(errors=..., total=...) or latency(histogram=..., "
                              f"threshold=...), got {type(self.sli).__name__}")
        self.sli.check(where)
        if isinstance(self.objective, bool) or not isinstance(self.objective, (int, float)) \
                or not 0 < self.objective < 100:
            raise AlertsError(f"{where}: objective={self.objective!r} must be a percentage between 0 and 100, "
                              "e.g. objective=99.9")
        duration(self.window, f"{where}: window")
        if seconds(self.window) < seconds(WINDOWS[-1]):
            raise AlertsError(f"{where}: window={self.window!r} is shorter than the longest alert window (3d); "
                              "an SLO window is usually 28d or 30d")
        for kind in ("page", "ticket"):
            self._check_labels(kind, getattr(self, kind))
        from .slo_tests import ABOVE  # the generated firing case burns ABOVE x 14.4 the budget: below 1

        if self.page is not None and ABOVE * BURN_RATES[0].factor * self.budget >= 1:
            raise AlertsError(f"{where}: objective={self.objective} leaves a budget of {self.budget:.2%}: the page's "
                              f"test burns it {_number(ABOVE * BURN_RATES[0].factor)}x (10% above 14.4x), which would "
                              "need more than 100% errors; raise the objective (at least 93.69) or give page=None")

    def _check_labels(self, kind: str, labels: Mapping[str, str] | None) -> None:
        if labels is None:
            return
        where = f"SLO {self.name!r}: {kind}"
        if not isinstance(labels, Mapping):
            raise AlertsError(f"{where}= must be the labels its alerts add, e.g. {kind}={{'team': 'api'}}, "
                              f"or None for no {kind} alerts; got {labels!r}")
        label_set(labels, where)
        reserved = {"slo", "service"} & set(labels)
        if reserved:
            raise AlertsError(f"{where}: {', '.join(sorted(reserved))} is set from the SLO itself; "
                              "give other labels (severity, team, ...)")

    # --- what it means --------------------------------------------------------------

    @property
    def budget(self) -> float:
        """The error budget: the share of events that may be bad, 1 - objective."""
        return round((100 - self.objective) / 100, 12)

    @property
    def uid(self) -> str:
        return self.dashboard_uid or f"slo-{self.service}"

    @property
    def labels(self) -> dict[str, str]:
        return {"slo": self.name, "service": self.service}

    def selector(self, metric: str) -> str:
        return f'{metric}{{slo="{self.name}"}}'

    def burn_rate(self, window: str) -> str:
        """The burn rate over `window`, from its recording rule."""
        return f"{self.selector(ERROR_RATIO.format(window=window))} / {_number(self.budget)}"

    def panel_title(self, what: str) -> str:
        """The SLO dashboard's panel titles: "sli", "budget", "page" and "ticket"."""
        return {"sli": f"{self.name}: SLI", "budget": f"{self.name}: error budget remaining",
                "page": f"{self.name}: burn rate (page windows)",
                "ticket": f"{self.name}: burn rate (ticket windows)"}[what]

    # --- the rules ------------------------------------------------------------------

    def recording_rules(self) -> list[RecordingRule]:
        """The error ratio over each alert window and the SLO window, the objective, the budget left."""
        rules = [RecordingRule(ERROR_RATIO.format(window=w), self.sli.error_ratio(w), self.labels) for w in WINDOWS]
        # Over the SLO window: the mean of the 5m ratios (as Sloth does), not a rate() over 30 days of raw
        # samples at every evaluation. Each 5m window with traffic counts alike whatever its traffic; one
        # without traffic has no 5m ratio (not NaN), so it is left out rather than poisoning 30 days.
        ratio_5m = self.selector(ERROR_RATIO.format(window="5m"))
        rules.append(RecordingRule(ERROR_RATIO.format(window=self.window),
                                   f"avg_over_time({ratio_5m}[{self.window}])", self.labels))
        rules.append(RecordingRule(OBJECTIVE, f"vector({_number(self.objective / 100)})", self.labels))
        rules.append(RecordingRule(
            BUDGET_REMAINING,
            f"1 - {self.selector(ERROR_RATIO.format(window=self.window))} / {_number(self.budget)}", self.labels))
        return rules

    def burn_rates(self) -> list[BurnRate]:
        return [b for b in BURN_RATES if getattr(self, b.kind) is not None]

    def alert_name(self, burn: BurnRate) -> str:
        return f"{_camel(self.name)}BurnRate{burn.long}"

    def alert_labels(self, burn: BurnRate) -> dict[str, str]:
        return {"severity": SEVERITY[burn.kind], **dict(getattr(self, burn.kind))}

    def description_of(self, burn: BurnRate, value: str = '{{ $value | printf "%.1f" }}') -> str:
        """An alert's description; `value` is the burn rate over the long window (a test gives it rendered)."""
        spent = burn.factor * seconds(burn.long) / seconds(self.window)
        return (f"The {self.name} SLO ({_number(self.objective)}% over {self.window}) burns its error budget "
                f"{value}x as fast as it can sustain over the last {burn.long}, and still over the last "
                f"{burn.short}. Above {_number(burn.factor)}x for {burn.long}, {spent:.0%} of the budget is gone.")

    def alerts(self) -> list[AlertRule]:
        from .slo_tests import cases

        out = []
        for burn in self.burn_rates():
            out.append(AlertRule(
                alert=self.alert_name(burn),
                expr=f"{self.burn_rate(burn.long)} > {_number(burn.factor)}\n"
                     f"and\n{self.burn_rate(burn.short)} > {_number(burn.factor)}",
                for_=FOR[burn.kind],
                labels=self.alert_labels(burn),
                summary=f"SLO {self.name}: error budget burning {_number(burn.factor)}x too fast ({burn.kind})",
                description=self.description_of(burn),
                dashboard=PanelLink(self.uid, self.panel_title(burn.kind)),
                runbook_url=self.runbook_url,
                tests=cases(self, burn),
            ))
        return out

    def rule_group(self) -> RuleGroup:
        """Its recording rules, then its alerts (rules of a group run in order: the alerts see this evaluation's
        ratios)."""
        return RuleGroup(f"slo-{self.name}", [*self.recording_rules(), *self.alerts()])

    # --- what else uses it ----------------------------------------------------------

    def routing_cases(self, page: list[str] | tuple[str, ...] = (),
                      ticket: list[str] | tuple[str, ...] = ()) -> list[RoutingCase]:
        """RoutingCases: each alert's exact labels must reach `page` (or `ticket`) receivers."""
        wanted = {"page": tuple(page), "ticket": tuple(ticket)}
        return [RoutingCase({"alertname": self.alert_name(b), **self.labels, **self.alert_labels(b)}, wanted[b.kind])
                for b in self.burn_rates() if wanted[b.kind]]

    def view(self) -> dict[str, Any]:
        """What the SLO dashboard shows, as plain data for publisher.sdk.slo_dashboard (which cannot import
        alerts/): titles, the queries of the recording rules, the alerts' windows and thresholds."""
        burns = self.burn_rates()
        return {
            "name": self.name,
            "description": self.description or self.sli.describe(),
            "objective": round(self.objective / 100, 12),
            "window": self.window,
            "titles": {k: self.panel_title(k) for k in ("sli", "budget", "page", "ticket")},
            "sli": f"1 - {self.selector(ERROR_RATIO.format(window='5m'))}",
            "sli_window": f"1 - {self.selector(ERROR_RATIO.format(window=self.window))}",
            "objective_query": self.selector(OBJECTIVE),
            "budget": self.selector(BUDGET_REMAINING),
            "burn": {kind: {w: self.burn_rate(w) for w in sorted({w for b in burns if b.kind == kind
                                                                  for w in (b.short, b.long)}, key=seconds)}
                     for kind in ("page", "ticket")},
            "thresholds": {kind: [b.factor for b in burns if b.kind == kind] for kind in ("page", "ticket")},
        }


__all__ = ["BURN_RATES", "SLO", "BurnRate", "Latency", "Ratio", "latency", "ratio"]
