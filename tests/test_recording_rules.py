"""DASH064 (a recording-rule metric no recording rule defines) and DASH033 (an integer `le`/`quantile`) on
the rules' expressions as well as the dashboards' queries."""

from __future__ import annotations

from alerts.model import Alerting, AlertmanagerConfig, AlertRule, Receiver, RecordingRule, Route, RuleFile, RuleGroup
from publisher.lint import LintTarget, lint_dashboards
from publisher.querylang import promql


def _board(*exprs: str) -> LintTarget:
    panels = [{"id": i + 1, "type": "timeseries", "title": f"P{i}", "description": "d",
               "gridPos": {"x": 0, "y": i * 8, "w": 24, "h": 8}, "fieldConfig": {"defaults": {"unit": "short"}},
               "datasource": {"type": "prometheus", "uid": "prometheus"},
               "targets": [{"refId": "A", "expr": e}]} for i, e in enumerate(exprs)]
    return LintTarget("board", "Board", "F", {"title": "Board", "uid": "board", "panels": panels}, "board.py:1")


def _alert(expr: str) -> AlertRule:
    return AlertRule(alert="Burn", expr=expr, summary="s", description="d", runbook_url="https://r/Burn")


def _codes(alerting, *exprs):
    report = lint_dashboards([_board(*exprs)], datasource_uids={"prometheus"}, alerting=alerting,
                             alerting_source="alerts.py")
    return [(f.code, f.message) for f in report.findings if f.code in ("DASH033", "DASH064")]


RECORDED = RecordingRule("slo:sli_error:ratio_rate5m", "sum(rate(errors_total[5m])) / sum(rate(requests_total[5m]))")


def test_recording_rule_metrics_must_be_recorded_by_the_alerting():
    alerting = Alerting(rule_files=[RuleFile("slo.yml", [RuleGroup("slo", [
        RECORDED,
        RecordingRule("slo:sli_error:ratio_rate1h", "avg_over_time(slo:sli_error:ratio_rate30m[1h])"),  # not defined
        _alert("slo:sli_error:ratio_rate5m > 0.01 and slo:sli_error:ratio_rate6h > 0.01"),
    ])])])
    found = _codes(alerting, "slo:sli_error:ratio_rate5m", "sum(slo:sli_error:ratio_rate1d)", "rate(plain_total[5m])")
    assert found == [
        ("DASH064", "slo.yml: recording rule 'slo:sli_error:ratio_rate1h' queries slo:sli_error:ratio_rate30m, "
                    "which no recording rule defines"),
        ("DASH064", "slo.yml: alert 'Burn' queries slo:sli_error:ratio_rate6h, which no recording rule defines"),
        ("DASH064", "queries slo:sli_error:ratio_rate1d, which no recording rule of the alerting defines"),
    ]


def test_without_rule_files_recording_rules_may_live_elsewhere():
    alertmanager_only = Alerting(alertmanager=AlertmanagerConfig(route=Route("r"), receivers=[Receiver("r", [])]))
    assert _codes(alertmanager_only, "slo:sli_error:ratio_rate1d") == []
    assert _codes(None, "slo:sli_error:ratio_rate1d") == []


def test_integer_le_and_quantile_in_rules_and_queries():
    alerting = Alerting(rule_files=[RuleFile("api.yml", [RuleGroup("api", [
        RecordingRule("job:fast:ratio", 'sum(rate(h_bucket{le="1"}[5m])) / sum(rate(h_count[5m]))'),
        _alert('summary_seconds{quantile="1"} > 2'),
        AlertRule(alert="Ok", expr='h_bucket{le=~"1|1.0"} > 0', summary="s", description="d", runbook_url="x"),
    ])])])
    found = _codes(alerting, 'histogram_quantile(0.9, h_bucket{le!="10"})', 'h_bucket{le="0.5"}')
    assert [code for code, _ in found] == ["DASH033"] * 3
    assert found[0][1].startswith('query A: le!="10": Prometheus 3 stores le and quantile as floats ("1.0"), '
                                  "which an integer string never matches: histogram_quantile")
    assert found[1][1].startswith("api.yml: recording rule 'job:fast:ratio': le=\"1\": Prometheus 3 stores")
    assert found[2][1].startswith("api.yml: alert 'Burn': quantile=\"1\": Prometheus 3 stores")


def test_which_matchers_are_integer_strings():
    assert promql.integer_bucket_matchers('x_bucket{le="1"}') == ['le="1"']
    assert promql.integer_bucket_matchers('x{quantile=~"1|0.5"}') == ['quantile=~"1|0.5"']
    for fine in ('x_bucket{le="1.0"}', 'x_bucket{le=~"1|1.0"}', 'x_bucket{le="+Inf"}', 'x_bucket{le=~"$b"}',
                 'x_bucket{le=~"1(\\\\.0)?"}', 'x{code="500"}', "sum(rate(x[5m]"):
        assert promql.integer_bucket_matchers(fine) == [], fine
    assert promql.recording_rule_names("a:b:c + rate(d[5m]) + e:f") == {"a:b:c", "e:f"}
