"""Rule files: alerting and recording rules in groups, the panels alerts link to, and the alerts' test cases."""

from __future__ import annotations

import re
from typing import Any, Mapping

import attrs

from .values import LABEL_NAME, METRIC_NAME, AlertsError, duration, label_set


def expression(expr: str, where: str) -> str:
    """A PromQL expression that parses; anything else is refused here."""
    if not isinstance(expr, str) or not expr.strip():
        raise AlertsError(f"{where}: the expression is empty")
    import promql_parser

    try:
        promql_parser.parse(expr)
    except ValueError as exc:
        raise AlertsError(f"{where}: expression does not parse: {exc}: {expr}") from None
    return expr


# --- links from alerts to dashboards -------------------------------------------------


@attrs.frozen
class PanelLink:
    """The dashboard (by uid) and the panel (by title) that show an alert's metric."""

    dashboard_uid: str
    panel_title: str


# --- the alerts' test cases ----------------------------------------------------------


def _check_case(case: "Fires | Silent") -> None:
    """What both kinds of alert test case need: valid times and some input."""
    duration(case.at, f"test {case.name!r}: at")
    duration(case.interval, f"test {case.name!r}: interval")
    if not case.series:
        raise AlertsError(f"test {case.name!r}: give at least one input series")


@attrs.frozen
class Fires:
    """A test case: with these input series, the alert fires at `at` with these labels.

    `labels` are the labels the expression gives the alert (e.g. `instance`);
    the rule's own labels are added. `annotations` give the expected rendering
    of every annotation that uses `$value` or `$labels` (promtool compares all
    annotations exactly); the others are taken from the rule.
    """

    name: str
    series: Mapping[str, str]
    at: str
    labels: Mapping[str, str] = attrs.field(factory=dict)
    annotations: Mapping[str, str] = attrs.field(factory=dict)
    interval: str = "1m"
    pending_at: str | None = None  # a time inside the `for:` window: the alert must not show yet

    def __attrs_post_init__(self) -> None:
        _check_case(self)
        if self.pending_at is not None:
            duration(self.pending_at, f"test {self.name!r}: pending_at")


@attrs.frozen
class Silent:
    """A test case: with these input series, the alert does not fire at `at`."""

    name: str
    series: Mapping[str, str]
    at: str
    interval: str = "1m"

    def __attrs_post_init__(self) -> None:
        _check_case(self)


# --- rules, groups and files ---------------------------------------------------------


@attrs.frozen
class AlertRule:
    alert: str
    expr: str
    summary: str
    description: str
    dashboard: PanelLink | None = None  # the panel that shows the alert's metric (None: lint says so, DASH063)
    for_: str = "0s"
    labels: Mapping[str, str] = attrs.field(factory=dict)
    annotations: Mapping[str, str] = attrs.field(factory=dict)  # any beyond summary and description
    runbook_url: str | None = None  # default: the rule file's runbook pattern
    tests: tuple[Fires | Silent, ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        where = f"alert {self.alert!r}"
        if not LABEL_NAME.match(self.alert or ""):
            raise AlertsError(f"alert name {self.alert!r} must be letters, digits and underscores")
        expression(self.expr, where)
        duration(self.for_, f"{where}: for")
        label_set(self.labels, f"{where}: labels")
        if not self.summary.strip() or not self.description.strip():
            raise AlertsError(f"{where}: give a summary and a description")
        if not isinstance(self.dashboard, (PanelLink, type(None))):
            raise AlertsError(f"{where}: dashboard must be a PanelLink(dashboard_uid, panel_title)")
        reserved = {"summary", "description", "runbook_url", "dashboard"} & set(self.annotations)
        if reserved:
            raise AlertsError(f"{where}: set {', '.join(sorted(reserved))} with their own arguments, not annotations=")


@attrs.frozen
class RecordingRule:
    record: str
    expr: str
    labels: Mapping[str, str] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if not METRIC_NAME.match(self.record or ""):
            raise AlertsError(f"recording rule name {self.record!r} is not a valid metric name")
        expression(self.expr, f"recording rule {self.record!r}")
        label_set(self.labels, f"recording rule {self.record!r}: labels")

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"record": self.record, "expr": self.expr}
        if self.labels:
            out["labels"] = dict(self.labels)
        return out


@attrs.frozen
class RuleGroup:
    name: str
    rules: tuple[AlertRule | RecordingRule, ...] = attrs.field(converter=tuple)
    interval: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.interval is not None:
            duration(self.interval, f"group {self.name!r}: interval")
        seen: set[str] = set()
        for rule in self.rules:
            if isinstance(rule, AlertRule):
                if rule.alert in seen:
                    raise AlertsError(f"group {self.name!r}: alert {rule.alert!r} is declared twice")
                seen.add(rule.alert)

    @property
    def alerts(self) -> list[AlertRule]:
        return [r for r in self.rules if isinstance(r, AlertRule)]


@attrs.frozen
class RuleFile:
    """One rules file, e.g. rules/api_rules.yml."""

    name: str  # file name without directory, e.g. "api_rules.yml"
    groups: tuple[RuleGroup, ...] = attrs.field(converter=tuple)

    def __attrs_post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9_.-]+\.ya?ml$", self.name):
            raise AlertsError(f"rule file name {self.name!r} must be a plain file name ending in .yml")
        names = [g.name for g in self.groups]
        if len(names) != len(set(names)):
            raise AlertsError(f"rule file {self.name!r}: group names must be unique")
