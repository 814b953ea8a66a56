"""alerts/slo.py: one SLO gives its recording rules, burn-rate alerts and their promtool tests, routing
cases and the SLO dashboard; bad definitions are refused when built, naming the SLO."""

from __future__ import annotations

import re
import resource
import subprocess

import pytest
import yaml

from alerts.model import SLO, Alerting, AlertsError, Fires, RuleFile, Silent, latency, ratio
from alerts.render import Panels, rule_file_data
from alerts.render import test_file_data as promtool_tests  # not test_*: pytest would collect it
from alerts.slo import BURN_RATES
from publisher.lint import lint_dashboards, schema
from publisher.querylang.promql import metric_names
from publisher.sdk import slo_dashboard

from .test_alerts import guide, guide_panels, guide_project, needs_tools, rendered_dashboards

ERRORS = 'http_requests_total{status=~"5.."}'
AVAILABILITY = SLO("api-availability", "api", objective=99.9, window="30d", sli=ratio(errors=ERRORS,
                                                                                      total="http_requests_total"))
LATENCY = SLO("api-latency", "api", objective=99, sli=latency(histogram="http_request_duration_seconds", threshold=1))
PANELS = Panels({"slo-api": {AVAILABILITY.panel_title(k): i for i, k in enumerate(("sli", "budget", "page", "ticket"))}
                 | {LATENCY.panel_title(k): 10 + i for i, k in enumerate(("sli", "budget", "page", "ticket"))}})
SLO_FILE = RuleFile("slo_rules.yml", [AVAILABILITY.rule_group(), LATENCY.rule_group()])
ALERTING = Alerting(rule_files=[SLO_FILE])


def test_the_recording_rules_of_a_ratio_sli():
    rules = AVAILABILITY.recording_rules()
    labels = {"slo": "api-availability", "service": "api"}
    assert [(r.record, r.expr) for r in rules] == [
        *[(f"slo:sli_error:ratio_rate{w}",
           f'(sum(rate(http_requests_total{{status=~"5.."}}[{w}])) or vector(0)) '
           f'/ (sum(rate(http_requests_total[{w}])) > 0)')
          for w in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")],
        ("slo:sli_error:ratio_rate30d", 'avg_over_time(slo:sli_error:ratio_rate5m{slo="api-availability"}[30d])'),
        ("slo:objective:ratio", "vector(0.999)"),
        ("slo:error_budget:remaining", '1 - slo:sli_error:ratio_rate30d{slo="api-availability"} / 0.001'),
    ]
    assert all(dict(r.labels) == labels for r in rules)


def test_a_latency_sli_matches_both_spellings_of_le():
    expr = LATENCY.recording_rules()[0].expr
    assert expr == ('1 - sum(rate(http_request_duration_seconds_bucket{le=~"1|1\\\\.0"}[5m])) '
                    '/ (sum(rate(http_request_duration_seconds_bucket{le="+Inf"}[5m])) > 0)')
    assert latency("http_request_duration_seconds_bucket{job=\"api\"}", 0.25).error_ratio("5m") == (
        '1 - sum(rate(http_request_duration_seconds_bucket{job="api", le="0.25"}[5m])) '
        '/ (sum(rate(http_request_duration_seconds_bucket{job="api", le="+Inf"}[5m])) > 0)')
    # The selector's matchers as parsed: a comma inside a value is no separator.
    commas = latency('http_request_duration_seconds{path=~"a,b", job="api"}', 0.5)
    assert commas.bucket('le="+Inf"') == 'http_request_duration_seconds_bucket{path=~"a,b", job="api", le="+Inf"}'
    assert sorted(commas.test_input("t", {"good": "g", "total": "t"})) == [
        'http_request_duration_seconds_bucket{path="a,b",job="api",le="+Inf"}',
        'http_request_duration_seconds_bucket{path="a,b",job="api",le="0.5"}']


def test_the_burn_rate_alerts_and_their_annotations():
    alerts = AVAILABILITY.alerts()
    assert [(a.alert, a.for_, dict(a.labels)) for a in alerts] == [
        ("ApiAvailabilityBurnRate1h", "2m", {"severity": "critical"}),
        ("ApiAvailabilityBurnRate6h", "2m", {"severity": "critical"}),
        ("ApiAvailabilityBurnRate1d", "15m", {"severity": "warning"}),
        ("ApiAvailabilityBurnRate3d", "15m", {"severity": "warning"}),
    ]
    assert alerts[0].expr == ('slo:sli_error:ratio_rate1h{slo="api-availability"} / 0.001 > 14.4\nand\n'
                              'slo:sli_error:ratio_rate5m{slo="api-availability"} / 0.001 > 14.4')
    assert alerts[3].expr == ('slo:sli_error:ratio_rate3d{slo="api-availability"} / 0.001 > 1\nand\n'
                              'slo:sli_error:ratio_rate6h{slo="api-availability"} / 0.001 > 1')
    rendered = rule_file_data(SLO_FILE, Alerting(rule_files=[SLO_FILE], runbook_url="https://rb/{alert}.md"), PANELS)
    group = rendered["groups"][0]
    assert group["name"] == "slo-api-availability" and len(group["rules"]) == 14
    page = group["rules"][10]
    assert page["annotations"] == {
        "summary": "SLO api-availability: error budget burning 14.4x too fast (page)",
        "description": 'The api-availability SLO (99.9% over 30d) burns its error budget {{ $value | printf "%.1f" }}x '
                       "as fast as it can sustain over the last 1h, and still over the last 5m. Above 14.4x for 1h, "
                       "2% of the budget is gone.",
        "runbook_url": "https://rb/ApiAvailabilityBurnRate1h.md",
        "dashboard": "/d/slo-api?viewPanel=panel-2",  # the page windows' burn-rate panel
    }
    assert group["rules"][12]["annotations"]["dashboard"] == "/d/slo-api?viewPanel=panel-3"  # ticket windows
    assert [b.factor for b in BURN_RATES] == [14.4, 6, 3, 1]


def test_each_alert_has_a_timed_firing_case_and_silent_ones():
    for alert in AVAILABILITY.alerts() + LATENCY.alerts():
        fires = [c for c in alert.tests if isinstance(c, Fires)]
        silent = [c for c in alert.tests if isinstance(c, Silent)]
        wait = int(alert.for_.removesuffix("m"))
        assert all(c.pending_at == f"{wait}m" and c.at == f"{wait + 1}m" for c in fires), alert.alert
        assert silent[0].name == f"burning at {0.9 * float(alert.expr.split(' > ')[1].split()[0]):.2f}x"
        # A page also stays silent once the burn stopped for longer than its short window (its long one still
        # burns), and when only its short window burns; a ticket's such cases would take hours of 1m steps.
        assert [c.name for c in silent[1:]] == ([
            "burnt at 43.2x for 10m, then 10m without errors",
            "21m without errors, then 7m at 43.2x: only the short window burns"] if "1h" in alert.alert else [
            "burnt at 18x for 35m, then 35m without errors",
            "60m without errors, then 20m at 18x: only the short window burns"] if alert.for_ == "2m" else [])
        assert dict(fires[0].labels) == dict(alert.tests[0].labels) == {"slo": alert.tests[0].labels["slo"],
                                                                        "service": "api"}
    first = AVAILABILITY.alerts()[0].tests
    assert dict(first[0].series) == {'http_requests_total{status="500"}': "0+158.4x14",
                                     'http_requests_total{status="200"}': "0+9841.6x14"}
    assert first[0].annotations["description"].startswith(
        "The api-availability SLO (99.9% over 30d) burns its error budget 15.8x as fast")
    prom3 = [c for c in LATENCY.alerts()[0].tests if 'le="1.0"' in c.name]
    assert [sorted(c.series) for c in prom3] == [['http_request_duration_seconds_bucket{le="+Inf"}',
                                                  'http_request_duration_seconds_bucket{le="1.0"}']]
    assert [a.alert for a in LATENCY.alerts() if any('le="1.0"' in c.name for c in a.tests)] == [
        "ApiLatencyBurnRate1h", "ApiLatencyBurnRate6h"]


def _slo(**kwargs):
    args = {"sli": ratio(errors=ERRORS, total="http_requests_total"), **kwargs}
    return SLO(args.pop("name", "checkout"), args.pop("service", "shop"), **args)


@pytest.mark.parametrize("build,message", [
    (lambda: _slo(name="Checkout"), "SLO name 'Checkout' must be lower case letters"),
    (lambda: _slo(service="my shop"), "SLO 'checkout': service 'my shop' must be lower case"),
    (lambda: _slo(objective=100), "SLO 'checkout': objective=100 must be a percentage between 0 and 100"),
    (lambda: _slo(objective=90), "the page's test burns it 15.84x (10% above 14.4x), which would need more than "
                                 "100% errors; raise the objective (at least 93.69) or give page=None"),
    (lambda: _slo(objective=93.68), "objective=93.68 leaves a budget of 6.32%: the page's test burns it 15.84x"),
    (lambda: _slo(window="1d"), "SLO 'checkout': window='1d' is shorter than the longest alert window (3d)"),
    (lambda: _slo(window="a month"), "SLO 'checkout': window: 'a month' is not a Prometheus duration"),
    (lambda: _slo(page={"slo": "x"}), "SLO 'checkout': page: slo is set from the SLO itself"),
    (lambda: _slo(ticket="warning"), "SLO 'checkout': ticket= must be the labels its alerts add"),
    (lambda: _slo(sli="http_requests_total"), "sli= must be ratio(errors=..., total=...) or latency("),
    (lambda: _slo(sli=ratio(errors="rate(http_requests_total[5m])", total="http_requests_total")),
     "ratio(errors=...)='rate(http_requests_total[5m])' must be a series selector"),
    (lambda: _slo(sli=ratio(errors="http_errors_total", total="http_requests_total")),
     "errors and total are different metrics; give ratio(..., test_series="),
    (lambda: _slo(sli=latency("http_request_duration_seconds", threshold=-1)),
     "latency(threshold=-1) must be a positive number of seconds"),
    (lambda: _slo(sli=latency('http_request_duration_seconds{le="1"}', threshold=1)),
     "latency(histogram=...) must not match `le`"),
])
def test_bad_slos_are_refused_when_built(build, message):
    with pytest.raises(AlertsError, match=re.escape(message)):
        build()


def test_the_lowest_objective_that_pages_gives_firing_cases_below_100_percent_errors():
    slo = _slo(objective=93.69)  # 15.84x a budget of 6.31%: 99.95% errors
    assert all(float(v.split("+")[1].split("x")[0]) <= 10000 for a in slo.alerts() for c in a.tests
               for v in c.series.values())
    assert _slo(objective=93.68, page=None).alerts()[0].alert == "CheckoutBurnRate1d"


def test_page_and_ticket_add_labels_or_turn_alerts_off():
    slo = _slo(page={"team": "shop"}, ticket=None)
    assert [(a.alert, dict(a.labels)) for a in slo.alerts()] == [
        ("CheckoutBurnRate1h", {"severity": "critical", "team": "shop"}),
        ("CheckoutBurnRate6h", {"severity": "critical", "team": "shop"})]
    labels = {"slo": "checkout", "service": "shop", "severity": "critical", "team": "shop"}
    assert [(dict(c.labels), tuple(c.receivers)) for c in slo.routing_cases(page=["pager"])] == [
        ({"alertname": "CheckoutBurnRate1h", **labels}, ("pager",)),
        ({"alertname": "CheckoutBurnRate6h", **labels}, ("pager",))]
    explicit = _slo(sli=ratio("http_errors_total", "http_requests_total",
                              test_series=("http_errors_total", "http_requests_total")))
    assert sorted(explicit.alerts()[0].tests[0].series) == ["http_errors_total", "http_requests_total"]


def test_the_guides_slos_route_pages_and_tickets():
    cases = {c.labels["alertname"]: tuple(c.receivers) for c in guide.ROUTING_CASES if "slo" in c.labels}
    assert cases == {f"{name}BurnRate{w}": (receiver,) for name in ("ApiAvailability", "ApiLatency")
                     for w, receiver in (("1h", "slack-critical"), ("6h", "slack-critical"),
                                         ("1d", "slack-notifications"), ("3d", "slack-notifications"))}


def _promtool(tmp_path, files: dict[str, object]) -> tuple[subprocess.CompletedProcess, float]:
    for rel, data in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(yaml.safe_dump(data, sort_keys=False))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run(["promtool", "test", "rules", "tests/slo_rules.test.yml"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def test_promtool_passes_the_generated_slo_tests(tmp_path):
    needs_tools()
    proc, took = _promtool(tmp_path, {"rules/slo_rules.yml": rule_file_data(SLO_FILE, ALERTING, PANELS),
                                      "tests/slo_rules.test.yml": promtool_tests(SLO_FILE, ALERTING, PANELS)})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Printed, not asserted: speed is measured, never a test's verdict (2.4-2.6 s of CPU measured here).
    print(f"\npromtool test rules on the SLO tests: {took:.2f} s of CPU")


def test_le_spelled_by_prometheus_2_and_3_gives_the_same_error_ratio(tmp_path):
    """The rendered latency rules against `le="1"` (Go clients on Prometheus 2) and `le="1.0"` (Prometheus 3):
    the same ratios, to the last bit."""
    needs_tools()
    bucket = "http_request_duration_seconds_bucket"
    # round(): rate() extrapolates 1h of 10 minutes to 0.2499999999999999; what matters is that both agree.
    expect = [{"expr": f'round(slo:sli_error:ratio_rate{w}{{slo="api-latency"}} * 1000000) / 1000000',
               "eval_time": "10m",
               "exp_samples": [{"labels": '{service="api",slo="api-latency"}', "value": 0.25}]}
              for w in ("5m", "1h", "3d")]
    expect.append({"expr": 'slo:error_budget:remaining{slo="api-latency"}', "eval_time": "10m",
                   "exp_samples": [{"labels": 'slo:error_budget:remaining{slo="api-latency",service="api"}',
                                    "value": -24}]})
    tests = [{"name": f"le={le}", "interval": "1m", "promql_expr_test": expect,
              "input_series": [{"series": f'{bucket}{{le="{le}"}}', "values": "0+750x10"},
                               {"series": f'{bucket}{{le="+Inf"}}', "values": "0+1000x10"}]} for le in ("1", "1.0")]
    file = RuleFile("slo_rules.yml", [LATENCY.rule_group()])
    proc, _ = _promtool(tmp_path, {
        "rules/slo_rules.yml": rule_file_data(file, Alerting(rule_files=[file]), PANELS),
        "tests/slo_rules.test.yml": {"rule_files": ["../rules/slo_rules.yml"], "evaluation_interval": "1m",
                                     "tests": tests}})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_slo_dashboard_shows_the_recorded_series_and_the_alert_thresholds():
    project = guide_project()
    rendered = {r.uid: r for r in rendered_dashboards(project)}
    data = rendered["slo-api"].json
    assert schema.validate(data) == []
    uids = {uid for r in project.rendered for uid in r.datasources}
    ours = [r for uid, r in rendered.items() if not uid.startswith("grafana-com-")]  # the links' targets too
    assert [f.line() for f in lint_dashboards(ours, datasource_uids=uids).findings if "slo-api" in f.line()] == []
    panels = {p["title"]: p for row in data["panels"] for p in [row, *row.get("panels", [])] if p["type"] != "row"}
    assert list(panels) == [f"{s}: {what}" for s in ("api-availability", "api-latency") for what in (
        "SLI", "error budget remaining", "burn rate (page windows)", "burn rate (ticket windows)")]
    recorded = {r.record for _, g in [(f, g) for f in guide.ALERTING.rule_files for g in f.groups]
                for r in g.rules if hasattr(r, "record")}
    for title, panel in panels.items():
        for target in panel["targets"]:
            assert metric_names(target["expr"]) <= recorded, (title, target["expr"])
    page = panels["api-availability: burn rate (page windows)"]
    defaults = page["fieldConfig"]["defaults"]
    assert [s["value"] for s in defaults["thresholds"]["steps"]] == [None, 6, 14.4]
    assert defaults["custom"]["thresholdsStyle"] == {"mode": "line+area"}
    assert [t["legendFormat"] for t in page["targets"]] == ["5m", "30m", "1h", "6h"]
    ticket = panels["api-latency: burn rate (ticket windows)"]["fieldConfig"]["defaults"]
    assert [s["value"] for s in ticket["thresholds"]["steps"]] == [None, 1, 3]
    urls = {rule.alert: guide_panels(list(rendered.values())).url(rule.dashboard)
            for _, _, rule in guide.ALERTING.alerts() if "BurnRate" in rule.alert}
    assert urls["ApiAvailabilityBurnRate1h"] == f"/d/slo-api?viewPanel=panel-{page['id']}"
    assert urls["ApiLatencyBurnRate3d"].endswith(
        f"panel-{panels['api-latency: burn rate (ticket windows)']['id']}")


def test_slo_dashboard_refuses_what_is_not_a_view():
    from publisher.sdk import DashboardError, Datasource

    prom = Datasource("Prometheus", "prometheus", uid="prometheus")
    with pytest.raises(DashboardError, match="give at least one SLO view"):
        slo_dashboard("api", [], datasource=prom)
    with pytest.raises(DashboardError, match="lacks .*: pass SLO\\(...\\).view\\(\\)"):
        slo_dashboard("api", [{"name": "x"}], datasource=prom)
    assert slo_dashboard("api", [AVAILABILITY.view()], datasource=prom).uid == AVAILABILITY.uid == "slo-api"


def _expr_tests(tmp_path, series: dict[str, str], expect: list[tuple[str, str, list[tuple[str, float]]]]):
    """promtool's promql_expr_test on the rendered SLO rules: (expr, eval_time, [(labels, value)])."""
    tests = [{"name": "expr", "interval": "1m", "input_series": [{"series": s, "values": v} for s, v in series.items()],
              "promql_expr_test": [{"expr": expr, "eval_time": at,
                                    "exp_samples": [{"labels": labels, "value": value} for labels, value in samples]}
                                   for expr, at, samples in expect]}]
    proc, _ = _promtool(tmp_path, {"rules/slo_rules.yml": rule_file_data(SLO_FILE, ALERTING, PANELS),
                                   "tests/slo_rules.test.yml": {"rule_files": ["../rules/slo_rules.yml"],
                                                                "evaluation_interval": "1m", "tests": tests}})
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_no_error_series_gives_a_ratio_of_0_and_the_whole_budget(tmp_path):
    """Only status="200" has ever been seen: the 5xx selector matches nothing, the SLI is still 100%."""
    needs_tools()
    labels = '{service="api",slo="api-availability"}'
    _expr_tests(tmp_path, {'http_requests_total{status="200"}': "0+100x20"}, [
        *[(f'slo:sli_error:ratio_rate{w}{{slo="api-availability"}}', "20m",
           [(f"slo:sli_error:ratio_rate{w}{labels}", 0)]) for w in ("5m", "1h", "30d")],
        ('slo:error_budget:remaining{slo="api-availability"}', "20m", [(f"slo:error_budget:remaining{labels}", 1)]),
    ])


def test_a_traffic_gap_leaves_no_nan_in_the_budget(tmp_path):
    """10 minutes of traffic, then 15 minutes of flat counters: no 5m ratio (nothing to divide, not 0/0 = NaN),
    and the 30d ratio and the budget keep the windows with traffic instead of NaN for the next 30 days."""
    needs_tools()
    bucket = "http_request_duration_seconds_bucket"
    series = {'http_requests_total{status="200"}': "0+100x10 1000+0x15", 'http_requests_total{status="500"}': "0x25",
              f'{bucket}{{le="1"}}': "0+100x10 1000+0x15", f'{bucket}{{le="+Inf"}}': "0+100x10 1000+0x15"}
    expect = []
    for slo in ("api-availability", "api-latency"):
        labels = f'{{service="api",slo="{slo}"}}'
        expect += [(f'slo:sli_error:ratio_rate5m{{slo="{slo}"}}', "8m", [(f"slo:sli_error:ratio_rate5m{labels}", 0)]),
                   (f'slo:sli_error:ratio_rate5m{{slo="{slo}"}}', "25m", []),
                   (f'slo:sli_error:ratio_rate30d{{slo="{slo}"}}', "25m",
                    [(f"slo:sli_error:ratio_rate30d{labels}", 0)]),
                   (f'slo:error_budget:remaining{{slo="{slo}"}}', "25m", [(f"slo:error_budget:remaining{labels}", 1)])]
    _expr_tests(tmp_path, series, expect)


def test_the_slo_dashboard_prints_the_objective_as_given():
    from publisher.sdk import Datasource

    prom = Datasource("Prometheus", "prometheus", uid="prometheus")
    for objective, shown, budget in ((99.95, "99.95%", "0.05%"), (99.9, "99.9%", "0.1%"), (99, "99%", "1%"),
                                     (99.995, "99.995%", "0.005%")):
        data = slo_dashboard("api", [_slo(objective=objective).view()], datasource=prom).to_json()
        panels = {p["title"]: p for row in data["panels"] for p in [row, *row.get("panels", [])]}
        assert f"against the objective of {shown} (the dashed line)" in panels["checkout: SLI"]["description"]
        assert f"error budget ({budget} of events" in panels["checkout: error budget remaining"]["description"]
