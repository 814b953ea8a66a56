"""From the model to file contents: rule files with their dashboard links, promtool tests, configs."""

from __future__ import annotations

import re
from typing import Any, Mapping

import attrs

from .model import Alerting, AlertRule, AlertsError, Fires, PanelLink, RuleFile

_LABEL_REF = re.compile(r"\{\{\s*\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}")
_TEMPLATE = re.compile(r"\{\{.*?\}\}", re.S)


def _did_you_mean(name: str, known: Mapping[str, Any]) -> str:
    import difflib

    close = difflib.get_close_matches(name, sorted(known), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@attrs.frozen
class Panels:
    """Where each dashboard's panels are: uid -> panel title -> panel id, and Grafana's base URL."""

    ids: Mapping[str, Mapping[str, int]]  # built by the caller from the rendered dashboards
    base_url: str = attrs.field(default="", converter=lambda url: url.rstrip("/"))  # "": relative /d/uid links

    def problem(self, link: PanelLink) -> str | None:
        if link.dashboard_uid not in self.ids:
            return (f"links to dashboard {link.dashboard_uid!r}, which dash does not build"
                    f"{_did_you_mean(link.dashboard_uid, self.ids)}")
        titles = self.ids[link.dashboard_uid]
        if link.panel_title not in titles:
            return (f"links to panel {link.panel_title!r}, which dashboard {link.dashboard_uid!r} does not have"
                    f"{_did_you_mean(link.panel_title, titles)}")
        return None

    def url(self, link: PanelLink) -> str:
        problem = self.problem(link)
        if problem:
            raise AlertsError(problem)
        panel_id = self.ids[link.dashboard_uid][link.panel_title]
        return f"{self.base_url}/d/{link.dashboard_uid}?viewPanel=panel-{panel_id}"


def annotations(rule: AlertRule, alerting: Alerting, panels: Panels) -> dict[str, str]:
    out = {"summary": rule.summary, "description": rule.description, **dict(rule.annotations)}
    runbook = rule.runbook_url or (alerting.runbook_url.format(alert=rule.alert) if alerting.runbook_url else None)
    if runbook:
        out["runbook_url"] = runbook
    if rule.dashboard is None:
        return out
    try:
        out["dashboard"] = panels.url(rule.dashboard)
    except AlertsError as exc:
        raise AlertsError(f"alert {rule.alert!r} {exc}") from None
    return out


def rule_file_data(file: RuleFile, alerting: Alerting, panels: Panels) -> dict[str, Any]:
    groups = []
    for group in file.groups:
        rules = []
        for rule in group.rules:
            if isinstance(rule, AlertRule):
                item: dict[str, Any] = {"alert": rule.alert, "expr": rule.expr}
                if rule.for_ != "0s":
                    item["for"] = rule.for_
                if rule.labels:
                    item["labels"] = dict(rule.labels)
                item["annotations"] = annotations(rule, alerting, panels)
                rules.append(item)
            else:
                rules.append(rule.to_yaml_data())
        entry: dict[str, Any] = {"name": group.name}
        if group.interval:
            entry["interval"] = group.interval
        entry["rules"] = rules
        groups.append(entry)
    return {"groups": groups}


def _expected_annotations(rule: AlertRule, case: Fires, rendered: dict[str, str],
                          labels: dict[str, str]) -> dict[str, str]:
    """Every annotation as Prometheus renders it; `$labels.x` is filled in, `$value` must be given."""
    out = {}
    for key, text in rendered.items():
        if key in case.annotations:
            out[key] = case.annotations[key]
            continue
        filled = _LABEL_REF.sub(lambda m: labels.get(m.group(1), "<no value>"), text)
        if _TEMPLATE.search(filled):
            raise AlertsError(
                f"alert {rule.alert!r}, test {case.name!r}: annotation {key!r} uses $value or another template; "
                "give its expected rendering in annotations= (promtool compares every annotation exactly)")
        out[key] = filled
    return out


def _series(series: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"series": name, "values": values} for name, values in series.items()]


def test_file_data(file: RuleFile, alerting: Alerting, panels: Panels) -> dict[str, Any] | None:
    """A `promtool test rules` file for one rule file, or None when its alerts declare no cases."""
    tests = []
    for group in file.groups:
        for rule in group.alerts:
            rendered = annotations(rule, alerting, panels)
            for case in rule.tests:
                checks = []
                if isinstance(case, Fires):
                    if case.pending_at is not None:
                        checks.append({"eval_time": case.pending_at, "alertname": rule.alert, "exp_alerts": []})
                    labels = {**dict(case.labels), **dict(rule.labels)}
                    checks.append({"eval_time": case.at, "alertname": rule.alert, "exp_alerts": [{
                        "exp_labels": labels,
                        "exp_annotations": _expected_annotations(rule, case, rendered, labels),
                    }]})
                else:
                    checks.append({"eval_time": case.at, "alertname": rule.alert, "exp_alerts": []})
                tests.append({"name": f"{rule.alert}: {case.name}", "interval": case.interval,
                              "input_series": _series(case.series), "alert_rule_test": checks})
    if not tests:
        return None
    return {"rule_files": [f"../rules/{file.name}"], "evaluation_interval": "1m", "tests": tests}
