"""alerts/: the model refuses bad input; the built files pass the real promtool and amtool."""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml

from alerts.model import (
    AlertmanagerConfig,
    AlertRule,
    AlertsError,
    Fires,
    PanelLink,
    Receiver,
    Route,
    RuleFile,
    RuleGroup,
    Silent,
    Webhook,
)
from alerts.render import Panels
from alerts.render import test_file_data as promtool_tests  # not test_*: pytest would collect it
from publisher.dashboard_json import panel_ids
from publisher.loader import forget_project_modules, load_file, use_directory
from publisher.project import Project, load_project
from publisher.querylang.promql import metric_names
from publisher.render import Rendered, render

from .conftest import ROOT


def _load_guide():
    """alerts/guide.py as dash loads it: by its path, with the dashboards directory (its `_slos`) on sys.path."""
    use_directory(ROOT / "dashboards")
    try:
        return load_file(ROOT / "alerts/guide.py", "dash_test_guide_alerts")
    finally:
        forget_project_modules()


guide = _load_guide()

# In CI the tools must be there: a check that would skip fails instead.
REQUIRE_TOOLS = os.environ.get("DASH_REQUIRE_TOOLS") == "1"


def needs_tools():
    missing = [t for t in ("promtool", "amtool") if shutil.which(t) is None]
    if missing:
        if REQUIRE_TOOLS:
            pytest.fail(f"{', '.join(missing)} missing but DASH_REQUIRE_TOOLS=1: .ci/run must install them")
        pytest.skip(f"{', '.join(missing)} not installed")


def guide_project() -> Project:
    """The repository's dashboards and the guide's alerting, loaded as dash loads them."""
    project = load_project(Path(ROOT, "dashboards"), Path(ROOT, "alerts/guide.py"))
    assert project.errors == [] and project.alerting is not None, project.errors
    return project


def rendered_dashboards(project: Project) -> list[Rendered]:
    result = render(project)
    assert result.errors == [], result.errors
    return result.dashboards


def guide_panels(rendered: list[Rendered], base_url: str = "") -> Panels:
    return Panels({r.uid: panel_ids(r.json) for r in rendered}, base_url)


def write_dash_yaml(tmp_path: Path, extra: str = "", alerts: Path = ROOT / "alerts/guide.py") -> None:
    """A dash.yaml naming the repository's dashboards and an alerts file (the guide's unless told)."""
    (tmp_path / "dash.yaml").write_text(
        f"dashboards: {json.dumps(str(ROOT / 'dashboards'))}\nalerts: {json.dumps(str(alerts))}\n" + extra)


def _rule(**kwargs):
    args = {"alert": "A", "expr": "up == 0", "summary": "s", "description": "d",
            "dashboard": PanelLink("system", "CPU usage"), **kwargs}
    return AlertRule(**args)


@pytest.mark.parametrize("build,message", [
    (lambda: _rule(for_="2 minutes"), "'2 minutes' is not a Prometheus duration"),
    (lambda: _rule(expr="  "), "the expression is empty"),
    (lambda: _rule(expr="sum(rate(x[5m])"), "expression does not parse: unclosed left parenthesis"),
    (lambda: _rule(labels={"bad-label": "x"}), "'bad-label' is not a label name"),
    (lambda: _rule(annotations={"summary": "again"}), "set summary with their own arguments"),
    (lambda: RuleGroup("g", [_rule(), _rule()]), "alert 'A' is declared twice"),
    (lambda: AlertmanagerConfig(route=Route("nobody"), receivers=[Receiver("hook", [Webhook("http://h")])]),
     "a route sends to unknown receiver 'nobody'"),
    (lambda: AlertmanagerConfig(route=Route("hook"), receivers=[Receiver("hook")], secrets_dir="secrets"),
     "must be absolute"),
    (lambda: Fires("f", series={}, at="1m"), "give at least one input series"),
    (lambda: Route("r", group_wait="soon"), "'soon' is not a Prometheus duration"),
])
def test_invalid_input_is_refused_when_built(build, message):
    with pytest.raises(AlertsError, match=re.escape(message)):
        build()


def test_every_guide_alert_links_to_a_panel_showing_its_metric_and_has_both_cases():
    project = guide_project()
    rendered = {r.uid: r for r in rendered_dashboards(project)}
    assert project.alerting == guide.ALERTING
    alerts = [rule for _, _, rule in project.alerting.alerts()]
    assert [a.alert for a in alerts] == [
        "HighApiErrorRate", "ApiHighLatency", "HighCPULoad", "HighMemoryUsage", "LowDiskSpace",
        "PostgresqlDown", "PostgresqlHighConnections", "PostgresqlSlowQueries",
        *[f"{slo}BurnRate{w}" for slo in ("ApiAvailability", "ApiLatency") for w in ("1h", "6h", "1d", "3d")]]
    for rule in alerts:
        kinds = {type(c) for c in rule.tests}
        assert Fires in kinds and Silent in kinds, rule.alert
        dashboard = rendered[rule.dashboard.dashboard_uid].json
        panels = [p for row in dashboard["panels"] for p in [row, *row.get("panels", [])]]
        panel = next(p for p in panels if p.get("title") == rule.dashboard.panel_title)
        wanted = {n.removesuffix("_bucket") for n in metric_names(rule.expr)}
        shown = {n.removesuffix("_bucket") for t in panel["targets"] for n in metric_names(t["expr"])}
        assert wanted and wanted <= shown, (rule.alert, wanted, shown)


def test_guide_panels_give_every_alert_a_dashboard_url():
    panels = guide_panels(rendered_dashboards(guide_project()), "http://grafana.test/")
    urls = {rule.alert: panels.url(rule.dashboard) for _, _, rule in guide.ALERTING.alerts()}
    assert urls["HighApiErrorRate"] == "http://grafana.test/d/api-performance?viewPanel=panel-3"
    assert urls["HighCPULoad"] == "http://grafana.test/d/system?viewPanel=panel-2"


@pytest.fixture
def built(dash, tmp_path):
    write_dash_yaml(tmp_path)
    result = dash("build", "--out", "out")
    assert result.exit_code == 0, result.output
    return tmp_path / "out"


def test_build_writes_the_guides_files(built):
    names = sorted(str(p.relative_to(built)) for p in built.rglob("*.yml")
                   if p.relative_to(built).parts[0] in ("prometheus", "alertmanager"))
    assert names == [
        "alertmanager/alertmanager.yml", "alertmanager/routing-tests.yml", "prometheus/prometheus.yml",
        "prometheus/rules/api_rules.yml", "prometheus/rules/database_rules.yml",
        "prometheus/rules/node_exporter_rules.yml", "prometheus/rules/slo_rules.yml",
        "prometheus/tests/api_rules.test.yml", "prometheus/tests/database_rules.test.yml",
        "prometheus/tests/node_exporter_rules.test.yml", "prometheus/tests/slo_rules.test.yml",
    ]
    prom = yaml.safe_load((built / "prometheus/prometheus.yml").read_text())
    assert [j["job_name"] for j in prom["scrape_configs"]] == ["api", "node", "postgres", "redis", "blackbox"]
    assert prom["rule_files"] == ["rules/api_rules.yml", "rules/node_exporter_rules.yml", "rules/database_rules.yml",
                                  "rules/slo_rules.yml"]
    blackbox = prom["scrape_configs"][-1]
    assert blackbox["params"] == {"module": ["http_2xx"]}
    assert blackbox["relabel_configs"][-1] == {"target_label": "__address__", "replacement": "blackbox-exporter:9115"}
    rules = (built / "prometheus/rules/node_exporter_rules.yml").read_text()
    block = "description: |-\n            CPU load is > 80%\n              VALUE = {{ $value }}"
    assert block in rules  # a literal block, not a quoted string
    parsed = yaml.safe_load(rules)["groups"][0]["rules"][0]
    assert parsed["for"] == "5m" and parsed["labels"] == {"severity": "warning"}
    assert parsed["annotations"]["dashboard"] == "/d/system?viewPanel=panel-2"
    assert parsed["annotations"]["runbook_url"].endswith("/alerts/runbooks/HighCPULoad.md")


def test_alertmanager_holds_no_secret_only_absolute_file_paths(built):
    text = (built / "alertmanager/alertmanager.yml").read_text()
    config = yaml.safe_load(text)
    assert config["global"]["slack_api_url_file"] == "/etc/alertmanager/secrets/slack-webhook-url"
    email = config["receivers"][2]["email_configs"][0]
    assert email["auth_password_file"] == "/etc/alertmanager/secrets/smtp-password" and "auth_password" not in email
    assert "hooks.slack.com" not in text and "api_url:" not in text and "slack_api_url:" not in text
    route = config["route"]
    assert route["group_by"] == ["alertname", "job"] and route["repeat_interval"] == "4h"
    assert route["routes"][0] == {"receiver": "slack-critical", "matchers": ['severity="critical"'], "continue": True}
    assert config["inhibit_rules"] == [{"source_matchers": ['severity="critical"'],
                                        "target_matchers": ['severity="warning"'], "equal": ["alertname"]}]


def test_the_build_is_deterministic(dash, tmp_path):
    write_dash_yaml(tmp_path)
    for out in ("a", "b"):
        result = dash("build", "--out", out)
        assert result.exit_code == 0, result.output
    assert list((tmp_path / "a").rglob("*.yml"))
    for path in (tmp_path / "a").rglob("*.yml"):
        assert path.read_bytes() == (tmp_path / "b" / path.relative_to(tmp_path / "a")).read_bytes()


def test_environment_targets_and_urls_come_from_dash_yaml(dash, tmp_path):
    write_dash_yaml(
        tmp_path,
        "environments:\n"
        "  prod:\n"
        "    url: https://grafana.example.com\n"
        "    alerting:\n"
        "      alertmanagers: ['am-1:9093', 'am-2:9093']\n"
        "      targets: {api: ['api-1:8000', 'api-2:8000'], blackbox: ['https://example.com']}\n"
        "      blackbox_exporter: 'bbox:9115'\n"
        "      secrets_dir: /run/secrets/alertmanager\n"
    )
    assert dash("build", "--env", "prod").exit_code == 0
    prom = yaml.safe_load((tmp_path / "out/prometheus/prometheus.yml").read_text())
    jobs = {j["job_name"]: j for j in prom["scrape_configs"]}
    assert jobs["api"]["static_configs"] == [{"targets": ["api-1:8000", "api-2:8000"]}]
    assert jobs["node"]["static_configs"] == [{"targets": ["node-exporter:9100"]}]  # the guide's default
    assert jobs["blackbox"]["relabel_configs"][-1]["replacement"] == "bbox:9115"
    assert prom["alerting"]["alertmanagers"][0]["static_configs"][0]["targets"] == ["am-1:9093", "am-2:9093"]
    am = yaml.safe_load((tmp_path / "out/alertmanager/alertmanager.yml").read_text())
    assert am["global"]["slack_api_url_file"] == "/run/secrets/alertmanager/slack-webhook-url"
    rules = yaml.safe_load((tmp_path / "out/prometheus/rules/api_rules.yml").read_text())
    assert rules["groups"][0]["rules"][0]["annotations"]["dashboard"] == \
        "https://grafana.example.com/d/api-performance?viewPanel=panel-3"


def test_an_unknown_scrape_job_in_dash_yaml_is_an_error(dash, tmp_path):
    write_dash_yaml(
        tmp_path, "environments:\n  prod:\n    url: https://g.example.com\n    alerting: {targets: {apii: ['x:1']}}\n")
    result = dash("build", "--env", "prod")
    assert result.exit_code == 1
    assert "no scrape job named 'apii'" in result.output


def test_a_relative_secrets_dir_is_refused_in_dash_yaml(dash, tmp_path):
    write_dash_yaml(
        tmp_path, "environments:\n  prod:\n    url: https://g.example.com\n    alerting: {secrets_dir: secrets}\n")
    result = dash("build", "--env", "prod")
    assert result.exit_code == 1
    assert "environments.prod.alerting.secrets_dir: must be an absolute path" in result.output


def test_a_test_case_must_spell_out_value_annotations():
    rule = _rule(description="value is {{ $value }}", tests=[Fires("f", series={"up": "0x5"}, at="1m")])
    panels = Panels({"system": {"CPU usage": 2}})
    with pytest.raises(AlertsError, match="annotation 'description' uses \\$value"):
        promtool_tests(RuleFile("x.yml", [RuleGroup("g", [rule])]), guide.ALERTING, panels)


def test_a_link_to_a_missing_panel_or_dashboard_says_what_was_meant():
    from alerts.model import PanelLink

    panels = Panels({"system": {"CPU usage": 2, "Memory usage": 3}})
    assert panels.problem(PanelLink("system", "CPU usag")) == (
        "links to panel 'CPU usag', which dashboard 'system' does not have (did you mean 'CPU usage'?)")
    assert panels.problem(PanelLink("sytem", "CPU usage")).endswith("(did you mean 'system'?)")
    assert panels.problem(PanelLink("system", "Disk")).endswith("does not have")  # nothing close: no guess


def test_dash_check_runs_the_real_tools(dash, tmp_path):
    needs_tools()
    write_dash_yaml(tmp_path)
    result = dash("check", "--output", "json")
    assert result.exit_code == 0, result.output
    checks = json.loads(result.output)["checks"]
    names = [c["name"] for c in checks]
    assert names[:4] == ["promtool check config", "promtool check rules", "promtool test rules", "amtool check-config"]
    assert len([n for n in names if n.startswith("route ")]) == len(guide.ROUTING_CASES)
    assert all(c["ok"] for c in checks)
    assert "SUCCESS" in checks[2]["output"]


BROKEN_ALERTS = """\
import attrs

from alerts.guide import ALERTING as GUIDE
from alerts.model import RoutingCase

# Critical alerts go to slack-critical first (and then on); this case says otherwise.
ALERTING = attrs.evolve(GUIDE, routing_cases=[RoutingCase({"severity": "critical"}, ["slack-notifications"])])
"""


def test_dash_check_fails_on_a_wrong_expectation(dash, tmp_path):
    needs_tools()
    (tmp_path / "broken_alerts.py").write_text(BROKEN_ALERTS)
    write_dash_yaml(tmp_path, alerts=tmp_path / "broken_alerts.py")
    result = dash("check")
    assert result.exit_code == 1
    assert "FAILED  route severity=critical -> slack-notifications" in result.output
    assert "Expected receivers did not match resolved receivers" in result.output


def test_dash_check_names_missing_tools_and_how_to_install_them(dash, tmp_path, monkeypatch):
    write_dash_yaml(tmp_path)
    monkeypatch.setattr("alerts.check.shutil.which", lambda tool: None)
    result = dash("check")
    assert result.exit_code == 1
    assert "promtool is not installed; install Debian's prometheus package: apt-get install" in result.output
    assert "amtool is not installed; install Debian's prometheus-alertmanager package" in result.output


def test_runbooks_exist_for_every_guide_alert():
    for _, _, rule in guide.ALERTING.alerts():
        # The SLOs' alerts share one runbook (their own runbook_url); the others use the guide's pattern.
        name = rule.runbook_url.rsplit("/", 1)[-1] if rule.runbook_url else f"{rule.alert}.md"
        assert (ROOT / "alerts/runbooks" / name).is_file(), rule.alert
