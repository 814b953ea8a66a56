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
group, a route to an unknown receiver, a relative secret path. `to_yaml_data()`
gives the plain structure that `alerts.yamlout` writes.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import attrs

_DURATION = re.compile(r"^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_METRIC = re.compile(r"^[a-zA-Z_:][a-zA-Z0-9_:]*$")


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


def _labels(value: Mapping[str, str], where: str) -> dict[str, str]:
    out = {}
    for key, val in dict(value or {}).items():
        if not _LABEL.match(key) or key.startswith("__"):
            raise AlertsError(f"{where}: {key!r} is not a label name")
        if not isinstance(val, str):
            raise AlertsError(f"{where}: the value of label {key!r} must be a string, got {val!r}")
        out[key] = val
    return out


def _parse(expr: str, where: str) -> str:
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


# --- rules and their tests -----------------------------------------------------------


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


@attrs.frozen
class AlertRule:
    alert: str
    expr: str
    summary: str
    description: str
    dashboard: PanelLink
    for_: str = "0s"
    labels: Mapping[str, str] = attrs.field(factory=dict)
    annotations: Mapping[str, str] = attrs.field(factory=dict)  # any beyond summary and description
    runbook_url: str | None = None  # default: the rule file's runbook pattern
    tests: tuple[Fires | Silent, ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        where = f"alert {self.alert!r}"
        if not _LABEL.match(self.alert or ""):
            raise AlertsError(f"alert name {self.alert!r} must be letters, digits and underscores")
        _parse(self.expr, where)
        duration(self.for_, f"{where}: for")
        _labels(self.labels, f"{where}: labels")
        if not self.summary.strip() or not self.description.strip():
            raise AlertsError(f"{where}: give a summary and a description")
        if not isinstance(self.dashboard, PanelLink):
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
        if not _METRIC.match(self.record or ""):
            raise AlertsError(f"recording rule name {self.record!r} is not a valid metric name")
        _parse(self.expr, f"recording rule {self.record!r}")
        _labels(self.labels, f"recording rule {self.record!r}: labels")

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


# --- prometheus.yml ------------------------------------------------------------------


@attrs.frozen
class Relabel:
    source_labels: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    target_label: str | None = None
    replacement: str | None = None
    regex: str | None = None
    action: str | None = None

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.source_labels:
            out["source_labels"] = list(self.source_labels)
        for key in ("regex", "target_label", "replacement", "action"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@attrs.frozen
class ScrapeJob:
    job_name: str
    targets: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    metrics_path: str | None = None
    params: Mapping[str, list[str]] = attrs.field(factory=dict)
    relabel_configs: tuple[Relabel, ...] = attrs.field(default=(), converter=tuple)
    scrape_interval: str | None = None

    def __attrs_post_init__(self) -> None:
        if not re.match(r"^[A-Za-z0-9_.-]+$", self.job_name or ""):
            raise AlertsError(f"scrape job name {self.job_name!r} must be letters, digits, '.', '_' or '-'")
        if self.scrape_interval is not None:
            duration(self.scrape_interval, f"scrape job {self.job_name!r}: scrape_interval")

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"job_name": self.job_name}
        if self.scrape_interval:
            out["scrape_interval"] = self.scrape_interval
        if self.metrics_path:
            out["metrics_path"] = self.metrics_path
        if self.params:
            out["params"] = {k: list(v) for k, v in self.params.items()}
        out["static_configs"] = [{"targets": list(self.targets)}]
        if self.relabel_configs:
            out["relabel_configs"] = [r.to_yaml_data() for r in self.relabel_configs]
        return out


@attrs.frozen
class PrometheusConfig:
    scrape_jobs: tuple[ScrapeJob, ...] = attrs.field(converter=tuple)
    alertmanagers: tuple[str, ...] = attrs.field(default=("alertmanager:9093",), converter=tuple)
    scrape_interval: str = "15s"
    evaluation_interval: str = "15s"
    scrape_timeout: str = "10s"

    def __attrs_post_init__(self) -> None:
        for key in ("scrape_interval", "evaluation_interval", "scrape_timeout"):
            duration(getattr(self, key), f"prometheus.yml global {key}")
        if seconds(self.scrape_timeout) > seconds(self.scrape_interval):
            raise AlertsError("prometheus.yml: scrape_timeout must not exceed scrape_interval")
        names = [j.job_name for j in self.scrape_jobs]
        if len(names) != len(set(names)):
            raise AlertsError("prometheus.yml: two scrape jobs share a job_name")

    def job(self, name: str) -> ScrapeJob:
        for job in self.scrape_jobs:
            if job.job_name == name:
                return job
        raise AlertsError(f"no scrape job named {name!r} (jobs: {', '.join(j.job_name for j in self.scrape_jobs)})")

    def with_targets(self, targets: Mapping[str, Iterable[str]], alertmanagers: Iterable[str] | None = None,
                     replacements: Mapping[str, str] | None = None) -> "PrometheusConfig":
        """The same config with per-environment targets (job name -> targets)."""
        jobs = []
        for job in self.scrape_jobs:
            job = attrs.evolve(job, targets=tuple(targets[job.job_name])) if job.job_name in targets else job
            if replacements and job.job_name in replacements:
                job = attrs.evolve(job, relabel_configs=tuple(
                    attrs.evolve(r, replacement=replacements[job.job_name]) if r.target_label == "__address__" else r
                    for r in job.relabel_configs))
            jobs.append(job)
        for name in targets:
            self.job(name)  # an unknown job is an error, not silently ignored
        return attrs.evolve(self, scrape_jobs=tuple(jobs),
                            alertmanagers=tuple(alertmanagers) if alertmanagers is not None else self.alertmanagers)

    def to_yaml_data(self, rule_files: Iterable[str]) -> dict[str, Any]:
        return {
            "global": {
                "scrape_interval": self.scrape_interval,
                "evaluation_interval": self.evaluation_interval,
                "scrape_timeout": self.scrape_timeout,
            },
            "alerting": {"alertmanagers": [{"static_configs": [{"targets": list(self.alertmanagers)}]}]},
            "rule_files": list(rule_files),
            "scrape_configs": [job.to_yaml_data() for job in self.scrape_jobs],
        }


# --- alertmanager.yml ----------------------------------------------------------------


def _matchers(match: Mapping[str, str], where: str) -> list[str]:
    return [f'{k}="{v}"' for k, v in _labels(match, where).items()]


@attrs.frozen
class Route:
    receiver: str
    match: Mapping[str, str] = attrs.field(factory=dict)  # equality matchers, written as `matchers:`
    continue_: bool = False
    group_by: tuple[str, ...] | None = None
    group_wait: str | None = None
    group_interval: str | None = None
    repeat_interval: str | None = None
    routes: tuple["Route", ...] = attrs.field(default=(), converter=tuple)

    def __attrs_post_init__(self) -> None:
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if getattr(self, key) is not None:
                duration(getattr(self, key), f"route to {self.receiver!r}: {key}")
        _labels(self.match, f"route to {self.receiver!r}: match")

    def receivers(self) -> Iterable[str]:
        yield self.receiver
        for route in self.routes:
            yield from route.receivers()

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {"receiver": self.receiver}
        if self.match:
            out["matchers"] = _matchers(self.match, f"route to {self.receiver!r}")
        if self.group_by is not None:
            out["group_by"] = list(self.group_by)
        for key in ("group_wait", "group_interval", "repeat_interval"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        if self.continue_:
            out["continue"] = True
        if self.routes:
            out["routes"] = [r.to_yaml_data() for r in self.routes]
        return out


@attrs.frozen
class Slack:
    channel: str
    title: str = "{{ .GroupLabels.alertname }}"
    text: str = ""
    title_link: str | None = None
    send_resolved: bool = True

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        out: dict[str, Any] = {"channel": self.channel, "send_resolved": self.send_resolved, "title": self.title}
        if self.title_link:
            out["title_link"] = self.title_link
        if self.text:
            out["text"] = self.text
        return out


@attrs.frozen
class Email:
    to: str
    from_: str
    smarthost: str
    auth_username: str
    send_resolved: bool = True

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        return {
            "to": self.to,
            "from": self.from_,
            "smarthost": self.smarthost,
            "auth_username": self.auth_username,
            # Read by Alertmanager at notify time; not trimmed: write the file without a newline.
            "auth_password_file": f"{secrets_dir}/smtp-password",
            "send_resolved": self.send_resolved,
        }


@attrs.frozen
class Webhook:
    url: str
    send_resolved: bool = True

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        return {"url": self.url, "send_resolved": self.send_resolved}


_CONFIG_KEYS = {Slack: "slack_configs", Email: "email_configs", Webhook: "webhook_configs"}


@attrs.frozen
class Receiver:
    name: str
    configs: tuple[Slack | Email | Webhook, ...] = attrs.field(default=(), converter=tuple)

    def to_yaml_data(self, secrets_dir: str) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name}
        for kind, key in _CONFIG_KEYS.items():
            items = [c.to_yaml_data(secrets_dir) for c in self.configs if isinstance(c, kind)]
            if items:
                out[key] = items
        return out


@attrs.frozen
class Inhibit:
    source: Mapping[str, str]
    target: Mapping[str, str]
    equal: tuple[str, ...] = attrs.field(default=(), converter=tuple)

    def to_yaml_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "source_matchers": _matchers(self.source, "inhibit rule source"),
            "target_matchers": _matchers(self.target, "inhibit rule target"),
        }
        if self.equal:
            out["equal"] = list(self.equal)
        return out


@attrs.frozen
class AlertmanagerConfig:
    route: Route
    receivers: tuple[Receiver, ...] = attrs.field(converter=tuple)
    inhibit_rules: tuple[Inhibit, ...] = attrs.field(default=(), converter=tuple)
    resolve_timeout: str = "5m"
    secrets_dir: str = "/etc/alertmanager/secrets"

    def __attrs_post_init__(self) -> None:
        duration(self.resolve_timeout, "alertmanager.yml resolve_timeout")
        names = [r.name for r in self.receivers]
        if len(names) != len(set(names)):
            raise AlertsError("alertmanager.yml: two receivers share a name")
        for name in self.route.receivers():
            if name not in names:
                raise AlertsError(f"alertmanager.yml: a route sends to unknown receiver {name!r} "
                                  f"(receivers: {', '.join(names)})")
        if not self.secrets_dir.startswith("/"):
            raise AlertsError(
                f"alertmanager.yml: secrets_dir {self.secrets_dir!r} must be absolute: Alertmanager reads *_file "
                "paths relative to its working directory, not to its config file")

    @property
    def uses_slack(self) -> bool:
        return any(isinstance(c, Slack) for r in self.receivers for c in r.configs)

    def to_yaml_data(self) -> dict[str, Any]:
        glob: dict[str, Any] = {"resolve_timeout": self.resolve_timeout}
        if self.uses_slack:
            glob["slack_api_url_file"] = f"{self.secrets_dir}/slack-webhook-url"
        return {
            "global": glob,
            "route": self.route.to_yaml_data(),
            "receivers": [r.to_yaml_data(self.secrets_dir) for r in self.receivers],
            "inhibit_rules": [i.to_yaml_data() for i in self.inhibit_rules],
        }


@attrs.frozen
class RoutingCase:
    """Alerts with these labels must reach exactly these receivers, in this order."""

    labels: Mapping[str, str]
    receivers: tuple[str, ...] = attrs.field(converter=tuple)


@attrs.frozen
class Alerting:
    """Everything alerts/ builds: prometheus.yml, the rule files, alertmanager.yml, and the routing tests."""

    prometheus: PrometheusConfig
    rule_files: tuple[RuleFile, ...] = attrs.field(converter=tuple)
    alertmanager: AlertmanagerConfig
    routing_cases: tuple[RoutingCase, ...] = attrs.field(default=(), converter=tuple)
    runbook_url: str = "https://runbooks.example.com/{alert}"  # {alert} becomes the alert's name

    def __attrs_post_init__(self) -> None:
        seen: dict[str, str] = {}
        for file in self.rule_files:
            for group in file.groups:
                for rule in group.alerts:
                    if rule.alert in seen:
                        raise AlertsError(f"alert {rule.alert!r} is declared in {seen[rule.alert]} and {file.name}")
                    seen[rule.alert] = file.name
        receivers = {r.name for r in self.alertmanager.receivers}
        for case in self.routing_cases:
            for name in case.receivers:
                if name not in receivers:
                    raise AlertsError(f"routing case {dict(case.labels)}: unknown receiver {name!r}")

    def alerts(self) -> list[tuple[RuleFile, RuleGroup, AlertRule]]:
        return [(f, g, r) for f in self.rule_files for g in f.groups for r in g.alerts]
