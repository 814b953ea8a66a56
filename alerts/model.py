"""Prometheus and Alertmanager configuration as Python objects that read like their YAML.

    AlertRule(
        alert="HighApiErrorRate",
        expr='sum(rate(http_requests_total{status=~"5.."}[5m])) / sum(rate(http_requests_total[5m])) > 0.05',
        for_="2m",
        labels={"severity": "critical"},
        summary="High API error rate (> 5%)",
        description="API error rate is {{ $value | humanizePercentage }} for the last 5 minutes.",
        dashboard=PanelLink("api-performance", "Error rate"),
    )

Invalid input is refused when the object is built, with an error that names
it: a bad duration, an empty or unparsable expression, a duplicate alert in a
group, a route to an unknown receiver, a relative secret path. Each object's
`to_yaml_data()` gives the plain structure of its part of the file (the caller
encodes it as YAML), and `alerts.build.render_files` gives every file's data.

This module is the public face: alert files import from here. The parts live
in alerts.rules (rule files, their rules and test cases), alerts.slo (SLOs: their
recording rules, burn-rate alerts and tests, from one definition), alerts.prometheus
(prometheus.yml), alerts.alertmanager (alertmanager.yml) and alerts.values
(durations, labels, AlertsError); `Alerting`, which ties them together, is here.
"""

from __future__ import annotations

import attrs

from .alertmanager import AlertmanagerConfig, Email, Inhibit, Receiver, Route, RoutingCase, Slack, Webhook
from .prometheus import PrometheusConfig, Relabel, ScrapeJob
from .rules import AlertRule, Fires, PanelLink, RecordingRule, RuleFile, RuleGroup, Silent
from .slo import SLO, latency, ratio
from .values import AlertsError, duration, seconds


@attrs.frozen(kw_only=True)
class Alerting:
    """What alerts/ builds, any part of it: prometheus.yml, rule files (with their promtool tests),
    alertmanager.yml (with its routing tests). Only what is given is written and checked:

        ALERTING = Alerting(rule_files=[RuleFile("service.yml", [RuleGroup("service", [HIGH_ERRORS])])])
    """

    prometheus: PrometheusConfig | None = None
    rule_files: tuple[RuleFile, ...] = attrs.field(default=(), converter=tuple)
    alertmanager: AlertmanagerConfig | None = None
    routing_cases: tuple[RoutingCase, ...] = attrs.field(default=(), converter=tuple)
    # A rule's runbook when it gives none: "{alert}" becomes the alert's name. None: such a rule has no
    # runbook_url (lint says so, DASH062); dash never invents one.
    runbook_url: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.routing_cases and self.alertmanager is None:
            raise AlertsError("routing_cases= test Alertmanager's routes: give alertmanager= too")
        if self.prometheus is None and not self.rule_files and self.alertmanager is None:
            raise AlertsError("Alerting(...) declares nothing: give rule_files=, prometheus= or alertmanager=")
        if not isinstance(self.prometheus, (PrometheusConfig, type(None))):
            raise AlertsError(f"prometheus= must be a PrometheusConfig(...), got {type(self.prometheus).__name__}")
        if not isinstance(self.alertmanager, (AlertmanagerConfig, type(None))):
            raise AlertsError(f"alertmanager= must be an AlertmanagerConfig(...), got "
                              f"{type(self.alertmanager).__name__}")
        wrong = [f for f in self.rule_files if not isinstance(f, RuleFile)]
        if wrong:
            raise AlertsError(f"rule_files= must hold RuleFile(...) objects, got {type(wrong[0]).__name__}")
        if self.runbook_url is not None and "{alert}" not in self.runbook_url:
            raise AlertsError(f"runbook_url={self.runbook_url!r} must contain {{alert}}, which becomes each "
                              "alert's name (or set runbook_url= on each AlertRule)")
        seen: dict[str, str] = {}
        for file in self.rule_files:
            for group in file.groups:
                for rule in group.alerts:
                    if rule.alert in seen:
                        raise AlertsError(f"alert {rule.alert!r} is declared in {seen[rule.alert]} and {file.name}")
                    seen[rule.alert] = file.name
        receivers = {r.name for r in self.alertmanager.receivers} if self.alertmanager is not None else set()
        for case in self.routing_cases:
            for name in case.receivers:
                if name not in receivers:
                    raise AlertsError(f"routing case {dict(case.labels)}: unknown receiver {name!r}")

    def alerts(self) -> list[tuple[RuleFile, RuleGroup, AlertRule]]:
        return [(f, g, r) for f in self.rule_files for g in f.groups for r in g.alerts]


__all__ = [
    "AlertRule",
    "Alerting",
    "AlertmanagerConfig",
    "AlertsError",
    "Email",
    "Fires",
    "Inhibit",
    "PanelLink",
    "PrometheusConfig",
    "Receiver",
    "RecordingRule",
    "Relabel",
    "Route",
    "RoutingCase",
    "RuleFile",
    "RuleGroup",
    "SLO",
    "ScrapeJob",
    "Silent",
    "Slack",
    "Webhook",
    "duration",
    "latency",
    "ratio",
    "seconds",
]
